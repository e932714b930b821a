// core::is_valid_utf8 and core::append_json_string against nlohmann::json, on strings made by rules and by a seeded
// random mix of ASCII, valid sequences and stray bytes at every alignment (is_valid_utf8 reads ASCII 8 bytes at a
// time; append_json_string must write exactly what nlohmann's dump() writes).
#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

#include "core/json_text.hpp"
#include "core/text.hpp"
#include "core/types.hpp"

namespace {

using qeval::core::Json;

// nlohmann's reader as the reference: a JSON string literal of these bytes parses iff they are valid UTF-8 (the
// mix has no quote, backslash or control byte).
bool nlohmann_accepts(const std::string& bytes) {
    return !Json::parse("\"" + bytes + "\"", nullptr, false).is_discarded();
}

std::vector<std::string> mixed_strings() {
    const std::vector<std::string> pieces = {"a",
                                             "Z",
                                             "0",
                                             " ",
                                             "$\\frac{1}{2}$" /* a backslash: only for the writer */,
                                             "é",
                                             "数",
                                             "😀",
                                             "\xC3",
                                             "\xA9",
                                             "\xE6\x95",
                                             "\xF0\x9F\x98",
                                             "\xED\xA0\x80" /* a surrogate */,
                                             "\xC0\xAF" /* overlong */,
                                             "\xF4\x90\x80\x80",
                                             "\xFF",
                                             "\x7F"};
    std::mt19937 rng(20261124);
    std::vector<std::string> out = {"", "plain ascii only, longer than eight bytes", "é", "ascii then é at the end"};
    for (int n = 0; n < 4000; ++n) {
        std::string s(static_cast<std::size_t>(rng() % 12), 'x'); // a run of ASCII first: varies the alignment
        const int parts = static_cast<int>(rng() % 6);
        for (int k = 0; k < parts; ++k)
            s += pieces[rng() % pieces.size()];
        s += std::string(static_cast<std::size_t>(rng() % 10), 'y');
        out.push_back(s);
    }
    return out;
}

} // namespace

TEST_CASE("is_valid_utf8 agrees with nlohmann's reader at every alignment", "[text]") {
    int valid = 0, invalid = 0;
    for (const auto& s : mixed_strings()) {
        if (s.find('\\') != std::string::npos) continue;
        INFO(Json(s).dump(-1, ' ', true, Json::error_handler_t::replace));
        const bool ok = qeval::core::is_valid_utf8(s);
        CHECK(ok == nlohmann_accepts(s));
        (ok ? valid : invalid) += 1;
    }
    CHECK(valid > 500); // the mix has both kinds, many of each
    CHECK(invalid > 500);
}

TEST_CASE("append_json_string writes what nlohmann's dump writes", "[text]") {
    std::vector<std::string> strings = mixed_strings();
    for (int c = 0; c < 0x80; ++c) // every ASCII byte, controls, quote and backslash included
        strings.push_back(std::string("a") + static_cast<char>(c) + "b");
    for (const auto& s : strings) {
        const std::string expected = Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
        std::string out = "prefix:";
        qeval::core::append_json_string(out, s);
        CHECK(out == "prefix:" + expected);
        CHECK(qeval::core::json_string(s) == expected);
    }
}
