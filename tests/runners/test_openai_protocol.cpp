// The SSE reader and the OpenAI wire format, without a network: every chunking of a stream gives the same events,
// request bodies carry exactly the settings that were set, and responses / chunks / errors parse as vLLM, SGLang and
// the OpenAI API send them.
#include <catch2/catch.hpp>

#include <random>

#include "runners/openai/protocol.hpp"
#include "runners/openai/sse.hpp"

using namespace qeval;
using namespace qeval::runners;
using openai::Endpoint;

namespace {

std::vector<std::string> events_of(const std::vector<std::string>& pieces, std::size_t cap = 1 << 20) {
    SseReader r(cap);
    std::vector<std::string> out;
    for (const auto& p : pieces)
        if (!r.feed(p, [&](std::string_view e) {
                out.emplace_back(e);
                return true;
            }))
            out.push_back("<stopped>");
    return out;
}

// Every split of `text` into two pieces, and byte by byte.
std::vector<std::vector<std::string>> chunkings(const std::string& text) {
    std::vector<std::vector<std::string>> all;
    for (std::size_t i = 0; i <= text.size(); ++i)
        all.push_back({text.substr(0, i), text.substr(i)});
    std::vector<std::string> bytes;
    for (char c : text)
        bytes.emplace_back(1, c);
    all.push_back(bytes);
    return all;
}

} // namespace

TEST_CASE("sse events are the same under every chunking and line ending", "[runners][sse]") {
    const std::vector<std::string> expected = {"{\"a\":1}", "two\nlines", "[DONE]"};
    for (std::string eol : {"\n", "\r\n", "\r"}) {
        std::string text = ": keep-alive comment" + eol + "data: {\"a\":1}" + eol + eol + "event: message" + eol +
                           "data: two" + eol + "data:lines" + eol + "id: 7" + eol + eol + "retry: 10" + eol + eol +
                           "data: [DONE]" + eol + eol;
        for (const auto& pieces : chunkings(text)) {
            INFO("eol " << (eol == "\n" ? "LF" : eol == "\r\n" ? "CRLF" : "CR") << ", " << pieces.size() << " pieces");
            REQUIRE(events_of(pieces) == expected);
        }
    }
}

TEST_CASE("sse an event without its blank line is not dispatched and is seen as cut", "[runners][sse]") {
    SseReader r;
    int n = 0;
    r.feed("data: {\"a\":1}\n\ndata: {\"b\"", [&](std::string_view) { return ++n, true; });
    CHECK(n == 1);
    CHECK(r.mid_event());
    SseReader whole;
    whole.feed("data: x\n\n", [&](std::string_view) { return true; });
    CHECK_FALSE(whole.mid_event());
}

TEST_CASE("sse a line or event over the cap stops the reader", "[runners][sse]") {
    CHECK(events_of({"data: " + std::string(100, 'x')}, 50) == std::vector<std::string>{"<stopped>"});
    CHECK(events_of({"data: " + std::string(40, 'x') + "\ndata: " + std::string(40, 'y') + "\n\n"}, 50) ==
          std::vector<std::string>{"<stopped>"});
    CHECK(events_of({"data: " + std::string(40, 'x') + "\n\n"}, 50).size() == 1);
}

TEST_CASE("sse on_event returning false stops reading", "[runners][sse]") {
    SseReader r;
    int n = 0;
    bool go_on = r.feed("data: 1\n\ndata: 2\n\n", [&](std::string_view) { return ++n, false; });
    CHECK_FALSE(go_on);
    CHECK(n == 1);
}

