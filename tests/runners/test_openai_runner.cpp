// The OpenAI runner against the fake server (tests/fakes/fake_openai.hpp) on loopback: every injected fault is
// retried or recorded as issue 4 specifies, every request comes back exactly once, planted accuracy comes out.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <thread>

#include <httplib.h>

#include "core/error.hpp"
#include "fakes/fake_openai.hpp"
#include "runners/openai/openai_runner.hpp"

using namespace qeval;
using namespace qeval::runners;
using testing::FakeOpenAI;
using testing::FakeOpenAIOptions;
using testing::Fault;

namespace {

// Short waits for tests: backoff ceilings of a few milliseconds (Retry-After is still honoured).
OpenAISettings settings_for(const std::vector<std::string>& urls, int concurrency = 16) {
    core::Json j = {{"base_url", urls}, {"model", "fake-model"}, {"concurrency", concurrency}};
    OpenAISettings s = OpenAISettings::from_json(j);
    s.backoff.base = std::chrono::milliseconds(5);
    s.backoff.max = std::chrono::milliseconds(50);
    s.idle_timeout_s = 1;
    return s;
}

std::vector<GenerateRequest> make_requests(int n, bool stream, int samples = 1) {
    std::vector<GenerateRequest> out;
    for (int i = 0; i < n; ++i)
        for (int k = 0; k < samples; ++k) {
            GenerateRequest r{"p" + std::to_string(i), k, {{"user", "Problem " + std::to_string(i) + "?"}}, {}};
            r.config.stream = stream;
            r.config.seed = static_cast<std::uint64_t>(i * 1000 + k);
            r.config.max_tokens = 64;
            out.push_back(std::move(r));
        }
    return out;
}

struct Collected {
    std::map<std::pair<std::string, int>, core::ModelOutput> by_pair;
    int calls = 0;
};

Collected run_all(OpenAIRunner& runner, const std::vector<GenerateRequest>& reqs) {
    Collected c;
    runner.run(reqs, [&](const GenerateRequest& r, core::ModelOutput out) {
        ++c.calls;
        c.by_pair[{r.problem_id, r.sample_index}] = std::move(out);
    });
    return c;
}

// Every request answered exactly once, with a body, no error.
void require_all_answered(const Collected& c, const std::vector<GenerateRequest>& reqs) {
    REQUIRE(c.calls == static_cast<int>(reqs.size()));
    REQUIRE(c.by_pair.size() == reqs.size());
    for (const auto& [pair, out] : c.by_pair) {
        INFO(pair.first << "#" << pair.second << ": " << out.error);
        REQUIRE(out.error.empty());
        REQUIRE_FALSE(out.text.empty());
        REQUIRE(out.finish_reason == "stop");
    }
}

// The server sent exactly one completed answer per request.
void require_one_completion_per_key(const FakeOpenAI::Stats& st, std::size_t n) {
    REQUIRE(st.completed_by_key.size() == n);
    for (const auto& [key, count] : st.completed_by_key)
        REQUIRE(count == 1);
}

} // namespace

TEST_CASE("openai runner streams and not: content reasoning usage once per request", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.reasoning_chunks = 3;
    fo.content_chunks = 5;
    FakeOpenAI fake(fo);
    for (bool stream : {true, false}) {
        INFO("stream " << stream);
        OpenAIRunner runner(settings_for({fake.base_url()}));
        auto reqs = make_requests(50, stream);
        auto c = run_all(runner, reqs);
        require_all_answered(c, reqs);
        for (const auto& [pair, out] : c.by_pair) {
            CHECK_FALSE(out.reasoning.empty());
            CHECK(out.completion_tokens > 0);
            CHECK(out.prompt_tokens > 0);
            CHECK(out.attempts == 1);
        }
    }
    CHECK(fake.stats().faults.empty());
}

TEST_CASE("openai runner the reasoning field may be called reasoning", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.reasoning_chunks = 2;
    fo.reasoning_field = "reasoning";
    FakeOpenAI fake(fo);
    OpenAIRunner runner(settings_for({fake.base_url()}));
    auto reqs = make_requests(5, true);
    auto c = run_all(runner, reqs);
    require_all_answered(c, reqs);
    for (const auto& [pair, out] : c.by_pair)
        CHECK_FALSE(out.reasoning.empty());
}

