// See openai_runner.hpp: the runner's settings, its /models preflight and its identity; the requests themselves go
// through transport.cpp.
#include "runners/openai/openai_runner.hpp"

#include <algorithm>
#include <cstdlib>

#include "core/error.hpp"
#include "runners/openai/transport.hpp"

namespace qeval::runners {
namespace {

using openai::Endpoint;

long positive(const core::Json& s, const char* key, long fallback) {
    if (!s.contains(key)) return fallback;
    const auto& v = s[key];
    QEVAL_CHECK(v.is_number_integer() && v.get<long>() > 0, ErrorCode::usage,
                std::string("runner openai: \"") + key + "\" must be a positive integer, got " + v.dump());
    return v.get<long>();
}

} // namespace

OpenAISettings OpenAISettings::from_json(const core::Json& j) {
    OpenAISettings s;
    if (j.contains("base_url")) {
        const auto& b = j["base_url"];
        if (b.is_string()) s.base_urls.push_back(b.get<std::string>());
        if (b.is_array())
            for (const auto& u : b)
                if (u.is_string()) s.base_urls.push_back(u.get<std::string>());
    }
    QEVAL_CHECK(!s.base_urls.empty(), ErrorCode::usage,
                "runner openai needs --base-url URL (e.g. http://host:8000/v1)");
    for (const auto& u : s.base_urls)
        QEVAL_CHECK(u.rfind("http://", 0) == 0 || u.rfind("https://", 0) == 0, ErrorCode::usage,
                    "--base-url \"" + u + "\": expected an http:// or https:// URL such as http://host:8000/v1");
    QEVAL_CHECK(j.contains("model") && j["model"].is_string() && !j["model"].get<std::string>().empty(),
                ErrorCode::usage, "runner openai needs --model NAME (the served model name)");
    s.model = j["model"].get<std::string>();
    std::string endpoint = j.value("endpoint", std::string("chat"));
    QEVAL_CHECK(endpoint == "chat" || endpoint == "completions", ErrorCode::usage,
                "--endpoint \"" + endpoint + "\": expected chat or completions");
    s.endpoint = endpoint == "chat" ? Endpoint::chat : Endpoint::completions;
    s.api_key_env = j.value("api_key_env", s.api_key_env);
    s.concurrency = static_cast<int>(positive(j, "concurrency", s.concurrency));
    s.max_attempts =
        static_cast<int>(positive(j, "max_attempts", core::net::env_long("QEVAL_HTTP_ATTEMPTS", s.max_attempts)));
    s.max_attempts = std::max(1, s.max_attempts);
    s.backoff.base = std::chrono::milliseconds(core::net::env_long("QEVAL_HTTP_BACKOFF_MS", s.backoff.base.count()));
    s.idle_timeout_s = positive(j, "idle_timeout_s", 0);
    s.connect_timeout_s = positive(j, "connect_timeout_s", s.connect_timeout_s);
    s.unreachable_timeout_s = positive(j, "unreachable_timeout_s", s.unreachable_timeout_s);
    s.stream_usage = j.value("stream_usage", true);
    s.check_models = j.value("check_models", true);
    if (j.contains("extra_body")) {
        QEVAL_CHECK(j["extra_body"].is_object(), ErrorCode::usage,
                    "--extra-body: expected a JSON object, got " + j["extra_body"].dump());
        s.extra_body = j["extra_body"];
    }
    return s;
}

OpenAIRunner::OpenAIRunner(OpenAISettings settings) : settings_(std::move(settings)) {
    openai::global_init();
    if (const char* key = std::getenv(settings_.api_key_env.c_str())) api_key_ = key;
}

void OpenAIRunner::prepare() {
    if (settings_.check_models && served_.empty()) check_models();
}

std::string OpenAIRunner::identity() const {
    return std::string("openai:") + (settings_.endpoint == Endpoint::chat ? "chat" : "completions") + ":" +
           settings_.model;
}

core::Json OpenAIRunner::provenance() const {
    return {{"base_urls", settings_.base_urls},
            {"endpoint", settings_.endpoint == Endpoint::chat ? "chat" : "completions"},
            {"model", settings_.model},
            {"served_models", served_},
            {"extra_body", settings_.extra_body}};
}

// Every server must be reachable and, when it lists its models, serve ours: a typo in --model or a dead server
// fails here in a second instead of storing one error per sample.
void OpenAIRunner::check_models() {
    for (const auto& base : settings_.base_urls) {
        std::string url = openai::strip_slash(base) + "/models", body, error;
        long status = openai::http_get(url, api_key_, std::min<long>(settings_.connect_timeout_s, 30), body, error);
        QEVAL_CHECK(status > 0, ErrorCode::network, "GET " + url + ": " + error + " (is the server up?)");
        QEVAL_CHECK(status != 401 && status != 403, ErrorCode::usage,
                    "GET " + url + ": HTTP " + std::to_string(status) + ": " + openai::server_message(body) +
                        " (set the API key in $" + settings_.api_key_env +
                        ", or name another variable with --api-key-env)");
        if (status != 200) { // a server without /models: nothing to check
            served_[base] = "GET /models: HTTP " + std::to_string(status);
            continue;
        }
        core::Json j = core::Json::parse(body, nullptr, false);
        std::vector<std::string> ids;
        if (j.is_object() && j.contains("data") && j["data"].is_array())
            for (const auto& m : j["data"])
                if (m.is_object() && m.contains("id") && m["id"].is_string()) ids.push_back(m["id"].get<std::string>());
        served_[base] = ids;
        if (ids.empty()) continue;
        bool found = std::find(ids.begin(), ids.end(), settings_.model) != ids.end();
        QEVAL_CHECK(found, ErrorCode::usage,
                    "--model \"" + settings_.model + "\" is not served by " + base +
                        " (it serves: " + served_[base].dump() + ")");
    }
}

void OpenAIRunner::run(const std::vector<GenerateRequest>& requests, const OnResult& on_result) {
    openai::run_requests(settings_, api_key_, requests, on_result);
}

} // namespace qeval::runners