TEST_CASE("protocol request body carries only the settings that were set", "[runners][protocol]") {
    GenerateRequest req{"p1", 0, {{"system", "be brief"}, {"user", "What is 1+1?"}}, {}};
    req.config.seed = 0xFFFFFFFFFFFFFFFFULL;
    core::Json j = core::Json::parse(openai::request_body(req, {Endpoint::chat, "m", true, true, {}}));
    CHECK(j["model"] == "m");
    CHECK(j["messages"].size() == 2);
    CHECK(j["messages"][1]["content"] == "What is 1+1?");
    CHECK(j["stream"] == true);
    CHECK(j["stream_options"]["include_usage"] == true);
    CHECK(j["seed"] == 0x7fffffff); // 31 bits: servers with a 32-bit seed accept it
    for (const char* absent : {"temperature", "top_p", "top_k", "min_p", "max_tokens", "stop"})
        CHECK_FALSE(j.contains(absent));

    req.config.temperature = 0.6;
    req.config.top_p = 0.95;
    req.config.top_k = 20;
    req.config.min_p = 0.05;
    req.config.max_tokens = 32768;
    req.config.stop = {"</answer>"};
    core::Json extra = {{"chat_template_kwargs", {{"enable_thinking", true}}}, {"temperature", 1.0}};
    j = core::Json::parse(openai::request_body(req, {Endpoint::chat, "m", false, true, extra}));
    CHECK(j["temperature"] == 1.0); // extra_body is applied last
    CHECK(j["top_p"] == 0.95);
    CHECK(j["top_k"] == 20);
    CHECK(j["min_p"] == 0.05);
    CHECK(j["max_tokens"] == 32768);
    CHECK(j["stop"] == core::Json::array({"</answer>"}));
    CHECK(j["stream"] == false);
    CHECK_FALSE(j.contains("stream_options"));
    CHECK(j["chat_template_kwargs"]["enable_thinking"] == true);

    j = core::Json::parse(openai::request_body(req, {Endpoint::completions, "m", true, false, {}}));
    CHECK_FALSE(j.contains("messages"));
    CHECK(j["prompt"] == "be brief\n\nWhat is 1+1?");
    CHECK_FALSE(j.contains("stream_options"));
}

TEST_CASE("protocol invalid UTF-8 in a prompt does not break the body", "[runners][protocol]") {
    GenerateRequest req{"p1", 0, {{"user", std::string("caf\xC3", 4)}}, {}};
    core::Json j = core::Json::parse(openai::request_body(req, {Endpoint::chat, "m", true, true, {}}));
    CHECK(j["messages"][0]["content"].get<std::string>().rfind("caf", 0) == 0);
}

TEST_CASE("protocol stream chunks accumulate content reasoning finish reason and usage", "[runners][protocol]") {
    core::ModelOutput out;
    std::string error;
    auto apply = [&](const std::string& data) { return openai::apply_stream_event(data, Endpoint::chat, out, error); };
    CHECK(
        apply(
            R"({"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""}}]})") ==
        openai::EventStatus::ok);
    CHECK(apply(R"({"choices":[{"index":0,"delta":{"reasoning_content":"Let me "}}]})") == openai::EventStatus::ok);
    CHECK(apply(R"({"choices":[{"index":0,"delta":{"reasoning":"think."}}]})") == openai::EventStatus::ok);
    CHECK(apply(R"({"choices":[{"index":0,"delta":{"content":"The answer ","reasoning_content":null}}]})") ==
          openai::EventStatus::ok);
    CHECK(apply(R"({"choices":[{"index":0,"delta":{"content":"is 4."},"finish_reason":null}]})") ==
          openai::EventStatus::ok);
    CHECK(out.finish_reason.empty());
    CHECK(apply(R"({"choices":[{"index":0,"delta":{},"finish_reason":"length"}]})") == openai::EventStatus::ok);
    CHECK(apply(R"({"choices":[],"usage":{"prompt_tokens":12,"completion_tokens":345,"total_tokens":357}})") ==
          openai::EventStatus::ok);
    CHECK(apply(" [DONE] ") == openai::EventStatus::done);
    CHECK(out.text == "The answer is 4.");
    CHECK(out.reasoning == "Let me think.");
    CHECK(out.finish_reason == "length");
    CHECK(out.prompt_tokens == 12);
    CHECK(out.completion_tokens == 345);
    CHECK(error.empty());
}

