// See protocol.hpp.
#include "runners/openai/protocol.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "core/json_text.hpp"
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

// The body as a JSON tree: only when extra_body must be merged in (a JSON merge patch).
std::string request_body_tree(const GenerateRequest& request, const BodyOptions& o) {
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

void append_number(std::string& out, double v) {
    out += core::Json(v).dump(); // nlohmann's shortest round-trip form, as the tree would write it
}

} // namespace

// Written directly, with the keys in the order a JSON tree (std::map) dumps them: the same bytes without building
// and walking a tree per request.
std::string request_body(const GenerateRequest& request, const BodyOptions& o) {
    if (!o.extra_body.empty()) return request_body_tree(request, o);
    const core::GenerateConfig& g = request.config;
    std::string out;
    std::size_t bytes = 200 + o.model.size();
    for (const auto& m : request.messages)
        bytes += m.content.size() + m.role.size() + 32;
    out.reserve(bytes);
    out += '{';
    auto key = [&](const char* k) {
        if (out.size() > 1) out += ',';
        out += '"';
        out += k;
        out += "\":";
    };
    if (g.max_tokens) {
        key("max_tokens");
        out += std::to_string(*g.max_tokens);
    }
    if (o.endpoint == Endpoint::chat) {
        key("messages");
        out += '[';
        for (std::size_t i = 0; i < request.messages.size(); ++i) {
            out += i == 0 ? "{\"content\":" : ",{\"content\":";
            core::append_json_string(out, request.messages[i].content);
            out += ",\"role\":";
            core::append_json_string(out, request.messages[i].role);
            out += '}';
        }
        out += ']';
    }
    if (g.min_p) {
        key("min_p");
        append_number(out, *g.min_p);
    }
    key("model");
    core::append_json_string(out, o.model);
    if (o.endpoint == Endpoint::completions) {
        std::string prompt;
        for (const auto& m : request.messages)
            prompt += (prompt.empty() ? "" : "\n\n") + m.content;
        key("prompt");
        core::append_json_string(out, prompt);
    }
    if (g.seed) {
        key("seed");
        out += std::to_string(static_cast<std::int64_t>(*g.seed & 0x7fffffffULL));
    }
    if (!g.stop.empty()) {
        key("stop");
        out += '[';
        for (std::size_t i = 0; i < g.stop.size(); ++i) {
            if (i > 0) out += ',';
            core::append_json_string(out, g.stop[i]);
        }
        out += ']';
    }
    key("stream");
    out += o.stream ? "true" : "false";
    if (o.stream && o.stream_usage) {
        key("stream_options");
        out += "{\"include_usage\":true}";
    }
    if (g.temperature) {
        key("temperature");
        append_number(out, *g.temperature);
    }
    if (g.top_k) {
        key("top_k");
        out += std::to_string(*g.top_k);
    }
    if (g.top_p) {
        key("top_p");
        append_number(out, *g.top_p);
    }
    out += '}';
    return out;
}

namespace {

// What a scan takes from a stream chunk or a whole response. One per thread is reused, so that its strings keep
// their capacity and a chunk costs no allocation.
struct Reading {
    std::string text, reasoning, finish; // of choices[index 0]
    std::string reasoning2;              // message.reasoning of a whole response (after reasoning_content)
    std::int64_t prompt_tokens = kUnset, completion_tokens = kUnset;
    bool has_error = false; // a non-null `error` member
    bool choice = false;    // choices[index 0] was there
    bool message = false;   // ... with a `message` object (whole chat responses)
    // the choice being read
    std::string c_text, c_reasoning, c_reasoning2, c_finish;

    static constexpr std::int64_t kUnset = INT64_MIN; // number() never gives it (it saturates at -INT64_MAX)

