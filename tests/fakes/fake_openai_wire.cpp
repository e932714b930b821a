// The fake OpenAI server's wire formats (see fake_openai_wire.hpp) and the fault table.
#include "tests/fakes/fake_openai_wire.hpp"

#include <algorithm>
#include <array>

#include "core/hash.hpp"
#include "core/json_text.hpp"

namespace qeval::testing {
namespace {

using Json = nlohmann::json;

struct FaultRow {
    Fault fault;
    const char* name;    // --fault NAME=RATE
    int status;          // of the error response (0: none)
    const char* type;    // error.type, as vLLM names them
    const char* message; // error.message: names the fault so a client's report can be checked
};

// Each fault once (style.md: one table).
constexpr std::array<FaultRow, 13> kFaults = {{
    {Fault::none, "none", 0, "", ""},
    {Fault::status_429, "429", 429, "RateLimitError", "fake fault 429: rate limit reached, retry later"},
    {Fault::status_500, "500", 500, "InternalServerError", "fake fault 500: internal server error"},
    {Fault::status_503, "503", 503, "ServiceUnavailableError", "fake fault 503: the server is overloaded"},
    {Fault::reset, "reset", 0, "", ""},
    {Fault::cut_stream, "cut", 0, "", ""},
    {Fault::error_in_stream, "stream_error", 500, "InternalServerError",
     "fake fault stream_error: the engine failed while generating"},
    {Fault::hang, "hang", 0, "", ""},
    {Fault::garbage_json, "garbage", 0, "", ""},
    {Fault::status_400, "400", 400, "BadRequestError", "fake fault 400: the request was rejected as invalid"},
    {Fault::status_401, "401", 401, "AuthenticationError", "fake fault 401: the API key was rejected"},
    {Fault::status_404, "404", 404, "NotFoundError", "fake fault 404: the resource does not exist"},
    {Fault::status_422, "422", 422, "UnprocessableEntityError", "fake fault 422: the request could not be processed"},
}};

const FaultRow& row(Fault fault) {
    for (const auto& r : kFaults)
        if (r.fault == fault) return r;
    return kFaults[0];
}

// A JSON string literal (quotes included); invalid UTF-8 is replaced, never thrown on.
std::string quote(std::string_view text) {
    return core::json_string(text);
}

std::string error_object(int status, std::string_view type, std::string_view message) {
    return "{\"error\":{\"message\":" + quote(message) + ",\"type\":" + quote(type) +
           ",\"param\":null,\"code\":" + std::to_string(status) + "}}";
}

std::string usage(std::int64_t prompt_tokens, std::int64_t completion_tokens) {
    return "{\"prompt_tokens\":" + std::to_string(prompt_tokens) +
           ",\"total_tokens\":" + std::to_string(prompt_tokens + completion_tokens) +
           ",\"completion_tokens\":" + std::to_string(completion_tokens) + "}";
}

std::string joined(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts)
        out += p;
    return out;
}

} // namespace

std::string_view to_string(Fault fault) {
    return row(fault).name;
}

std::optional<Fault> fault_from_string(std::string_view name) {
    for (const auto& r : kFaults)
        if (name == r.name) return r.fault;
    return std::nullopt;
}

std::string error_body(int status, std::string_view type, std::string_view message) {
    return error_object(status, type, message);
}

void set_error(httplib::Response& r, int status, std::string_view type, std::string_view message) {
    r.status = status;
    r.set_content(error_object(status, type, message), "application/json");
}

void set_fault_error(httplib::Response& r, Fault fault, int retry_after_s) {
    const FaultRow& f = row(fault);
    set_error(r, f.status, f.type, f.message);
    if (f.status == 429 || f.status == 503) r.set_header("Retry-After", std::to_string(retry_after_s));
}

std::string models_body(const std::string& model) {
    return "{\"object\":\"list\",\"data\":[{\"id\":" + quote(model) +
           ",\"object\":\"model\",\"created\":0,\"owned_by\":\"qeval-fake\",\"root\":" + quote(model) +
           ",\"parent\":null}]}";
}

double uniform_draw(std::uint64_t seed, const std::string& key, int attempt, std::string_view label) {
    std::string text = key;
    text += '|';
    text += std::to_string(attempt);
    text += '|';
    text += label;
    return static_cast<double>(core::derive_seed(text, seed) >> 11) * 0x1.0p-53;
}

void draw_answer(const FakeOpenAIOptions& options, Plan& p) {
    p.correct = options.accuracy >= 1 || uniform_draw(options.seed, p.key, 0, "correct") < options.accuracy;
    p.length = options.length_rate > 0 && uniform_draw(options.seed, p.key, 0, "length") < options.length_rate;
}

std::vector<std::size_t> split_points(std::string_view text, int parts) {
    std::vector<std::size_t> out;
    const std::size_t n = static_cast<std::size_t>(std::max(parts, 1));
    std::size_t start = 0;
    for (std::size_t i = 1; i <= n && start < text.size(); ++i) {
        std::size_t end = std::max(start, text.size() * i / n);
        while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
            ++end; // a continuation byte: the sequence goes on
        if (end > start) out.push_back(end);
        start = end;
    }
    return out;
}