TEST_CASE("protocol an error object or a malformed chunk in a stream is an error", "[runners][protocol]") {
    core::ModelOutput out;
    std::string error;
    CHECK(openai::apply_stream_event(R"({"error":{"message":"CUDA out of memory","type":"internal_error","code":500}})",
                                     Endpoint::chat, out, error) == openai::EventStatus::error);
    CHECK_THAT(error, Catch::Contains("CUDA out of memory"));
    error.clear();
    CHECK(openai::apply_stream_event("{garbage", Endpoint::chat, out, error) == openai::EventStatus::error);
    CHECK_THAT(error, Catch::Contains("malformed"));
    error.clear();
    CHECK(openai::apply_stream_event("[1,2]", Endpoint::chat, out, error) == openai::EventStatus::error);
}

TEST_CASE("protocol completions chunks and responses use text", "[runners][protocol]") {
    core::ModelOutput out;
    std::string error;
    CHECK(openai::apply_stream_event(R"({"choices":[{"index":0,"text":"4","finish_reason":"stop"}]})",
                                     Endpoint::completions, out, error) == openai::EventStatus::ok);
    CHECK(out.text == "4");
    core::ModelOutput whole;
    REQUIRE(openai::parse_response(R"({"choices":[{"index":0,"text":" 5","finish_reason":"length"}]})",
                                   Endpoint::completions, whole, error));
    CHECK(whole.text == " 5");
    CHECK(whole.finish_reason == "length");
}

TEST_CASE("protocol whole chat responses parse and malformed ones are reported", "[runners][protocol]") {
    core::ModelOutput out;
    std::string error;
    REQUIRE(openai::parse_response(
        R"({"id":"c","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\\boxed{2}","reasoning_content":"1+1"},"finish_reason":"stop"}],"usage":{"prompt_tokens":7,"completion_tokens":9}})",
        Endpoint::chat, out, error));
    CHECK(out.text == "\\boxed{2}");
    CHECK(out.reasoning == "1+1");
    CHECK(out.finish_reason == "stop");
    CHECK(out.completion_tokens == 9);

    core::ModelOutput null_content;
    REQUIRE(openai::parse_response(
        R"({"choices":[{"index":0,"message":{"role":"assistant","content":null},"finish_reason":"stop"}]})",
        Endpoint::chat, null_content, error));
    CHECK(null_content.text.empty());

    for (std::string bad : {"", "not json", "[]", R"({"choices":[]})", R"({"choices":[{"index":0}]})",
                            R"({"error":{"message":"boom"}})"}) {
        core::ModelOutput o;
        error.clear();
        INFO(bad);
        CHECK_FALSE(openai::parse_response(bad, Endpoint::chat, o, error));
        CHECK_FALSE(error.empty());
    }
}

TEST_CASE("protocol server messages come from error message detail or the body", "[runners][protocol]") {
    CHECK(openai::server_message(R"({"error":{"message":"The model `x` does not exist.","code":404}})") ==
          "The model `x` does not exist.");
    CHECK(openai::server_message(R"({"object":"error","message":"bad","code":400})") == "bad");
    CHECK(openai::server_message(R"({"detail":"Not Found"})") == "Not Found");
    CHECK(openai::server_message(R"({"error":"quota"})") == "quota");
    CHECK(openai::server_message("<html>\n502 Bad Gateway</html>") == "<html> 502 Bad Gateway</html>");
    CHECK(openai::server_message("") == "(empty body)");
    CHECK(openai::server_message(std::string(1000, 'x')).size() == 303);
}

