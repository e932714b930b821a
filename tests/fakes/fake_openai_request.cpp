// How the fake OpenAI server reads a completion request (fake_openai_wire.hpp: parse_request): the usual body in one
// pass of a strict scanner of its own, anything else through nlohmann's tree with every check and error message.
#include "tests/fakes/fake_openai_wire.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "core/hash.hpp"
#include "core/json_text.hpp"
#include "core/text.hpp"

namespace qeval::testing {
namespace {

using Json = nlohmann::json;

} // namespace

std::string message_text(const nlohmann::json& content) {
    if (content.is_string()) return content.get<std::string>();
    std::string out;
    if (!content.is_array()) return out;
    for (const auto& part : content)
        if (part.is_object() && part.contains("text") && part["text"].is_string())
            out += part["text"].get<std::string>();
    return out;
}

std::string parse_request_tree(std::string_view text, bool chat, Plan& p) {
    Json body = Json::parse(text.begin(), text.end(), nullptr, false);
    if (body.is_discarded()) return "the request body is not valid JSON";
    if (!body.is_object()) return "the request body must be a JSON object";
    p.chat = chat;
    try {
        if (chat) {
            auto it = body.find("messages");
            if (it == body.end() || !it->is_array() || it->empty())
                return "'messages' is required: a non-empty array of {\"role\", \"content\"}";
            std::size_t bytes = 0;
            for (const Json& m : *it) {
                if (!m.is_object() || !m.contains("role")) return "each message must be an object with a role";
                std::string content = message_text(m.value("content", Json()));
                bytes += content.size();
                if (m["role"] == "user") p.prompt = std::move(content);
            }
            p.prompt_tokens = static_cast<std::int64_t>(bytes / 4 + 1);
        } else {
            auto it = body.find("prompt");
            if (it == body.end() || !(it->is_string() || it->is_array()))
                return "'prompt' is required: a string (or an array of strings)";
            p.prompt = it->is_string() ? it->get<std::string>() : message_text((*it).empty() ? Json() : (*it)[0]);
            p.prompt_tokens = static_cast<std::int64_t>(p.prompt.size() / 4 + 1);
        }
        if (auto m = body.find("model"); m != body.end()) p.model = m->get<std::string>();
        p.stream = body.value("stream", false);
        if (auto so = body.find("stream_options"); so != body.end() && so->is_object())
            p.include_usage = so->value("include_usage", false);
    } catch (const Json::exception& e) {
        return std::string("a request field has the wrong type: ") + e.what();
    }
    p.key = FakeOpenAI::request_key(body);
    return {};
}

namespace {

// The usual request in one pass, as SAX events from JsonScanner (below), without a tree (fake_openai_wire.hpp:
// parse_request). It takes a body whose
// messages are objects of string values with a string role (or, for completions, a string prompt), a string model,
// a boolean stream and stream_options.include_usage, and a scalar seed; anything else (including every invalid
// request) makes it give up, and parse_request_tree reads the body instead, with its exact checks and messages. The
// request key is built from the same canonical text that FakeOpenAI::request_key dumps: each message's members
// sorted by name, strings escaped as nlohmann::json escapes them.
class FastRequest {
public:
    FastRequest(bool chat, Plan& p) : chat_(chat), p_(p) {}

    // Depths: 1 inside the body object (its members' values), 2 inside messages or stream_options, 3 inside a
    // message.
    bool null() { return scalar("null"); }
    bool boolean(bool v) {
        if (depth_ == 1 && field_ == Field::stream) return p_.stream = v, true;
        if (depth_ == 2 && field_ == Field::stream_options && inner_ == "include_usage")
            return p_.include_usage = v, true;
        return scalar(v ? "true" : "false");
    }
    bool number_integer(std::int64_t v) { return scalar(std::to_string(v)); }
    bool number_unsigned(std::uint64_t v) { return scalar(std::to_string(v)); }
    bool number_float(double v, const std::string&) { return scalar(Json(v).dump()); }
    bool string(std::string& v) {
        if (depth_ == 1) {
            if (field_ == Field::model) return p_.model = std::move(v), true;
            if (field_ == Field::prompt) return prompt_ = std::move(v), has_prompt_ = true, true;
            if (field_ == Field::seed) return seed_.clear(), core::append_json_string(seed_, v), true;
        }
        if (depth_ == 3 && field_ == Field::messages) return add_member(std::move(v));
        if (depth_ == 2 && field_ == Field::stream_options) return inner_ != "include_usage";
        return field_ == Field::other;
    }
    bool binary(Json::binary_t&) { return false; }
    bool start_object(std::size_t) {
        ++depth_;
        if (depth_ == 3 && field_ == Field::messages) return members_.clear(), true;
        return depth_ == 1 || (depth_ == 2 && field_ == Field::stream_options) || field_ == Field::other;
    }
    bool key(std::string& k) {
        if (depth_ == 1) {
            field_ = k == "messages" && chat_  ? Field::messages
                     : k == "prompt" && !chat_ ? Field::prompt
                     : k == "model"            ? Field::model
                     : k == "stream"           ? Field::stream
                     : k == "stream_options"   ? Field::stream_options
                     : k == "seed"             ? Field::seed
                                               : Field::other;
            const unsigned bit = 1U << static_cast<unsigned>(field_);
            if (field_ != Field::other && (seen_ & bit) != 0) return false; // repeated: the tree's rules
            seen_ |= bit;
        } else if (depth_ == 2 && field_ == Field::stream_options) {
            inner_ = std::move(k);
        } else if (depth_ == 3 && field_ == Field::messages) {
            key_ = std::move(k);
        }
        return true;
    }
    bool end_object() {
        --depth_;
        return depth_ == 2 && field_ == Field::messages ? end_message() : true;
    }
    bool start_array(std::size_t) {
        ++depth_;
        if (depth_ == 2 && field_ == Field::messages) return messages_ = "[", true;
        return field_ == Field::other;
    }
    bool end_array() {
        --depth_;
        if (depth_ == 1 && field_ == Field::messages) {
            messages_ += ']';
            done_messages_ = true;
        }
        return true;
    }
    bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) { return false; }

