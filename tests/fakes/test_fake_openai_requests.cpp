// How the fake OpenAI server reads a request body (tests/fakes/fake_openai_wire.hpp): its fast reader against
// nlohmann's tree reader, on bodies made by rules, odd and invalid ones, and the endpoint runner's own.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "runners/openai/protocol.hpp"
#include "tests/fakes/fake_openai.hpp"
#include "tests/fakes/fake_openai_wire.hpp"

namespace {

using qeval::testing::FakeOpenAI;
using Json = nlohmann::json;

} // namespace

// The fake reads the usual request body with its own scanner (parse_request_fast) and leaves every other to the tree
// (parse_request_tree). Both must give the same plan, key included, and the same error: bodies made by rules, written
// compactly, spaced and ASCII-escaped, plus the endpoint runner's own bodies.
TEST_CASE("fake_openai: the fast request reader agrees with the tree on every body", "[fake]") {
    using qeval::testing::Plan;
    const std::vector<std::string> contents = {"What is 6 times 7?",
                                               "Quotes \" and a backslash \\ and $\\frac{1}{2}$",
                                               "tab\tnewline\ncr\r and controls \x01\x1f",
                                               "unicode é 数学 😀",
                                               "",
                                               std::string(3000, 'x')};
    const std::vector<Json> seeds = {Json(), 7, -3, 18446744073709551615ULL, 1.5, "abc", nullptr, true};
    const std::vector<Json> messages_sets = {
        Json::array({{{"role", "user"}, {"content", "C"}}}),
        Json::array({{{"role", "system"}, {"content", "Be brief."}}, {{"role", "user"}, {"content", "C"}}}),
        Json::array({{{"role", "user"}, {"content", "first"}},
                     {{"role", "assistant"}, {"content", "ok"}},
                     {{"role", "user"}, {"content", "C"}}}),
        Json::array({{{"role", "system"}, {"content", "C"}}}), // no user message
        Json::array({{{"role", "user"}, {"content", "C"}, {"name", "alice"}}}),
        Json::array({{{"role", "user"}}}), // no content
    };
    // Bodies the fast reader must leave to the tree (the tree may accept them or say what is wrong).
    const std::vector<std::string> odd = {
        R"({"messages": [{"role": "user", "content": [{"type": "text", "text": "parts"}]}]})",
        R"({"messages": [{"role": "user", "content": null}]})",
        R"({"messages": [{"content": "no role"}]})",
        R"({"messages": []})",
        R"({"messages": "not an array"})",
        R"({"messages": [{"role": "user", "content": "a"}], "messages": [{"role": "user", "content": "b"}]})",
        R"({"messages": [{"role": "user", "content": "a", "content": "b"}]})",
        R"({"messages": [{"role": 5, "content": "a"}]})",
        R"({"messages": [{"role": "user", "content": "a"}], "model": 5})",
        R"({"messages": [{"role": "user", "content": "a"}], "stream": "yes"})",
        R"({"messages": [{"role": "user", "content": "a"}], "stream_options": {"include_usage": 1}})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": {"nested": 1}})",
        R"({"messages": [{"role": "user", "content": "a"}]} trailing)",
        R"({"messages": [{"role": "user", "content": "a"})",
        R"([{"role": "user", "content": "a"}])",
        R"("just a string")",
        R"({})",
        R"({"prompt": "a completion prompt", "seed": 3})",
        R"({"prompt": ["an array prompt"], "seed": 3})",
        R"({"prompt": 5})",
        // JSON that is not: each must be refused as the tree refuses it
        R"({"messages": [{"role": "user", "content": "a"},]})",
        R"({"messages": [{"role": "user", "content": "a"}],})",
        R"({'messages': []})",
        R"({"messages": [{"role": "user", "content": "a"}]} // comment)",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 012})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": -})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 1.})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": .5})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 1e})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": NaN})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": tru})",
        R"({"messages": [{"role": "user", "content": "\x"}]})",
        R"({"messages": [{"role": "user", "content": "\u12"}]})",
        R"({"messages": [{"role": "user", "content": "\udc00 a lone low surrogate"}]})",
        R"({"messages": [{"role": "user", "content": "\ud800 a lone high surrogate"}]})",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"raw control \x01\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"bad utf-8 \xC3\x28\"}]}",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"surrogate in utf-8 \xED\xA0\x80\"}]}",
        R"({"messages": [{"role": "user", "content": "unterminated)",
        "",
        "   ",
        // JSON that is, in forms the fast reader declines or must read exactly as nlohmann does
        R"({"messages": [{"role": "user", "content": "a"}], "seed": -0})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 99999999999999999999999})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": -9223372036854775809})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 1e400})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 2.5E-3})",
        R"({"messages": [{"role": "user", "content": "a"}], "seed": 0.1})",
        R"({"messages": [{"role": "user", "content": "escapes \/ \b \f \u00e9 \ud83d\ude00 \u0000"}]})",
        R"({"messages": [{"role": "user", "content": "a"}], "deep": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]})",
        "{\"messages\": [{\"role\": \"user\", \"content\": \"a\"}], \"deep\": " + std::string(100, '[') +
            std::string(100, ']') + "}",
        " \t\r\n{ \"messages\" : [ { \"role\" : \"user\" , \"content\" : \"spaced\" } ] } \n",
    };

    std::vector<std::string> usual;
    for (const auto& set : messages_sets)
        for (const auto& content : contents)
            for (std::size_t k = 0; k < seeds.size(); ++k) {
                Json messages = set;
                for (auto& m : messages)
                    if (m.contains("content") && m["content"].get<std::string>() == "C") m["content"] = content;
                Json body = {{"model", "fake-model"}, {"messages", messages}};
                if (!seeds[k].is_null() || k == 6) body["seed"] = seeds[k];
                if (k % 3 == 1) body["stream"] = true;
                if (k % 3 == 2) body["stream"] = false;
                if (k % 4 == 1) body["stream_options"] = {{"include_usage", true}};
                if (k % 4 == 2) body["stream_options"] = {{"include_usage", false}, {"other", "x"}};
                if (k % 2 == 1) {
                    body["temperature"] = 0.7;
                    body["stop"] = {"</s>", "\n\n"};
                    body["max_tokens"] = 32;
                    body["logit_bias"] = {{"50256", -100}};
                }
                usual.push_back(body.dump());
                usual.push_back(body.dump(2));
                usual.push_back(body.dump(-1, ' ', true));
            }
    // Members in another order than nlohmann writes them, as other clients send them.
    usual.push_back(R"({"stream": false, "seed": 9, "messages": [{"role": "user", "name": "b", "content": "x"}]})");
    usual.push_back(
        R"({"messages": [{"role": "system", "content": "s"}, {"content": "x", "role": "user"}], "seed": 9})");
    // The endpoint runner's own bodies.
    for (bool stream : {false, true}) {
        qeval::runners::GenerateRequest req{"p/1", 0, {{"system", "Think."}, {"user", contents[1]}}, {}};
        req.config.seed = 12345;
        req.config.temperature = 0.6;
        req.config.stop = {"###"};
        usual.push_back(qeval::runners::openai::request_body(
            req, {qeval::runners::openai::Endpoint::chat, "fake-model", stream, true, Json::object()}));
    }

    auto same = [](const Plan& a, const Plan& b) {
        return a.chat == b.chat && a.stream == b.stream && a.include_usage == b.include_usage && a.model == b.model &&
               a.prompt == b.prompt && a.prompt_tokens == b.prompt_tokens && a.key == b.key;
    };
    for (const auto& body : usual) {
        INFO(body);
        Plan fast, tree;
        REQUIRE(qeval::testing::parse_request_fast(body, true, fast)); // the usual body takes the fast way
        REQUIRE(qeval::testing::parse_request_tree(body, true, tree).empty());
        CHECK(same(fast, tree));
        CHECK(fast.key == FakeOpenAI::request_key(Json::parse(body)));
    }
    for (const auto& body : odd)
        for (bool chat : {true, false}) {
            INFO(body << (chat ? " (chat)" : " (completions)"));
            Plan via, tree;
            CHECK(qeval::testing::parse_request(body, chat, via) ==
                  qeval::testing::parse_request_tree(body, chat, tree));
            CHECK(same(via, tree));
        }
    // Completions: the string prompt takes the fast way too.
    Plan fast, tree;
    const std::string completion = R"({"model": "fake-model", "prompt": "Say \"hi\"\n", "seed": 4, "stream": true})";
    REQUIRE(qeval::testing::parse_request_fast(completion, false, fast));
    REQUIRE(qeval::testing::parse_request_tree(completion, false, tree).empty());
    CHECK(same(fast, tree));
}