TEST_CASE("protocol stream chunks read without a tree agree on the odd shapes", "[runners][protocol]") {
    auto apply = [](const std::string& data, core::ModelOutput& out, std::string& error) {
        return openai::apply_stream_event(data, Endpoint::chat, out, error);
    };
    core::ModelOutput out;
    std::string error;
    // Escapes are decoded; the choice with index 0 counts even when another comes first; a nested array or object
    // where a string was expected is skipped; null usage and a null error are nothing.
    CHECK(
        apply(
            R"({"choices":[{"index":1,"delta":{"content":"NO"}},{"delta":{"content":"\\boxed{\u00e9}\n","x":[{"content":"NO"}]},"index":0}],"usage":null,"error":null})",
            out, error) == openai::EventStatus::ok);
    CHECK(out.text == "\\boxed{\xC3\xA9}\n");
    CHECK(apply(R"({"choices":[{"delta":{"content":["NO"],"reasoning_content":{"content":"NO"}}}]})", out, error) ==
          openai::EventStatus::ok);
    CHECK(out.text == "\\boxed{\xC3\xA9}\n");
    CHECK(out.reasoning.empty());
    CHECK(apply(R"({"usage":{"prompt_tokens":18446744073709551615,"completion_tokens":3.5}})", out, error) ==
          openai::EventStatus::ok);
    CHECK(out.prompt_tokens == INT64_MAX);
    CHECK(out.completion_tokens == 0);
    for (std::string bad :
         {R"({"error":false})", R"({"error":{"code":500}})", R"({"error":[1]})", R"({"error":2.5})"}) {
        core::ModelOutput o;
        error.clear();
        INFO(bad);
        CHECK(apply(bad, o, error) == openai::EventStatus::error);
        CHECK_THAT(error, Catch::Contains("error in the stream"));
    }
    for (std::string bad : {"{} {}", "\"text\"", "{\"choices\":[", "", "null"}) {
        core::ModelOutput o;
        error.clear();
        INFO(bad);
        CHECK(apply(bad, o, error) == openai::EventStatus::error);
        CHECK_THAT(error, Catch::Contains("malformed"));
    }
}

namespace {

// An independent reading of a chunk through nlohmann's tree, to check the one-pass scanner against.
struct TreeReading {
    bool malformed = false, error = false;
    core::ModelOutput out;
};

// Up to 3 random edits (a byte replaced by a JSON-ish or non-ASCII one, bytes erased, one inserted, a cut) of a
// valid chunk or body: the differential tests' mutations.
void mutate(std::string& text, std::mt19937& rng) {
    int edits = static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
        std::size_t at = rng() % text.size();
        switch (rng() % 4) {
        case 0:
            text[at] = "{}[]\":,\\0123456789-.eEtrufalsn \x80\xC3"[rng() % 33];
            break;
        case 1:
            text.erase(at, 1 + rng() % 3);
            break;
        case 2:
            text.insert(at, 1, "{}[]\":,\\0-e "[rng() % 12]);
            break;
        default:
            text.resize(at);
            break;
        }
    }
}

TreeReading read_with_tree(const std::string& text) {
    TreeReading r;
    core::Json j = core::Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) {
        r.malformed = true;
        return r;
    }
    if (j.contains("error") && !j["error"].is_null()) {
        r.error = true;
        return r;
    }
    if (j.contains("choices") && j["choices"].is_array())
        for (const auto& c : j["choices"]) {
            if (!c.is_object()) continue;
            std::int64_t index =
                c.contains("index") && c["index"].is_number_integer() ? c["index"].get<std::int64_t>() : 0;
            if (index != 0) continue;
            if (c.contains("delta") && c["delta"].is_object()) {
                const auto& d = c["delta"];
                if (d.contains("content") && d["content"].is_string()) r.out.text += d["content"].get<std::string>();
                for (const char* k : {"reasoning_content", "reasoning"})
                    if (d.contains(k) && d[k].is_string()) r.out.reasoning += d[k].get<std::string>();
            }
            if (c.contains("finish_reason") && c["finish_reason"].is_string())
                r.out.finish_reason = c["finish_reason"].get<std::string>();
            break;
        }
    if (j.contains("usage") && j["usage"].is_object())
        for (auto [key, field] : {std::pair{"prompt_tokens", &r.out.prompt_tokens},
                                  std::pair{"completion_tokens", &r.out.completion_tokens}})
            if (j["usage"].contains(key) && j["usage"][key].is_number_integer()) {
                const auto& v = j["usage"][key];
                *field =
                    v.is_number_unsigned() && v.get<std::uint64_t>() > INT64_MAX ? INT64_MAX : v.get<std::int64_t>();
            }
    return r;
}

} // namespace