    // After a whole pass: fills the plan's key and prompt; false when the request is not one this pass takes.
    bool finish() {
        if (chat_ ? !done_messages_ || messages_ == "[]" : !has_prompt_) return false;
        std::string text = chat_ ? std::move(messages_) : core::json_string(prompt_);
        text += '#';
        text += seed_;
        p_.chat = chat_;
        p_.prompt = chat_ ? std::move(user_) : std::move(prompt_);
        p_.prompt_tokens = static_cast<std::int64_t>((chat_ ? bytes_ : p_.prompt.size()) / 4 + 1);
        p_.key = core::sha256_hex(text);
        return true;
    }

private:
    enum class Field : unsigned { messages, prompt, model, stream, stream_options, seed, other };

    // A value that is not a string or a container: a seed, or a value nobody reads.
    bool scalar(std::string_view text) {
        if (depth_ == 1 && field_ == Field::seed) return seed_ = text == "null" ? "" : text, true;
        return field_ == Field::other;
    }
    bool add_member(std::string value) {
        for (const auto& m : members_)
            if (m.first == key_) return false; // a repeated member
        members_.emplace_back(std::move(key_), std::move(value));
        return true;
    }
    // One message, written as nlohmann::json dumps it (members sorted by name).
    bool end_message() {
        std::sort(members_.begin(), members_.end());
        const std::string* role = nullptr;
        const std::string* content = nullptr;
        messages_ += messages_.size() == 1 ? "{" : ",{";
        for (std::size_t i = 0; i < members_.size(); ++i) {
            if (i) messages_ += ',';
            core::append_json_string(messages_, members_[i].first);
            messages_ += ':';
            core::append_json_string(messages_, members_[i].second);
            if (members_[i].first == "role") role = &members_[i].second;
            if (members_[i].first == "content") content = &members_[i].second;
        }
        messages_ += '}';
        if (!role) return false;
        bytes_ += content ? content->size() : 0;
        if (*role == "user") user_ = content ? *content : std::string();
        return true;
    }

    bool chat_;
    Plan& p_;
    int depth_ = 0;
    Field field_ = Field::other;
    unsigned seen_ = 0;
    bool done_messages_ = false, has_prompt_ = false;
    std::string inner_, key_, messages_, prompt_, seed_, user_;
    std::vector<std::pair<std::string, std::string>> members_;
    std::size_t bytes_ = 0;
};

} // namespace

