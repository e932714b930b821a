// What the fake OpenAI server puts on the wire, apart from the serving logic, shared by its engines: the fault table
// (names, statuses, error messages), OpenAI-style error objects, the validation of a request and the deterministic
// draws of its answer, the answer split into deltas, and the JSON bodies and SSE events of a response, built as
// strings (no JSON tree per event: the fake must serve > 10,000 requests/s).
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "tests/fakes/fake_openai.hpp"

namespace qeval::testing {

inline constexpr const char* kUnauthorized =
    "fake_openai: missing or wrong API key (expected the header \"Authorization: Bearer <key>\")";
inline constexpr const char* kGarbageBody = "{garbage: this is not JSON (fake fault garbage)";

// {"error": {"message", "type", "param": null, "code": status}}.
std::string error_body(int status, std::string_view type, std::string_view message);
// That body as the response, with that status.
void set_error(httplib::Response& r, int status, std::string_view type, std::string_view message);
// The error response of a status fault (429 and 503 with Retry-After).
void set_fault_error(httplib::Response& r, Fault fault, int retry_after_s);

std::string models_body(const std::string& model);
// A message's content as text: a string, or the "text" of its parts when it is an array of content parts.
std::string message_text(const nlohmann::json& content);

// One completion request after validation, with its draws.
struct Plan {
    bool chat = true;
    bool stream = false;
    bool include_usage = false;
    std::string model;
    std::string prompt; // the last user message (chat) or the prompt (completions)
    std::int64_t prompt_tokens = 0;
    std::string key; // FakeOpenAI::request_key
    int attempt = 0;
    Fault fault = Fault::none;
    bool correct = true;
    bool length = false;
};

// Validates a completion request body and fills the request's fields of `p`; "" or what is wrong (a 400's message).
// The usual body is read in one pass by a strict scanner of the fake's own, without a tree (the epoll engine serves
// tens of thousands a second; nlohmann's reader, tree and dump for the key were a third of its CPU); any other goes
// to parse_request_tree, whose result it equals.
std::string parse_request(std::string_view text, bool chat, Plan& p);
// Its two ways. The fast one: true when it took the body (then `p` is filled), false to leave it to the tree.
bool parse_request_fast(std::string_view text, bool chat, Plan& p);
// The same from a json tree: every check, every error message.
std::string parse_request_tree(std::string_view text, bool chat, Plan& p);
// A uniform draw in [0, 1) from the request key, the attempt and a label, mixed with `seed`.
double uniform_draw(std::uint64_t seed, const std::string& key, int attempt, std::string_view label);
// p.correct and p.length, from the request key alone (every attempt of a request gets the same answer).
void draw_answer(const FakeOpenAIOptions& options, Plan& p);

// The ends of about `parts` pieces of `text` of about equal size, never splitting a UTF-8 sequence (fewer when the
// text is shorter); the last end is text.size() unless the text is empty.
std::vector<std::size_t> split_points(std::string_view text, int parts);

struct Answer {
    std::vector<std::string> reasoning;    // deltas of the reasoning field (chat only)
    std::string content;                   // the content, as a non-stream response carries it
    std::vector<std::size_t> content_ends; // where each content delta ends in `content`
    std::string finish_reason;             // "stop" | "length"
    std::int64_t completion_tokens() const { return static_cast<std::int64_t>(reasoning.size() + content_ends.size()); }
    std::string_view content_delta(std::size_t i) const {
        const std::size_t start = i == 0 ? 0 : content_ends[i - 1];
        return std::string_view(content).substr(start, content_ends[i] - start);
    }
};
// The answer to one request; "length" keeps the first half of the content deltas.
Answer make_answer(const FakeOpenAIOptions& options, const std::string& prompt, bool correct, bool length, bool chat);

enum class Ending {
    complete, // finish chunk, usage chunk when asked, [DONE]
    cut,      // half the content deltas, then nothing (the connection closes)
    error,    // half the content deltas, an error event, [DONE]
    fault,    // events of a fault that end normally (garbage)
};

// The response frame of one request: non-stream body and SSE events.
struct Frame {
    std::string id;
    bool chat = true;
    std::string model;
    std::int64_t created = 0;
    std::string reasoning_field;

    std::string body(const Answer& a, std::int64_t prompt_tokens) const;
    std::vector<std::string> events(const Answer& a, std::int64_t prompt_tokens, bool include_usage,
                                    Ending ending) const;
};

std::vector<std::string> garbage_events();

} // namespace qeval::testing