    void clear() {
        text.clear();
        reasoning.clear();
        finish.clear();
        reasoning2.clear();
        prompt_tokens = completion_tokens = kUnset;
        has_error = choice = message = false;
    }
};

// Which member of choices[index 0] holds the answer.
enum class Shape {
    delta,   // a chat stream chunk: delta.{content, reasoning_content, reasoning}
    message, // a whole chat response: message.{content, reasoning_content, reasoning}
    text,    // completions, streamed or not: text
};

// Reads one stream chunk or whole response in a single pass without building a JSON tree or allocating for what it
// skips: a server streams tens of thousands of chunks a second, and a chunk is small with few fields that matter. It
// validates the whole text as JSON (RFC 8259: structure, strings with their escapes and UTF-8, numbers, literals) and
// takes choices[index 0]'s answer (see Shape) and .finish_reason, usage.{prompt,completion}_tokens, and whether a
// non-null `error` member is present.
class ChunkScanner {
public:
    ChunkScanner(std::string_view text, Shape shape, Reading& r)
        : p_(text.data()), end_(text.data() + text.size()), shape_(shape), r_(r) {}

    enum class Result { ok, malformed, not_object };
    Result scan() {
        r_.clear();
        ws();
        if (p_ == end_ || *p_ != '{')
            return p_ != end_ && value(0) && at_end() ? Result::not_object : Result::malformed;
        bool ok = members([&](std::string_view key) {
            if (key == "choices") return choices();
            if (key == "usage") return usage();
            if (key == "error") {
                ws();
                if (!literal_is_null()) r_.has_error = true;
                return value(1);
            }
            return value(1);
        });
        return ok && at_end() ? Result::ok : Result::malformed;
    }

private:
    static constexpr int kMaxDepth = 256;

