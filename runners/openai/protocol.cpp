// See protocol.hpp.
#include "runners/openai/protocol.hpp"

#include <algorithm>
#include <array>
#include <cstdint>

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

namespace {

// Reads a stream chunk without building a JSON tree (nlohmann's SAX interface): a server streams tens of thousands of
// chunks a second, and only a few fields matter. Takes choices[index 0].delta.{content, reasoning_content,
// reasoning} (chat) or .text (completions), .finish_reason, usage.{prompt,completion}_tokens, and notes an `error`.
class ChunkReader : public nlohmann::json_sax<core::Json> {
public:
    ChunkReader(Endpoint endpoint, core::ModelOutput& out) : chat_(endpoint == Endpoint::chat), out_(out) {}
    bool has_error = false; // an "error" member that is not null: the caller builds the message from a full parse
    bool not_object = false;

    bool null() override { return depth_ > 0 || root_is_not_object(); }
    bool boolean(bool) override { return value_done(); }
    // (booleans, floats and binaries matter only inside an error)
    bool number_integer(number_integer_t v) override { return number(v); }
    bool number_unsigned(number_unsigned_t v) override {
        return number(static_cast<std::int64_t>(std::min<number_unsigned_t>(v, INT64_MAX)));
    }
    bool number_float(number_float_t, const string_t&) override { return value_done(); }
    bool binary(binary_t&) override { return value_done(); }
    bool string(string_t& v) override {
        if (in_error()) has_error = true;
        if (depth_ == 4 && in_choice_object(3) && keys_[3] == "delta" && chat_) {
            if (keys_[4] == "content") choice_text_ += v;
            if (keys_[4] == "reasoning_content" || keys_[4] == "reasoning") choice_reasoning_ += v;
        } else if (depth_ == 3 && in_choice_object(3)) {
            if (keys_[3] == "text" && !chat_) choice_text_ += v;
            if (keys_[3] == "finish_reason") choice_finish_ = v;
        }
        return value_done();
    }
    bool start_object(std::size_t) override {
        if (depth_ == 0 && started_) return false; // two values: not one chunk
        started_ = true;
        if (in_error()) has_error = true;
        push(false);
        if (depth_ == 3 && in_choice_object(3)) { // a new choice
            choice_text_.clear();
            choice_reasoning_.clear();
            choice_finish_.clear();
            choice_index_ = 0;
        }
        return true;
    }
    bool end_object() override {
        if (depth_ == 3 && in_choice_object(3) && choice_index_ == 0 && !choice_taken_) {
            choice_taken_ = true;
            out_.text += choice_text_;
            out_.reasoning += choice_reasoning_;
            if (!choice_finish_.empty()) out_.finish_reason = choice_finish_;
        }
        pop();
        return true;
    }
    bool start_array(std::size_t) override {
        if (depth_ == 0) {
            not_object = true;
            return false;
        }
        if (in_error()) has_error = true;
        push(true);
        return true;
    }
    bool end_array() override {
        pop();
        return true;
    }
    bool key(string_t& k) override {
        keys_[std::min<std::size_t>(depth_, kDepth - 1)] = k;
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override { return false; }

private:
    static constexpr std::size_t kDepth = 8;

    bool number(std::int64_t v) {
        if (in_error()) has_error = true;
        if (depth_ == 2 && keys_[1] == "usage") {
            if (keys_[2] == "prompt_tokens") out_.prompt_tokens = v;
            if (keys_[2] == "completion_tokens") out_.completion_tokens = v;
        } else if (depth_ == 3 && in_choice_object(3) && keys_[3] == "index") {
            choice_index_ = v;
        }
        return value_done();
    }
    // depth_ == d and the object at depth d is an element of the root's "choices" array.
    bool in_choice_object(std::size_t d) const {
        return d == 3 && depth_ >= 3 && keys_[1] == "choices" && is_array_[2] && !is_array_[3];
    }
    bool in_error() const { return depth_ >= 1 && keys_[1] == "error"; }
    void push(bool array) {
        ++depth_;
        if (depth_ < kDepth) {
            is_array_[depth_] = array;
            keys_[depth_].clear();
        }
    }
    void pop() {
        if (depth_ > 0) --depth_;
    }
    bool value_done() {
        if (depth_ == 0) return root_is_not_object();
        if (in_error()) has_error = true;
        return true;
    }
    bool root_is_not_object() {
        not_object = true;
        return false;
    }

    bool chat_;
    core::ModelOutput& out_;
    std::size_t depth_ = 0;
    bool started_ = false;
    std::array<std::string, kDepth> keys_{};
    std::array<bool, kDepth> is_array_{};
    std::string choice_text_, choice_reasoning_, choice_finish_;
    std::int64_t choice_index_ = 0;
    bool choice_taken_ = false;
};

} // namespace

EventStatus apply_stream_event(std::string_view data, Endpoint endpoint, core::ModelOutput& out, std::string& error) {
    std::string_view d = core::trim(data);
    if (d == "[DONE]") return EventStatus::done;
    core::ModelOutput delta;
    ChunkReader reader(endpoint, delta);
    bool ok = core::Json::sax_parse(d.begin(), d.end(), &reader, core::Json::input_format_t::json, true);
    if (!ok || reader.not_object) {
        error = "malformed stream event: " + quote(d);
        return EventStatus::error;
    }
    if (reader.has_error) {
        std::string e = error_of(parse_object(d));
        error = "error in the stream: " + (e.empty() ? quote(d) : e);
        return EventStatus::error;
    }
    out.text += delta.text;
    out.reasoning += delta.reasoning;
    if (!delta.finish_reason.empty()) out.finish_reason = delta.finish_reason;
    if (delta.prompt_tokens) out.prompt_tokens = delta.prompt_tokens;
    if (delta.completion_tokens) out.completion_tokens = delta.completion_tokens;
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