TEST_CASE("protocol the chunk scanner agrees with a tree reading on 20000 mutated chunks", "[runners][protocol]") {
    const std::vector<std::string> seeds = {
        R"({"id":"c","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"The \"answer\" is \\boxed{\u03c0/2} \ud83d\ude00\n"},"logprobs":null,"finish_reason":null}]})",
        R"({"choices":[{"index":0,"delta":{"reasoning_content":"Let x = -1.5e3"},"finish_reason":null}],"usage":null})",
        R"({"choices":[{"index":1,"delta":{"content":"b"}},{"index":0,"delta":{"content":"a"},"finish_reason":"length"}]})",
        R"({"choices":[],"usage":{"prompt_tokens":123,"completion_tokens":4567,"total_tokens":4690}})",
        R"({"error":{"message":"boom","type":"internal_error","code":500}})",
        R"({"choices":[{"delta":{"reasoning":"r","tool_calls":[{"id":"t","function":{"arguments":"{}"}}]},"finish_reason":"stop"}]})",
    };
    std::mt19937 rng(7);
    int compared = 0, malformed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::string text = seeds[static_cast<std::size_t>(i) % seeds.size()];
        mutate(text, rng);
        TreeReading want = read_with_tree(text);
        core::ModelOutput got;
        std::string error;
        auto status = openai::apply_stream_event(text, Endpoint::chat, got, error);
        INFO(text);
        if (want.malformed) {
            ++malformed;
            REQUIRE(status == openai::EventStatus::error);
            REQUIRE_THAT(error, Catch::Contains("malformed"));
            continue;
        }
        if (want.error) {
            REQUIRE(status == openai::EventStatus::error);
            REQUIRE_THAT(error, Catch::Contains("error in the stream"));
            continue;
        }
        REQUIRE(status == openai::EventStatus::ok);
        REQUIRE(got.text == want.out.text);
        REQUIRE(got.reasoning == want.out.reasoning);
        REQUIRE(got.finish_reason == want.out.finish_reason);
        REQUIRE(got.prompt_tokens == want.out.prompt_tokens);
        REQUIRE(got.completion_tokens == want.out.completion_tokens);
        ++compared;
    }
    CHECK(compared > 3000); // both kinds are well represented
    CHECK(malformed > 3000);
}

namespace {

// What parse_response made of a body before it read bodies in one pass: a JSON tree (kept as the reference).
struct WholeReading {
    bool ok = false;
    core::ModelOutput out;
};

WholeReading read_whole_with_tree(const std::string& text, bool chat) {
    WholeReading r;
    core::Json j = core::Json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return r;
    if (j.contains("error") && !j["error"].is_null()) return r;
    if (!j.contains("choices") || !j["choices"].is_array()) return r;
    const core::Json* choice = nullptr;
    for (const auto& c : j["choices"])
        if (c.is_object() && (!c.contains("index") || (c["index"].is_number() && c["index"].get<double>() == 0))) {
            choice = &c;
            break;
        }
    if (!choice) return r;
    auto take = [](const core::Json& o, const char* key, std::string& to) {
        if (o.contains(key) && o[key].is_string()) to += o[key].get<std::string>();
    };
    if (chat) {
        if (!choice->contains("message") || !(*choice)["message"].is_object()) return r;
        take((*choice)["message"], "content", r.out.text);
        take((*choice)["message"], "reasoning_content", r.out.reasoning);
        take((*choice)["message"], "reasoning", r.out.reasoning);
    } else {
        take(*choice, "text", r.out.text);
    }
    if (choice->contains("finish_reason") && (*choice)["finish_reason"].is_string())
        r.out.finish_reason = (*choice)["finish_reason"].get<std::string>();
    if (j.contains("usage") && j["usage"].is_object())
        for (auto [key, field] : {std::pair{"prompt_tokens", &r.out.prompt_tokens},
                                  std::pair{"completion_tokens", &r.out.completion_tokens}})
            if (j["usage"].contains(key) && j["usage"][key].is_number_integer() &&
                !(j["usage"][key].is_number_unsigned() && j["usage"][key].get<std::uint64_t>() > INT64_MAX))
                *field = j["usage"][key].get<std::int64_t>();
    r.ok = true;
    return r;
}

} // namespace