    void ws() {
        while (p_ < end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r'))
            ++p_;
    }
    bool at_end() {
        ws();
        return p_ == end_;
    }
    bool eat(char c) {
        ws();
        if (p_ < end_ && *p_ == c) {
            ++p_;
            return true;
        }
        return false;
    }
    bool numeric() const { return p_ < end_ && (*p_ == '-' || std::isdigit(static_cast<unsigned char>(*p_))); }
    bool literal_is_null() const { return end_ - p_ >= 4 && std::string_view(p_, 4) == "null"; }

    // An object's members: on_member(key) must consume the value.
    template <class F> bool members(F&& on_member) {
        if (!eat('{')) return false;
        if (eat('}')) return true;
        for (;;) {
            ws();
            key_.clear();
            if (!string(&key_) || !eat(':')) return false;
            if (!on_member(std::string_view(key_))) return false;
            if (eat('}')) return true;
            if (!eat(',')) return false;
        }
    }

    bool choices() {
        ws();
        if (p_ == end_ || *p_ != '[') return value(1);
        ++p_;
        if (eat(']')) return true;
        for (;;) {
            ws();
            if (p_ < end_ && *p_ == '{') {
                if (!choice()) return false;
            } else if (!value(2)) {
                return false;
            }
            if (eat(']')) return true;
            if (!eat(',')) return false;
        }
    }

    bool choice() {
        r_.c_text.clear();
        r_.c_reasoning.clear();
        r_.c_reasoning2.clear();
        r_.c_finish.clear();
        bool message = false;
        std::int64_t index = 0;
        bool ok = members([&](std::string_view key) {
            ws();
            if (key == "index") return numeric() ? number(&index) : value(3);
            if (key == "finish_reason") return string_or_value(&r_.c_finish, 3);
            if (key == "text" && shape_ == Shape::text) return string_or_value(&r_.c_text, 3);
            if (key == "delta" && shape_ == Shape::delta && p_ < end_ && *p_ == '{')
                return members([&](std::string_view field) {
                    ws();
                    if (field == "content") return string_or_value(&r_.c_text, 4);
                    if (field == "reasoning_content" || field == "reasoning")
                        return string_or_value(&r_.c_reasoning, 4);
                    return value(4);
                });
            if (key == "message" && shape_ == Shape::message && p_ < end_ && *p_ == '{') {
                message = true;
                return members([&](std::string_view field) {
                    ws();
                    if (field == "content") return string_or_value(&r_.c_text, 4);
                    if (field == "reasoning_content") return string_or_value(&r_.c_reasoning, 4);
                    if (field == "reasoning") return string_or_value(&r_.c_reasoning2, 4);
                    return value(4);
                });
            }
            return value(3);
        });
        if (ok && index == 0 && !r_.choice) {
            r_.choice = true;
            r_.message = message;
            std::swap(r_.text, r_.c_text);
            std::swap(r_.reasoning, r_.c_reasoning);
            std::swap(r_.reasoning2, r_.c_reasoning2);
            std::swap(r_.finish, r_.c_finish);
        }
        return ok;
    }

    bool usage() {
        ws();
        if (p_ == end_ || *p_ != '{') return value(1);
        return members([&](std::string_view key) {
            ws();
            if (key == "prompt_tokens") return numeric() ? number(&r_.prompt_tokens) : value(2);
            if (key == "completion_tokens") return numeric() ? number(&r_.completion_tokens) : value(2);
            return value(2);
        });
    }

    // A string appended to *out when the value is one; any other value is skipped.
    bool string_or_value(std::string* out, int depth) {
        if (p_ < end_ && *p_ == '"') return string(out);
        return value(depth);
    }

    // Any JSON value, skipped (validated).
    bool value(int depth) {
        if (depth > kMaxDepth) return false;
        ws();
        if (p_ == end_) return false;
        switch (*p_) {
        case '{':
            return members([&](std::string_view) { return value(depth + 1); });
        case '[':
            ++p_;
            if (eat(']')) return true;
            for (;;) {
                if (!value(depth + 1)) return false;
                if (eat(']')) return true;
                if (!eat(',')) return false;
            }
        case '"':
            return string(nullptr);
        case 't':
            return word("true");
        case 'f':
            return word("false");
        case 'n':
            return word("null");
        default:
            return number(nullptr);
        }
    }

    bool word(std::string_view w) {
        if (static_cast<std::size_t>(end_ - p_) < w.size() || std::string_view(p_, w.size()) != w) return false;
        p_ += w.size();
        return true;
    }

    // A number; *out gets it when it is an integer (saturated to int64), and is left alone otherwise.
    bool number(std::int64_t* out) {
        ws();
        bool negative = p_ < end_ && *p_ == '-';
        if (negative) ++p_;
        if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_))) return false;
        bool integer = true;
        std::uint64_t magnitude = 0;
        bool saturated = false;
        if (*p_ == '0') {
            ++p_;
        } else {
            while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_))) {
                auto digit = static_cast<std::uint64_t>(*p_ - '0');
                if (magnitude > (INT64_MAX - digit) / 10)
                    saturated = true;
                else
                    magnitude = magnitude * 10 + digit;
                ++p_;
            }
        }
        if (p_ < end_ && *p_ == '.') {
            integer = false;
            ++p_;
            if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_))) return false;
            while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_)))
                ++p_;
        }
        if (p_ < end_ && (*p_ == 'e' || *p_ == 'E')) {
            integer = false;
            ++p_;
            if (p_ < end_ && (*p_ == '+' || *p_ == '-')) ++p_;
            if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_))) return false;
            while (p_ < end_ && std::isdigit(static_cast<unsigned char>(*p_)))
                ++p_;
        }
        if (out && integer) {
            auto m = static_cast<std::int64_t>(saturated ? static_cast<std::uint64_t>(INT64_MAX) : magnitude);
            *out = negative ? -m : m;
        }
        return true;
    }

    bool hex4(std::uint32_t& cp) {
        if (end_ - p_ < 4) return false;
        cp = 0;
        for (int i = 0; i < 4; ++i, ++p_) {
            const int d = core::hex_digit(*p_);
            if (d < 0) return false;
            cp = (cp << 4) | static_cast<std::uint32_t>(d);
        }
        return true;
    }

    // A string starting at p_; decoded and appended to *out when out is set. Invalid UTF-8, control characters,
    // bad escapes and lone surrogates are malformed, as in nlohmann::json.
    bool string(std::string* out) {
        if (p_ == end_ || *p_ != '"') return false;
        ++p_;
        for (;;) {
            const char* run = p_;
            unsigned char seen = 0; // the bits of every byte of the run: ASCII needs no UTF-8 check
            while (p_ < end_ && *p_ != '"' && *p_ != '\\' && static_cast<unsigned char>(*p_) >= 0x20)
                seen |= static_cast<unsigned char>(*p_++);
            std::string_view plain(run, static_cast<std::size_t>(p_ - run));
            if ((seen & 0x80) != 0 && !core::is_valid_utf8(plain)) return false;
            if (out) out->append(plain);
            if (p_ == end_ || static_cast<unsigned char>(*p_) < 0x20) return false;
            if (*p_ == '"') {
                ++p_;
                return true;
            }
            ++p_; // backslash
            if (p_ == end_) return false;
            char e = *p_++;
            char simple = 0;
            switch (e) {
            case '"':
                simple = '"';
                break;
            case '\\':
                simple = '\\';
                break;
            case '/':
                simple = '/';
                break;
            case 'b':
                simple = '\b';
                break;
            case 'f':
                simple = '\f';
                break;
            case 'n':
                simple = '\n';
                break;
            case 'r':
                simple = '\r';
                break;
            case 't':
                simple = '\t';
                break;
            case 'u': {
                std::uint32_t cp = 0;
                if (!hex4(cp)) return false;
                if (cp >= 0xDC00 && cp <= 0xDFFF) return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    std::uint32_t low = 0;
                    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return false;
                    p_ += 2;
                    if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
                }
                if (out) core::append_utf8(*out, cp);
                continue;
            }
            default:
                return false;
            }
            if (out) *out += simple;
        }
    }

    const char* p_;
    const char* end_;
    Shape shape_;
    Reading& r_;
    std::string key_;
};

