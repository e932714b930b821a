// A fake OpenAI-compatible server (vLLM's shapes) on loopback for the endpoint runner's tests and benchmarks:
// /v1/chat/completions and /v1/completions, streamed (SSE) or not, /v1/models. Answers, "length" finishes and
// injected faults (status codes, resets, cut streams, errors inside a stream, hangs, garbage) are drawn
// deterministically from the request key and attempt number, so a retried request gets the same answer and faults
// stop after a set number of attempts. task_answerer() answers a real task's prompts with its gold (or a wrong one).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace qeval::testing {

enum class Fault {
    none,
    status_429,      // 429 + Retry-After + error JSON
    status_500,      // 500 + error JSON
    status_503,      // 503 + Retry-After + error JSON
    reset,           // the connection is reset (RST) before any response byte
    cut_stream,      // stream: some deltas then the connection closes; non-stream: half the declared body
    error_in_stream, // stream: 200, some deltas, then an error event; non-stream: 500 + error JSON
    hang,            // no response byte for hang_ms, then the answer; stop() or the client closing ends it (reset)
    garbage_json,    // 200 with a body (or SSE events) that is not JSON
    status_400,
    status_401,
    status_404,
    status_422,
};

// "none", "429", "500", "503", "reset", "cut", "stream_error", "hang", "garbage", "400", "401", "404", "422".
std::string_view to_string(Fault fault);
std::optional<Fault> fault_from_string(std::string_view name);

// How the server serves: cpp-httplib with a worker thread per connection and every fault (the tests' default), or
// one or a few epoll event loops (fake_openai_epoll.cpp) that cost the client's machine little CPU, for benchmarks;
// no faults, latency or chunk delays there. Both give the same answers and shapes.
enum class FakeEngine { httplib, epoll };

class FakeServerEngine; // fake_openai_engine.hpp

struct FakeOpenAIOptions {
    FakeEngine engine = FakeEngine::httplib;
    std::string host = "127.0.0.1";
    int port = 0;                     // 0: an ephemeral port
    std::string model = "fake-model"; // requests naming another model get 404 "The model `X` does not exist."
    std::string api_key;              // non-empty: require "Authorization: Bearer <key>", else 401
    int latency_ms = 0;               // delay before the response starts
    int chunk_delay_us = 0;           // delay between SSE events
    int content_chunks = 8;           // the answer text is split into this many SSE content deltas
    int reasoning_chunks = 0;         // > 0: that many reasoning deltas come first (also message.<reasoning_field>)
    std::string reasoning_field = "reasoning_content"; // or "reasoning" (newer vLLM)
    double accuracy = 1.0;                             // P(correct answer) per request key
    double length_rate = 0; // P(finish_reason "length") per request key; the content is then cut to half its deltas
    // The answer text for a request: gets the last user message (or the prompt) and whether to answer correctly.
    // Called from the server's threads at once, so it must be thread-safe.
    // Default: "\\boxed{42}" / "\\boxed{-99999.125}".
    std::function<std::string(const std::string& prompt, bool correct)> answer;
    std::map<Fault, double> fault_rate; // per attempt, probability of each fault
    int faulty_attempts = 3;            // faults only on attempts 0..faulty_attempts-1 of a request key
    int retry_after_s = 1;              // Retry-After header on 429 and 503
    int hang_ms = 600000;               // how long a hung request hangs (ended early by stop() or the client)
    // httplib engine: worker threads, one per open connection (more connections take turns); use > concurrency.
    int threads = 64;
    int event_loops = 1;           // epoll engine: event loop threads (connections are spread over them)
    std::uint64_t seed = 0;        // mixes into every draw
    int keep_alive_timeout_s = 10; // an idle keep-alive connection is closed after this long
};

class FakeOpenAI {
public:
    explicit FakeOpenAI(FakeOpenAIOptions options); // binds and serves on background threads; throws on bind failure
    ~FakeOpenAI();                                  // stop()
    FakeOpenAI(const FakeOpenAI&) = delete;
    FakeOpenAI& operator=(const FakeOpenAI&) = delete;

    void stop(); // prompt: hung handlers and idle keep-alive connections are released; idempotent
    int port() const;
    std::string base_url() const; // "http://127.0.0.1:PORT/v1"

    struct Stats {
        std::int64_t requests = 0;                   // every request received on the completion endpoints
        std::int64_t completed = 0;                  // 200 responses fully sent with a finish reason
        std::map<Fault, std::int64_t> faults;        // injected faults by kind
        std::map<std::string, int> attempts_by_key;  // request key -> attempts received
        std::map<std::string, int> completed_by_key; // request key -> successful completions sent
    };
    Stats stats() const;
    // The body of the last request on the completion endpoints ("" before any): what the client sent.
    std::string last_request() const;

    // Hex SHA-256 of the request's messages (chat) or prompt (completions) as compact JSON, "#", and its seed
    // (empty when absent): the same problem and sample seed give the same key whatever the field order.
    static std::string request_key(const nlohmann::json& body);

private:
    std::unique_ptr<FakeServerEngine> impl_;
};

// Stats as one JSON object: requests, completed, faults {"429": n, ...}, keys, keys_completed, max_attempts,
// duplicate_completions (completions beyond the first per key); with per_key, the two maps as well.
nlohmann::json stats_to_json(const FakeOpenAI::Stats& stats, bool per_key = false);

// An answer function from a qeval task's real or demo dataset: renders every problem with each of the task's prompt
// variants, maps the last user message to the sample, and answers math tasks with "... \\boxed{gold}" (wrong:
// "\\boxed{-99999.125}"), gpqa_diamond with "Answer: X" and mmlu_pro with "The answer is (X)" (wrong: the next
// letter). Unknown prompts get an answer that extracts to nothing. `seed` is the run seed (GPQA's option order).
// Throws Error(usage) for a task it cannot answer (livecodebench) and the task's load errors. `task` may be a comma
// list ("math500,gpqa_diamond"): one server answering several tasks.
std::function<std::string(const std::string&, bool)>
task_answerer(const std::string& task, const std::filesystem::path& data_dir, std::uint64_t seed = 0);

} // namespace qeval::testing