namespace {

// A strict JSON reader that feeds a SAX handler (the nlohmann::json SAX interface) without nlohmann's lexer, which
// copies a body byte by byte and was most of the fake's parsing time. It says false, and stops, on anything it is
// not sure nlohmann reads the same way (over-deep nesting, an integer beyond 64 bits, a float that is not finite)
// as on invalid JSON; the caller then asks nlohmann's own reader.
template <typename Handler> class JsonScanner {
public:
    JsonScanner(std::string_view text, Handler& h) : s_(text), h_(h) {}

    bool run() {
        if (!value(0)) return false;
        space();
        return at_ == s_.size();
    }

private:
    static constexpr int kMaxDepth = 64;

    void space() {
        while (at_ < s_.size() && (s_[at_] == ' ' || s_[at_] == '\n' || s_[at_] == '\r' || s_[at_] == '\t'))
            ++at_;
    }
    bool eat(char c) {
        space();
        if (at_ >= s_.size() || s_[at_] != c) return false;
        ++at_;
        return true;
    }
    bool literal(std::string_view word) {
        if (s_.substr(at_, word.size()) != word) return false;
        at_ += word.size();
        return true;
    }

    bool value(int depth) {
        space();
        if (at_ >= s_.size() || depth > kMaxDepth) return false;
        switch (s_[at_]) {
        case '{':
            return object(depth + 1);
        case '[':
            return array(depth + 1);
        case '"':
            return string(text_) && h_.string(text_);
        case 't':
            return literal("true") && h_.boolean(true);
        case 'f':
            return literal("false") && h_.boolean(false);
        case 'n':
            return literal("null") && h_.null();
        default:
            return number();
        }
    }

    bool object(int depth) {
        ++at_;
        if (!h_.start_object(std::size_t(-1))) return false;
        if (eat('}')) return h_.end_object();
        do {
            space();
            if (at_ >= s_.size() || s_[at_] != '"' || !string(text_) || !h_.key(text_) || !eat(':') || !value(depth))
                return false;
        } while (eat(','));
        return eat('}') && h_.end_object();
    }

    bool array(int depth) {
        ++at_;
        if (!h_.start_array(std::size_t(-1))) return false;
        if (eat(']')) return h_.end_array();
        do {
            if (!value(depth)) return false;
        } while (eat(','));
        return eat(']') && h_.end_array();
    }

    bool code_unit(unsigned& u) { // the four hex digits after "\u"
        if (at_ + 4 > s_.size()) return false;
        u = 0;
        for (int i = 0; i < 4; ++i) {
            const int d = core::hex_digit(s_[at_++]);
            if (d < 0) return false;
            u = u * 16 + static_cast<unsigned>(d);
        }
        return true;
    }
    // A string at s_[at_] == '"', unescaped into `out`; raw bytes must be valid UTF-8 and no control character.
    bool string(std::string& out) {
        out.clear();
        ++at_;
        std::size_t plain = at_;
        bool high = false; // bytes >= 0x80 seen: checked as UTF-8 when the string ends
        for (;;) {
            if (at_ >= s_.size()) return false;
            const auto c = static_cast<unsigned char>(s_[at_]);
            if (c == '"' || c == '\\') {
                out.append(s_.data() + plain, at_ - plain);
                ++at_;
                if (c == '"') break;
                if (at_ >= s_.size()) return false;
                const char e = s_[at_++];
                switch (e) {
                case '"':
                case '\\':
                case '/':
                    out += e;
                    break;
                case 'b':
                    out += '\b';
                    break;
                case 'f':
                    out += '\f';
                    break;
                case 'n':
                    out += '\n';
                    break;
                case 'r':
                    out += '\r';
                    break;
                case 't':
                    out += '\t';
                    break;
                case 'u': {
                    unsigned u = 0;
                    if (!code_unit(u)) return false;
                    if (u >= 0xDC00 && u <= 0xDFFF) return false; // a low surrogate first
                    if (u >= 0xD800 && u <= 0xDBFF) {             // a high one: its low one must follow
                        unsigned low = 0;
                        if (!literal("\\u") || !code_unit(low) || low < 0xDC00 || low > 0xDFFF) return false;
                        u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
                    }
                    core::append_utf8(out, u);
                    break;
                }
                default:
                    return false;
                }
                plain = at_;
                continue;
            }
            if (c < 0x20) return false;
            high |= c >= 0x80;
            ++at_;
        }
        return !high || core::is_valid_utf8(out);
    }

    bool number() {
        const std::size_t start = at_;
        auto digits = [&] {
            const std::size_t from = at_;
            while (at_ < s_.size() && s_[at_] >= '0' && s_[at_] <= '9')
                ++at_;
            return at_ > from;
        };
        const bool negative = literal("-");
        const std::size_t int_start = at_;
        if (!digits()) return false;
        if (s_[int_start] == '0' && at_ - int_start > 1) return false; // a leading zero
        bool integer = true;
        if (at_ < s_.size() && s_[at_] == '.') {
            ++at_;
            if (!digits()) return false;
            integer = false;
        }
        if (at_ < s_.size() && (s_[at_] == 'e' || s_[at_] == 'E')) {
            ++at_;
            if (at_ < s_.size() && (s_[at_] == '+' || s_[at_] == '-')) ++at_;
            if (!digits()) return false;
            integer = false;
        }
        const char* first = s_.data() + start;
        const char* last = s_.data() + at_;
        if (integer && negative) {
            std::int64_t v = 0;
            auto [end, ec] = std::from_chars(first, last, v);
            return ec == std::errc() && end == last && h_.number_integer(v);
        }
        if (integer) {
            std::uint64_t v = 0;
            auto [end, ec] = std::from_chars(first, last, v);
            return ec == std::errc() && end == last && h_.number_unsigned(v);
        }
        double v = 0;
        auto [end, ec] = std::from_chars(first, last, v);
        if (ec != std::errc() || end != last || !std::isfinite(v)) return false;
        std::string raw(first, last);
        return h_.number_float(v, raw);
    }

    std::string_view s_;
    Handler& h_;
    std::size_t at_ = 0;
    std::string text_;
};

} // namespace

bool parse_request_fast(std::string_view text, bool chat, Plan& p) {
    Plan fast;
    FastRequest reader(chat, fast);
    if (!JsonScanner<FastRequest>(text, reader).run() || !reader.finish()) return false;
    fast.attempt = p.attempt;
    fast.fault = p.fault;
    p = std::move(fast);
    return true;
}

std::string parse_request(std::string_view text, bool chat, Plan& p) {
    return parse_request_fast(text, chat, p) ? std::string() : parse_request_tree(text, chat, p);
}

} // namespace qeval::testing