TEST_CASE("protocol whole responses read in one pass agree with a tree reading on 20000 mutated bodies",
          "[runners][protocol]") {
    const std::vector<std::pair<std::string, bool>> seeds = {
        {R"({"id":"c","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"The \"answer\" is \\boxed{\u03c0/2} \ud83d\ude00\n","reasoning_content":"Let x = -1.5e3"},"logprobs":null,"finish_reason":"stop","stop_reason":null}],"usage":{"prompt_tokens":12,"total_tokens":20,"completion_tokens":8}})",
         true},
        {R"({"choices":[{"index":1,"message":{"content":"b"}},{"message":{"content":null,"reasoning":"r"},"finish_reason":"length"}],"usage":null,"error":null})",
         true},
        {R"({"choices":[{"index":0,"message":{"content":"x","reasoning":"r2","reasoning_content":"r1"}}]})", true},
        {R"({"object":"text_completion","choices":[{"index":0,"text":"\\boxed{42}","logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4}})",
         false},
        {R"({"error":{"message":"boom","type":"internal_error","code":500}})", true},
    };
    std::mt19937 rng(11);
    int compared = 0, refused = 0;
    for (int i = 0; i < 20000; ++i) {
        auto [text, chat] = seeds[static_cast<std::size_t>(i) % seeds.size()];
        mutate(text, rng);
        INFO(text);
        WholeReading want = read_whole_with_tree(text, chat);
        core::ModelOutput got;
        std::string error;
        bool ok = false;
        try {
            ok = openai::parse_response(text, chat ? Endpoint::chat : Endpoint::completions, got, error);
        } catch (const core::Json::exception&) { // a tree reading of an odd `index` may throw; not compared
            continue;
        }
        REQUIRE(ok == want.ok);
        if (!ok) {
            REQUIRE_FALSE(error.empty());
            ++refused;
            continue;
        }
        REQUIRE(got.text == want.out.text);
        REQUIRE(got.reasoning == want.out.reasoning);
        REQUIRE(got.finish_reason == want.out.finish_reason);
        REQUIRE(got.prompt_tokens == want.out.prompt_tokens);
        REQUIRE(got.completion_tokens == want.out.completion_tokens);
        ++compared;
    }
    CHECK(compared > 3000);
    CHECK(refused > 3000);
}

TEST_CASE("protocol request bodies are the bytes a JSON tree of the same fields dumps", "[runners][protocol]") {
    const std::vector<std::string> texts = {"What is 1+1?",
                                            "quotes \" and \\ and / and \n\r\t\b\f and \x01\x1f\x7f",
                                            "caf\xC3\xA9 \xE2\x88\x9A \xF0\x9F\x98\x80",
                                            std::string("invalid \xC3 \xFF\xFE end", 17),
                                            "",
                                            "$\\boxed{x}$ <think>"};
    std::mt19937 rng(3);
    for (int i = 0; i < 500; ++i) {
        GenerateRequest req{"p", 0, {}, {}};
        for (std::size_t m = 0; m <= rng() % 3; ++m)
            req.messages.push_back({m == 0 ? "system" : "user", texts[rng() % texts.size()]});
        core::GenerateConfig& g = req.config;
        if (rng() % 2) g.temperature = std::vector<double>{0.0, 0.6, 1.0, 0.1 + 0.2, 1e-7}[rng() % 5];
        if (rng() % 2) g.top_p = 0.95;
        if (rng() % 2) g.top_k = static_cast<int>(rng() % 100) - 1;
        if (rng() % 2) g.min_p = 0.05;
        if (rng() % 2) g.max_tokens = static_cast<int>(rng() % 40000);
        if (rng() % 2) g.seed = (static_cast<std::uint64_t>(rng()) << 32) | rng();
        if (rng() % 2) g.stop = {texts[rng() % texts.size()], "</answer>"};
        openai::BodyOptions o{rng() % 2 ? Endpoint::chat : Endpoint::completions,
                              rng() % 2 ? "m" : "caf\xC3\xA9\"",
                              rng() % 2 == 1,
                              rng() % 2 == 1,
                              {}};
        REQUIRE(openai::request_body(req, o) == openai::request_body_tree(req, o));
    }
}
