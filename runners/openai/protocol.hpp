// The OpenAI-compatible wire format, as vLLM, SGLang, TensorRT-LLM (trtllm-serve), llama.cpp and the OpenAI API speak
// it: request bodies for /v1/chat/completions and /v1/completions, and the parsing of whole responses and of stream
// chunks (OpenAI API reference, "Create chat completion" / "The chat completion chunk object"; vLLM
// entrypoints/openai/protocol.py for `reasoning_content`, and `reasoning` in newer releases). Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/types.hpp"
#include "runners/runner.hpp"

namespace qeval::runners::openai {

enum class Endpoint { chat, completions };

struct BodyOptions {
    Endpoint endpoint = Endpoint::chat;
    std::string model;
    bool stream = true;
    bool stream_usage = true;                     // stream_options.include_usage (usage arrives in the last chunk)
    core::Json extra_body = core::Json::object(); // merged last (JSON merge patch): chat_template_kwargs, ...
};

// The JSON body for one request. Sampling fields are sent only when set; the per-sample seed always (reduced to 31
// bits: llama.cpp and others take a 32-bit seed). /v1/completions gets the messages' contents joined by blank
// lines as `prompt` (no chat template: for base models, or servers where the template is applied by the caller).
std::string request_body(const GenerateRequest& request, const BodyOptions& options);
// The same body built as a JSON tree (the path taken when extra_body is merged in); exposed for the differential
// test that request_body writes these bytes.
std::string request_body_tree(const GenerateRequest& request, const BodyOptions& options);

enum class EventStatus { ok, done, error };

// Applies one SSE event's data to `out` (content, reasoning, finish_reason, usage). `done` for "[DONE]"; `error`
// when the event carries an `error` object (an error inside an HTTP 200 stream) or is not a chunk object; the reason
// is then in `error`.
EventStatus apply_stream_event(std::string_view data, Endpoint endpoint, core::ModelOutput& out, std::string& error);

// Parses a whole (non-streamed) response body into `out`; false with the reason in `error` when it is not one.
bool parse_response(std::string_view body, Endpoint endpoint, core::ModelOutput& out, std::string& error);

// What a failed response says: error.message (OpenAI, vLLM), `detail` (FastAPI), `message`, else the body's start.
std::string server_message(std::string_view body);

} // namespace qeval::runners::openai
