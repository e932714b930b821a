// The OpenAI-compatible endpoint runner: vLLM, SGLang, TensorRT-LLM (trtllm-serve), llama.cpp, the OpenAI API.
// One I/O thread drives libcurl's multi interface through its socket API and epoll (libcurl docs,
// "curl_multi_socket_action" and the hiperfifo/ephiperfifo examples), with the connections split over multi handles
// of at most 16 (libcurl's connection reuse walks every connection of its handle): at most `concurrency` requests in
// flight over kept-alive connections, spread over one or more servers (least busy first; a server that refuses
// connections is taken out and tried again after a growing pause). Streaming (SSE) by default, with an idle timeout per
// request; retries follow core/net/retry.hpp; a sample whose request failed for good comes back with `error` set, never
// as an answer. The API key is read from the environment only and is never stored or printed.
#pragma once

#include <string>
#include <vector>

#include "core/net/retry.hpp"
#include "runners/openai/protocol.hpp"
#include "runners/runner.hpp"

namespace qeval::runners {

struct OpenAISettings {
    std::vector<std::string> base_urls; // ".../v1"; requests go to <base>/chat/completions or <base>/completions
    std::string model;
    openai::Endpoint endpoint = openai::Endpoint::chat;
    std::string api_key_env = "OPENAI_API_KEY"; // the variable holding the key (may be unset: no Authorization)
    int concurrency = 64;
    int max_attempts = 8;
    core::net::Backoff backoff;
    long connect_timeout_s = 30;
    long idle_timeout_s = 0;          // 0: 120 s when streaming, 1800 s when not (the whole generation is "idle")
    long unreachable_timeout_s = 300; // every server refusing for this long fails the run (nothing stored is lost)
    bool stream_usage = true;         // ask for usage in the last stream chunk (stream_options.include_usage)
    bool check_models = true;         // GET <base>/models before starting: the model must be served
    core::Json extra_body = core::Json::object();
    std::size_t max_response_bytes = std::size_t{256} << 20;

    // From `--runner openai` settings: {"base_url": "..." | [...], "model", "endpoint": "chat"|"completions",
    // "api_key_env", "concurrency", "max_attempts", "idle_timeout_s", "connect_timeout_s", "extra_body", ...};
    // Error(usage) naming the field. Backoff and attempts may be shortened with $QEVAL_HTTP_BACKOFF_MS and
    // $QEVAL_HTTP_ATTEMPTS (tests).
    static OpenAISettings from_json(const core::Json& settings);
};

class OpenAIRunner : public Runner {
public:
    explicit OpenAIRunner(OpenAISettings settings);
    std::string identity() const override;  // "openai:<endpoint>:<model>": the URLs are provenance, not identity
    core::Json provenance() const override; // base URLs, the served model list, endpoint
    void prepare() override;                // the /models preflight (check_models)
    void run(const std::vector<GenerateRequest>& requests, const OnResult& on_result) override;

private:
    void check_models(); // GET <base>/models on every server
    OpenAISettings settings_;
    std::string api_key_;
    core::Json served_ = core::Json::object(); // base url -> model ids it listed (or the error)
};

} // namespace qeval::runners