TEST_CASE("openai runner retries every retryable fault and each request completes once", "[runners][openai]") {
    for (Fault f : {Fault::status_429, Fault::status_500, Fault::status_503, Fault::reset, Fault::cut_stream,
                    Fault::error_in_stream, Fault::hang, Fault::garbage_json}) {
        for (bool stream : {true, false}) {
            if (f == Fault::error_in_stream && !stream) continue; // an error event exists in streams only
            INFO("fault " << testing::to_string(f) << ", stream " << stream);
            FakeOpenAIOptions fo;
            fo.fault_rate[f] = 1.0; // the first two attempts of every request fail this way
            fo.faulty_attempts = 2;
            fo.retry_after_s = 0;
            fo.hang_ms = 30000;
            FakeOpenAI fake(fo);
            OpenAIRunner runner(settings_for({fake.base_url()}));
            auto reqs = make_requests(f == Fault::hang ? 3 : 12, stream);
            auto c = run_all(runner, reqs);
            require_all_answered(c, reqs);
            // libcurl itself retries a request once when a reused keep-alive connection is reset (it cannot know
            // whether the server saw it), so a reset can cost the server an attempt that the client does not count.
            for (const auto& [pair, out] : c.by_pair)
                CHECK((out.attempts == 3 || (f == Fault::reset && out.attempts == 2)));
            auto st = fake.stats();
            CHECK(st.faults[f] == static_cast<std::int64_t>(2 * reqs.size()));
            require_one_completion_per_key(st, reqs.size());
            for (const auto& [key, attempts] : st.attempts_by_key)
                CHECK(attempts == 3);
        }
    }
}

TEST_CASE("openai runner never retries 400 401 404 422 and keeps the server's message", "[runners][openai]") {
    for (Fault f : {Fault::status_400, Fault::status_401, Fault::status_404, Fault::status_422}) {
        INFO("fault " << testing::to_string(f));
        FakeOpenAIOptions fo;
        fo.fault_rate[f] = 1.0;
        FakeOpenAI fake(fo);
        OpenAIRunner runner(settings_for({fake.base_url()}));
        auto reqs = make_requests(6, true);
        auto c = run_all(runner, reqs);
        REQUIRE(c.calls == 6);
        for (const auto& [pair, out] : c.by_pair) {
            CHECK(out.attempts == 1);
            CHECK_THAT(out.error, Catch::Contains("HTTP " + std::string(testing::to_string(f))));
            CHECK_THAT(out.error, Catch::Contains(fake.base_url()));
        }
        auto st = fake.stats();
        CHECK(st.requests == 6);
        CHECK(st.completed == 0);
    }
}

TEST_CASE("openai runner gives up after max attempts with the last reason", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.fault_rate[Fault::status_503] = 1.0;
    fo.faulty_attempts = 1000;
    fo.retry_after_s = 0;
    FakeOpenAI fake(fo);
    OpenAISettings s = settings_for({fake.base_url()});
    s.max_attempts = 3;
    OpenAIRunner runner(s);
    auto reqs = make_requests(4, true);
    auto c = run_all(runner, reqs);
    REQUIRE(c.calls == 4);
    for (const auto& [pair, out] : c.by_pair) {
        CHECK(out.attempts == 3);
        CHECK_THAT(out.error, Catch::Contains("HTTP 503") && Catch::Contains("gave up after 3 attempts"));
    }
    CHECK(fake.stats().requests == 12);
}

TEST_CASE("openai runner honours Retry-After", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.fault_rate[Fault::status_429] = 1.0;
    fo.faulty_attempts = 1;
    fo.retry_after_s = 1;
    FakeOpenAI fake(fo);
    OpenAIRunner runner(settings_for({fake.base_url()})); // backoff ceiling 5 ms: only Retry-After can make it wait
    auto reqs = make_requests(2, true);
    auto t0 = std::chrono::steady_clock::now();
    auto c = run_all(runner, reqs);
    double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    require_all_answered(c, reqs);
    CHECK(waited >= 0.95); // the second attempt waited for the server's Retry-After
}

TEST_CASE("openai runner mixed faults under concurrency lose and duplicate nothing", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.accuracy = 0.6;
    fo.latency_ms = 2;
    fo.retry_after_s = 0;
    fo.hang_ms = 30000;
    for (Fault f : {Fault::status_429, Fault::status_500, Fault::status_503, Fault::reset, Fault::cut_stream,
                    Fault::error_in_stream, Fault::garbage_json})
        fo.fault_rate[f] = 0.05;
    fo.fault_rate[Fault::hang] = 0.01;
    FakeOpenAI fake(fo);
    OpenAIRunner runner(settings_for({fake.base_url()}, 32));
    auto reqs = make_requests(100, true, 3);
    auto c = run_all(runner, reqs);
    require_all_answered(c, reqs);
    auto st = fake.stats();
    require_one_completion_per_key(st, reqs.size());
    std::int64_t injected = 0;
    for (const auto& [f, n] : st.faults)
        injected += n;
    CHECK(injected > 20); // ~36% of first attempts: the run really went through faults
    int retries = 0;
    for (const auto& [pair, out] : c.by_pair)
        retries += out.attempts - 1;
    CHECK(retries <= injected); // equal but for resets on reused connections, which libcurl retries itself
    CHECK(retries >= injected - st.faults[Fault::reset]);
}

TEST_CASE("openai runner spreads over servers and routes around a dead one", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.latency_ms = 5;
    FakeOpenAI a(fo), b(fo);
    std::string dead = "http://127.0.0.1:9/v1"; // nothing listens on the discard port
    OpenAISettings s = settings_for({a.base_url(), dead, b.base_url()}, 8);
    s.check_models = false;
    OpenAIRunner runner(s);
    auto reqs = make_requests(80, true);
    auto c = run_all(runner, reqs);
    require_all_answered(c, reqs);
    CHECK(a.stats().completed > 10);
    CHECK(b.stats().completed > 10);
    CHECK(a.stats().completed + b.stats().completed == 80);
}