Reading& reading() {
    thread_local Reading r;
    return r;
}

} // namespace

EventStatus apply_stream_event(std::string_view data, Endpoint endpoint, core::ModelOutput& out, std::string& error) {
    std::string_view d = core::trim(data);
    if (d == "[DONE]") return EventStatus::done;
    Reading& r = reading();
    auto result = ChunkScanner(d, endpoint == Endpoint::chat ? Shape::delta : Shape::text, r).scan();
    if (result != ChunkScanner::Result::ok) {
        error = "malformed stream event: " + quote(d);
        return EventStatus::error;
    }
    if (r.has_error) {
        std::string e = error_of(parse_object(d));
        error = "error in the stream: " + (e.empty() ? quote(d) : e);
        return EventStatus::error;
    }
    out.text += r.text;
    out.reasoning += r.reasoning;
    if (!r.finish.empty()) out.finish_reason = r.finish;
    if (r.prompt_tokens != Reading::kUnset && r.prompt_tokens != 0) out.prompt_tokens = r.prompt_tokens;
    if (r.completion_tokens != Reading::kUnset && r.completion_tokens != 0) out.completion_tokens = r.completion_tokens;
    return EventStatus::ok;
}

bool parse_response(std::string_view body, Endpoint endpoint, core::ModelOutput& out, std::string& error) {
    // The usual answer in one pass; anything else (an error, no choice or message, not JSON) through the tree below,
    // which says what is wrong.
    Reading& r = reading();
    const bool chat = endpoint == Endpoint::chat;
    if (ChunkScanner(body, chat ? Shape::message : Shape::text, r).scan() == ChunkScanner::Result::ok && !r.has_error &&
        r.choice && (r.message || !chat)) {
        out.text += r.text;
        out.reasoning += r.reasoning;
        out.reasoning += r.reasoning2;
        if (!r.finish.empty()) out.finish_reason = r.finish;
        if (r.prompt_tokens != Reading::kUnset) out.prompt_tokens = r.prompt_tokens;
        if (r.completion_tokens != Reading::kUnset) out.completion_tokens = r.completion_tokens;
        return true;
    }
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
