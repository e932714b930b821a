// See protocol.hpp.
#include "runners/openai/protocol.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace qeval::runners::openai {
namespace {

constexpr std::size_t kQuoteBytes = 300; // how much of a foreign body an error message quotes

std::string quote(std::string_view body) {
    std::string s(core::trim(body.substr(0, kQuoteBytes)));
    for (char& c : s)
        if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (body.size() > kQuoteBytes) s += "...";
    return s;
}

void take_usage(const core::Json& j, core::ModelOutput& out) {
    auto u = j.find("usage");
    if (u == j.end() || !u->is_object()) return;
    if (auto p = u->find("prompt_tokens"); p != u->end() && p->is_number_integer())
        out.prompt_tokens = p->get<std::int64_t>();
    if (auto c = u->find("completion_tokens"); c != u->end() && c->is_number_integer())
        out.completion_tokens = c->get<std::int64_t>();
}

void append_string(const core::Json& obj, const char* key, std::string& to) {
    auto it = obj.find(key);
    if (it != obj.end() && it->is_string()) to += it->get_ref<const std::string&>();
}

// The error object inside a body, as text; empty when there is none.
std::string error_of(const core::Json& j) {
    auto e = j.find("error");
    if (e == j.end() || e->is_null()) return {};
    if (e->is_string()) return e->get<std::string>();
    if (e->is_object()) {
        if (auto m = e->find("message"); m != e->end() && m->is_string()) return m->get<std::string>();
        return quote(e->dump());
    }
    return quote(e->dump());
}

// choices[0] (the one with index 0 when indices are given), or null.
const core::Json* first_choice(const core::Json& j) {
    auto c = j.find("choices");
    if (c == j.end() || !c->is_array() || c->empty()) return nullptr;
    for (const auto& choice : *c)
        if (choice.is_object() && choice.value("index", 0) == 0) return &choice;
    return nullptr;
}

void take_finish(const core::Json& choice, core::ModelOutput& out) {
    auto f = choice.find("finish_reason");
    if (f != choice.end() && f->is_string() && !f->get_ref<const std::string&>().empty())
        out.finish_reason = f->get<std::string>();
}

core::Json parse_object(std::string_view text) {
    core::Json j = core::Json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
    return j.is_object() ? j : core::Json();
}

} // namespace

std::string request_body(const GenerateRequest& request, const BodyOptions& o) {
    core::Json j = core::Json::object();
    j["model"] = o.model;
    if (o.endpoint == Endpoint::chat) {
        j["messages"] = request.messages;
    } else {
        std::string prompt;
        for (const auto& m : request.messages)
            prompt += (prompt.empty() ? "" : "\n\n") + m.content;
        j["prompt"] = prompt;
    }
    const core::GenerateConfig& g = request.config;
    if (g.max_tokens) j["max_tokens"] = *g.max_tokens;
    if (g.temperature) j["temperature"] = *g.temperature;
    if (g.top_p) j["top_p"] = *g.top_p;
    if (g.top_k) j["top_k"] = *g.top_k;
    if (g.min_p) j["min_p"] = *g.min_p;
    if (g.seed) j["seed"] = static_cast<std::int64_t>(*g.seed & 0x7fffffffULL);
    if (!g.stop.empty()) j["stop"] = g.stop;
    j["stream"] = o.stream;
    if (o.stream && o.stream_usage) j["stream_options"] = {{"include_usage", true}};
    if (!o.extra_body.empty()) j.merge_patch(o.extra_body);
    return j.dump(-1, ' ', false, core::Json::error_handler_t::replace);
}

EventStatus apply_stream_event(std::string_view data, Endpoint endpoint, core::ModelOutput& out, std::string& error) {
    std::string_view d = core::trim(data);
    if (d == "[DONE]") return EventStatus::done;
    core::Json j = parse_object(d);
    if (j.is_null()) {
        error = "malformed stream event: " + quote(d);
        return EventStatus::error;
    }
    if (std::string e = error_of(j); !e.empty()) {
        error = "error in the stream: " + e;
        return EventStatus::error;
    }
    if (const core::Json* choice = first_choice(j)) {
        if (endpoint == Endpoint::chat) {
            auto delta = choice->find("delta");
            if (delta != choice->end() && delta->is_object()) {
                append_string(*delta, "content", out.text);
                append_string(*delta, "reasoning_content", out.reasoning);
                append_string(*delta, "reasoning", out.reasoning);
            }
        } else {
            append_string(*choice, "text", out.text);
        }
        take_finish(*choice, out);
    }
    take_usage(j, out);
    return EventStatus::ok;
}

bool parse_response(std::string_view body, Endpoint endpoint, core::ModelOutput& out, std::string& error) {
    core::Json j = parse_object(body);
    if (j.is_null()) {
        error = "malformed response (not a JSON object): " + quote(body);
        return false;
    }
    if (std::string e = error_of(j); !e.empty()) {
        error = "error in the response: " + e;
        return false;
    }
    const core::Json* choice = first_choice(j);
    if (!choice) {
        error = "response has no choices: " + quote(body);
        return false;
    }
    if (endpoint == Endpoint::chat) {
        auto msg = choice->find("message");
        if (msg == choice->end() || !msg->is_object()) {
            error = "response choice has no message: " + quote(body);
            return false;
        }
        append_string(*msg, "content", out.text);
        append_string(*msg, "reasoning_content", out.reasoning);
        append_string(*msg, "reasoning", out.reasoning);
    } else {
        append_string(*choice, "text", out.text);
    }
    take_finish(*choice, out);
    take_usage(j, out);
    return true;
}

std::string server_message(std::string_view body) {
    core::Json j = parse_object(body);
    if (!j.is_null()) {
        if (std::string e = error_of(j); !e.empty()) return e;
        for (const char* key : {"detail", "message"})
            if (auto it = j.find(key); it != j.end())
                return it->is_string() ? it->get<std::string>() : quote(it->dump());
    }
    return body.empty() ? "(empty body)" : quote(body);
}

} // namespace qeval::runners::openai