TEST_CASE("openai runner fails the run when no server answers for the unreachable timeout", "[runners][openai]") {
    OpenAISettings s = settings_for({"http://127.0.0.1:9/v1"});
    s.check_models = false;
    s.unreachable_timeout_s = 1;
    OpenAIRunner runner(s);
    auto reqs = make_requests(3, true);
    int calls = 0;
    try {
        runner.run(reqs, [&](const GenerateRequest&, core::ModelOutput) { ++calls; });
        FAIL("expected a network error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::network);
        CHECK_THAT(std::string(e.what()), Catch::Contains("127.0.0.1:9"));
    }
    CHECK(calls == 0); // nothing was reported as an answer or an error: the samples stay missing, a resume asks again
}

TEST_CASE("openai runner preflight checks the served model and the key", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.api_key = "sekret-key";
    FakeOpenAI fake(fo);
    ::setenv("QEVAL_TEST_KEY", "sekret-key", 1);
    ::unsetenv("QEVAL_TEST_NO_KEY");
    core::Json j = {{"base_url", fake.base_url()}, {"model", "fake-model"}, {"api_key_env", "QEVAL_TEST_KEY"}};
    OpenAIRunner ok(OpenAISettings::from_json(j));
    ok.prepare();
    auto reqs = make_requests(3, true);
    require_all_answered(run_all(ok, reqs), reqs);
    CHECK(ok.provenance().dump().find("sekret") == std::string::npos);

    j["api_key_env"] = "QEVAL_TEST_NO_KEY";
    try {
        OpenAIRunner no_key(
            OpenAISettings::from_json(j)); // constructing checks nothing: a finished run needs no server
        no_key.prepare();
        FAIL("expected a usage error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::usage);
        CHECK_THAT(std::string(e.what()), Catch::Contains("QEVAL_TEST_NO_KEY"));
    }
    j["api_key_env"] = "QEVAL_TEST_KEY";
    j["model"] = "other-model";
    try {
        OpenAIRunner wrong(OpenAISettings::from_json(j));
        wrong.prepare();
        FAIL("expected a usage error");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::usage);
        CHECK_THAT(std::string(e.what()), Catch::Contains("fake-model") && !Catch::Contains("sekret"));
    }
}

TEST_CASE("openai runner completions endpoint", "[runners][openai]") {
    FakeOpenAI fake(FakeOpenAIOptions{});
    core::Json j = {{"base_url", fake.base_url()}, {"model", "fake-model"}, {"endpoint", "completions"}};
    OpenAIRunner runner(OpenAISettings::from_json(j));
    for (bool stream : {true, false}) {
        auto reqs = make_requests(4, stream);
        require_all_answered(run_all(runner, reqs), reqs);
    }
}

TEST_CASE("openai runner records truncation", "[runners][openai]") {
    FakeOpenAIOptions fo;
    fo.length_rate = 1.0;
    FakeOpenAI fake(fo);
    OpenAIRunner runner(settings_for({fake.base_url()}));
    auto reqs = make_requests(4, true);
    auto c = run_all(runner, reqs);
    REQUIRE(c.calls == 4);
    for (const auto& [pair, out] : c.by_pair) {
        CHECK(out.error.empty());
        CHECK(out.finish_reason == "length");
    }
}

TEST_CASE("openai runner reads a stream a server labels text/plain and JSON sent instead of a stream",
          "[runners][openai]") {
    httplib::Server server;
    const std::string sse = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"\\\\boxed{7}\"}}]}\n\n"
                            "data: {\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
                            "data: [DONE]\n\n";
    const std::string json = R"({"choices":[{"index":0,"message":{"content":"\\boxed{8}"},"finish_reason":"stop"}]})";
    server.Post("/plain/v1/chat/completions",
                [&](const httplib::Request&, httplib::Response& res) { res.set_content(sse, "text/plain"); });
    server.Post("/json/v1/chat/completions",
                [&](const httplib::Request&, httplib::Response& res) { res.set_content(json, "application/json"); });
    int port = server.bind_to_any_port("127.0.0.1");
    std::thread serving([&] { server.listen_after_bind(); });
    for (auto [path, want] : {std::pair{"plain", "\\boxed{7}"}, std::pair{"json", "\\boxed{8}"}}) {
        INFO(path);
        OpenAISettings s = settings_for({"http://127.0.0.1:" + std::to_string(port) + "/" + path + "/v1"});
        s.check_models = false;
        OpenAIRunner runner(s);
        auto reqs = make_requests(2, true);
        auto c = run_all(runner, reqs);
        require_all_answered(c, reqs);
        for (const auto& [pair, out] : c.by_pair)
            CHECK(out.text == want);
    }
    server.stop();
    serving.join();
}