Answer make_answer(const FakeOpenAIOptions& options, const std::string& prompt, bool correct, bool length, bool chat) {
    Answer a;
    if (chat)
        for (int i = 0; i < options.reasoning_chunks; ++i)
            a.reasoning.push_back("Reasoning step " + std::to_string(i + 1) + ". ");
    a.content = options.answer ? options.answer(prompt, correct) : correct ? "\\boxed{42}" : "\\boxed{-99999.125}";
    a.content_ends = split_points(a.content, options.content_chunks);
    a.finish_reason = length ? "length" : "stop";
    if (length) { // the first half of the deltas
        a.content_ends.resize(a.content_ends.size() / 2);
        a.content.resize(a.content_ends.empty() ? 0 : a.content_ends.back());
    }
    return a;
}

std::string Frame::body(const Answer& a, std::int64_t prompt_tokens) const {
    std::string out;
    out.reserve(320 + a.content.size() + model.size());
    out += "{\"id\":\"";
    out += id;
    out += chat ? "\",\"object\":\"chat.completion\",\"created\":" : "\",\"object\":\"text_completion\",\"created\":";
    out += std::to_string(created);
    out += ",\"model\":";
    core::append_json_string(out, model);
    if (chat) {
        out += ",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":";
        core::append_json_string(out, a.content);
        if (!a.reasoning.empty()) {
            out += ",\"";
            out += reasoning_field;
            out += "\":";
            core::append_json_string(out, joined(a.reasoning));
        }
        out += '}';
    } else {
        out += ",\"choices\":[{\"index\":0,\"text\":";
        core::append_json_string(out, a.content);
    }
    out += ",\"logprobs\":null,\"finish_reason\":\"";
    out += a.finish_reason;
    out += "\",\"stop_reason\":null}],\"usage\":";
    out += usage(prompt_tokens, a.completion_tokens());
    out += '}';
    return out;
}

std::vector<std::string> Frame::events(const Answer& a, std::int64_t prompt_tokens, bool include_usage,
                                       Ending ending) const {
    const std::string head =
        "data: {\"id\":\"" + id + "\",\"object\":\"" + (chat ? "chat.completion.chunk" : "text_completion") +
        "\",\"created\":" + std::to_string(created) + ",\"model\":" + quote(model) + ",\"choices\":[";
    const std::string open = chat ? "{\"index\":0,\"delta\":" : "{\"index\":0,\"text\":";
    auto delta = [&](std::string_view field, std::string_view text) {
        std::string body = chat ? "{\"" + std::string(field) + "\":" + quote(text) + "}" : quote(text);
        return head + open + body + ",\"logprobs\":null,\"finish_reason\":null}]}\n\n";
    };
    std::vector<std::string> out;
    if (chat)
        out.push_back(head + open +
                      "{\"role\":\"assistant\",\"content\":\"\"},\"logprobs\":null,"
                      "\"finish_reason\":null}]}\n\n");
    for (const auto& r : a.reasoning)
        out.push_back(delta(reasoning_field, r));
    std::size_t n = a.content_ends.size();
    if (ending == Ending::cut || ending == Ending::error) n = std::max<std::size_t>(n / 2, std::min<std::size_t>(n, 1));
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(delta("content", a.content_delta(i)));
    if (ending == Ending::cut) return out;
    if (ending == Ending::error) {
        const FaultRow& f = row(Fault::error_in_stream);
        out.push_back("data: " + error_object(f.status, f.type, f.message) + "\n\n");
    } else {
        out.push_back(head + open + (chat ? "{}" : "\"\"") + ",\"logprobs\":null,\"finish_reason\":\"" +
                      a.finish_reason + "\",\"stop_reason\":null}]}\n\n");
        if (include_usage) out.push_back(head + "],\"usage\":" + usage(prompt_tokens, a.completion_tokens()) + "}\n\n");
    }
    out.push_back("data: [DONE]\n\n");
    return out;
}

std::vector<std::string> garbage_events() {
    return {"data: {garbage: this is not JSON (fake fault garbage)\n\n", "data: {\"choices\": [{\"delta\": \n\n",
            "data: [DONE]\n\n"};
}

nlohmann::json stats_to_json(const FakeOpenAI::Stats& stats, bool per_key) {
    Json faults = Json::object();
    for (const auto& [fault, n] : stats.faults)
        faults[std::string(to_string(fault))] = n;
    int max_attempts = 0;
    std::int64_t keys_completed = 0, duplicates = 0;
    for (const auto& [key, n] : stats.attempts_by_key)
        max_attempts = std::max(max_attempts, n);
    for (const auto& [key, n] : stats.completed_by_key) {
        keys_completed += n > 0;
        duplicates += std::max(n - 1, 0);
    }
    Json out = {
        {"requests", stats.requests},           {"completed", stats.completed},     {"faults", faults},
        {"keys", stats.attempts_by_key.size()}, {"keys_completed", keys_completed}, {"max_attempts", max_attempts},
        {"duplicate_completions", duplicates}};
    if (per_key) {
        out["attempts_by_key"] = stats.attempts_by_key;
        out["completed_by_key"] = stats.completed_by_key;
    }
    return out;
}

} // namespace qeval::testing
