// Task adapters on a small data dir written by the test itself (made-up problems, never benchmark text): registry
// and aliases, loading with skipped rows reported, exact prompts, GPQA's seeded permutation, MMLU-Pro's 5-shot
// prompt, LiveCodeBench's filters and test decoding, and errors for missing files and unknown names.
#include <catch2/catch.hpp>

#include <fstream>

#include "core/error.hpp"
#include "core/sandbox/sandbox.hpp"
#include "tasks/livecodebench.hpp"
#include "tasks/task_list.hpp"
#include "test_util.hpp"

using namespace qeval;
using namespace qeval::tasks;
using core::Json;

namespace {

std::string jsonl(const std::vector<Json>& rows) {
    std::string out;
    for (const auto& r : rows)
        out += r.dump() + "\n";
    return out;
}

// A base64/zlib/pickle private-test field from the decoder's fixtures (built by tools/make_lcb_private_fixtures.py).
std::pair<std::string, Json> encoded_private_tests() {
    std::ifstream in(QEVAL_TEST_DATA "/lcb_private/cases.jsonl");
    std::string line;
    while (std::getline(in, line)) {
        Json row = Json::parse(line);
        std::string field = row["field"];
        if (row["expect"] == "ok" && !field.empty() && field[0] != '[' && field[0] != ' ' && row["json"].is_array() &&
            !row["json"].empty() && row["json"][0].is_object())
            return {field, row["json"]};
    }
    FAIL("no encoded ok case in lcb_private/cases.jsonl");
    return {};
}

struct FakeData {
    test::TempDir dir;
    FakeData() {
        test::write_text(dir / "math500/test.jsonl", jsonl({{{"problem", "What is 1+1?"},
                                                             {"solution", "Add. $\\boxed{2}$"},
                                                             {"answer", "2"},
                                                             {"subject", "Algebra"},
                                                             {"level", 1},
                                                             {"unique_id", "test/algebra/1.json"}},
                                                            {{"problem", "Half of one?"},
                                                             {"solution", "It is $\\boxed{\\dfrac12}$."},
                                                             {"answer", "\\frac{1}{2}"},
                                                             {"subject", "Prealgebra"},
                                                             {"level", 2},
                                                             {"unique_id", "test/prealgebra/2.json"}}}));
        test::write_text(dir / "aime/aime24.jsonl", jsonl({{{"id", "2024-I-1"},
                                                            {"year", 2024},
                                                            {"contest", "AIME I"},
                                                            {"problem_idx", 1},
                                                            {"problem", "Fake problem one."},
                                                            {"answer", 33}},
                                                           {{"id", "2024-I-2"},
                                                            {"year", 2024},
                                                            {"contest", "AIME I"},
                                                            {"problem_idx", 2},
                                                            {"problem", "Fake problem two."},
                                                            {"answer", 1000}}}));
        test::write_text(dir / "aime/aime25.jsonl", jsonl({{{"id", "2025-II-15"},
                                                            {"year", 2025},
                                                            {"contest", "AIME II"},
                                                            {"problem_idx", 15},
                                                            {"problem", "Fake."},
                                                            {"answer", 7}}}));
        std::string csv = "Question,Correct Answer,Incorrect Answer 1,Incorrect Answer 2,Incorrect Answer 3,Record ID,"
                          "High-level domain\n";
        for (int i = 0; i < 40; ++i)
            csv += "\"Fake question " + std::to_string(i) + ", with a comma\nand a newline\",right" +
                   std::to_string(i) + ",wrong1,\"wrong \"\"2\"\"\",wrong3,rec" + std::to_string(i) + ",Physics\n";
        csv += "\"No options\",,,,,recEmpty,Physics\n";
        test::write_gzip(dir / "gpqa/gpqa_diamond.csv.gz", csv);
        std::vector<Json> val;
        for (const char* cat : {"math", "law"})
            for (int i = 0; i < 5; ++i)
                val.push_back({{"question_id", static_cast<int>(val.size())},
                               {"question", std::string("Example ") + cat + " " + std::to_string(i)},
                               {"options", {"o1", "o2", "o3"}},
                               {"answer", "B"},
                               {"answer_index", 1},
                               {"cot_content",
                                "A: Let's think step by step. Reason " + std::to_string(i) + ". The answer is (B)."},
                               {"category", cat},
                               {"src", "fake"}});
        test::write_text(dir / "mmlu_pro/validation.jsonl", jsonl(val));
        test::write_text(dir / "mmlu_pro/test.jsonl", jsonl({{{"question_id", 70},
                                                              {"question", "Which?"},
                                                              {"options", {"a", "N/A", "c", "d"}},
                                                              {"answer", "C"},
                                                              {"answer_index", 2},
                                                              {"cot_content", ""},
                                                              {"category", "math"},
                                                              {"src", "fake"}},
                                                             {{"question_id", 71},
                                                              {"question", "Bad"},
                                                              {"options", {"a", "b"}},
                                                              {"answer", "A"},
                                                              {"answer_index", 1},
                                                              {"cot_content", ""},
                                                              {"category", "law"},
                                                              {"src", "fake"}}}));
        auto [priv, priv_json] = encoded_private_tests();
        private_tests = priv_json;
        Json stdin_tests = Json::array({{{"input", "1 2\n"}, {"output", "3\n"}, {"testtype", "stdin"}}});
        test::write_text(dir / "livecodebench/problems_release_v6.jsonl",
                         jsonl({{{"question_title", "Sum"},
                                 {"question_content", "Add two numbers."},
                                 {"platform", "atcoder"},
                                 {"question_id", "abc001_a"},
                                 {"contest_id", "abc001"},
                                 {"contest_date", "2024-08-01T00:00:00"},
                                 {"starter_code", ""},
                                 {"difficulty", "easy"},
                                 {"public_test_cases", stdin_tests.dump()}},
                                {{"question_title", "Twice"},
                                 {"question_content", "Return twice x."},
                                 {"platform", "leetcode"},
                                 {"question_id", "9001"},
                                 {"contest_id", "weekly-1"},
                                 {"contest_date", "2025-02-01T00:00:00"},
                                 {"starter_code", "class Solution:\n    def twice(self, x: int) -> int:\n        "},
                                 {"difficulty", "medium"},
                                 {"public_test_cases", nullptr},
                                 {"private_test_cases", priv}},
                                {{"question_title", "None"},
                                 {"question_content", "No tests here."},
                                 {"platform", "codeforces"},
                                 {"question_id", "cf1"},
                                 {"contest_id", "1"},
                                 {"contest_date", "2024-12-01T00:00:00"},
                                 {"starter_code", ""},
                                 {"difficulty", "hard"},
                                 {"public_test_cases", nullptr}}}));
    }
    Json private_tests;
    Dataset load(const char* task, std::uint64_t seed = 0, std::map<std::string, std::string> params = {}) {
        return find_task(task).load({dir.path(), seed, std::move(params)});
    }
};

} // namespace

TEST_CASE("registry: names, aliases and unknown tasks", "[tasks]") {
    std::vector<std::string> names;
    for (const auto& t : all_tasks())
        names.push_back(t.name);
    CHECK(names ==
          std::vector<std::string>{"math500", "aime24", "aime25", "gpqa_diamond", "mmlu_pro", "livecodebench"});
    for (const auto& t : all_tasks()) {
        CHECK(t.has_prompt(t.default_prompt));
        CHECK_FALSE(t.version.empty());
    }
    auto aime = resolve_tasks({"aime"});
    REQUIRE(aime.size() == 2);
    CHECK(aime[0]->name == "aime24");
    CHECK(resolve_tasks({"math500,aime24", "aime"}).size() == 3);
    try {
        find_task("math501");
        FAIL("no throw");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::not_found);
        CHECK_THAT(e.what(), Catch::Contains("math500") && Catch::Contains("livecodebench") && Catch::Contains("aime"));
    }
    CHECK_THROWS_WITH(check_prompt(find_task("gpqa_diamond"), "nope"), Catch::Contains("simple-evals"));
}

TEST_CASE("math500 and aime: load, skipped rows, the DeepSeek-R1 prompt, reference grading", "[tasks]") {
    FakeData data;
    Dataset m = data.load("math500");
    REQUIRE(m.samples.size() == 2);
    const TaskSpec& t = find_task("math500");
    auto msgs = t.render(m.samples[0], "deepseek-r1", m);
    REQUIRE(msgs.size() == 1);
    CHECK(msgs[0].role == "user");
    CHECK(msgs[0].content == "What is 1+1?\nPlease reason step by step, and put your final answer within \\boxed{}.");
    auto qwen = t.render(m.samples[0], "qwen-math", m);
    REQUIRE(qwen.size() == 2);
    CHECK(qwen[0].role == "system");
    for (const auto& s : m.samples)
        CHECK(score_response(t, s.metadata["solution"].get<std::string>(), s).verdict == core::Verdict::correct);

    Dataset a = data.load("aime24");
    REQUIRE(a.samples.size() == 1);
    REQUIRE(a.skipped.size() == 1);
    CHECK(a.skipped[0].id == "2024-I-2");
    CHECK_THAT(a.skipped[0].reason, Catch::Contains("0-999"));
    CHECK_THAT(a.skipped[0].where, Catch::EndsWith("aime24.jsonl:2"));
    const TaskSpec& ta = find_task("aime24");
    CHECK(score_response(ta, "so \\boxed{033}", a.samples[0]).verdict == core::Verdict::correct);
    CHECK(score_response(ta, "so \\boxed{34}", a.samples[0]).verdict == core::Verdict::incorrect);
    CHECK(score_response(ta, "<think>long", a.samples[0]).verdict == core::Verdict::no_answer);
    CHECK(data.load("aime25").samples.at(0).id == "2025-II-15");
}

TEST_CASE("gpqa: seeded permutation is stable, seed-dependent, stored, and keeps the gold", "[tasks][gpqa]") {
    FakeData data;
    Dataset d0 = data.load("gpqa_diamond", 0), d0b = data.load("gpqa_diamond", 0), d1 = data.load("gpqa_diamond", 1);
    REQUIRE(d0.samples.size() == 40);
    REQUIRE(d0.skipped.size() == 1);
    CHECK(d0.skipped[0].id == "recEmpty");
    int differ = 0;
    std::map<std::string, int> gold_letters;
    for (std::size_t i = 0; i < d0.samples.size(); ++i) {
        const Sample& s = d0.samples[i];
        CHECK(s.choices == d0b.samples[i].choices);
        CHECK(s.metadata["permutation"] == d0b.samples[i].metadata["permutation"]);
        differ += s.choices != d1.samples[i].choices;
        ++gold_letters[s.target];
        CHECK(s.choices[static_cast<std::size_t>(s.target[0] - 'A')] == "right" + s.id.substr(3));
        CHECK(s.input.find("with a comma\nand a newline") != std::string::npos);
    }
    CHECK(differ > 20);              // another seed, another exam
    CHECK(gold_letters.size() == 4); // the gold is not always in one place
    const TaskSpec& t = find_task("gpqa_diamond");
    auto msgs = t.render(d0.samples[0], "simple-evals", d0);
    REQUIRE(msgs.size() == 1);
    CHECK_THAT(msgs[0].content,
               Catch::StartsWith("Answer the following multiple choice question. The last line of "
                                 "your response should be of the following format: 'Answer: $LETTER'"));
    CHECK_THAT(msgs[0].content, Catch::Contains("\n\nA) ") && Catch::Contains("\nD) "));
}

TEST_CASE("mmlu_pro: N/A options dropped, gold re-lettered, the official 5-shot prompt", "[tasks][mmlu]") {
    FakeData data;
    Dataset d = data.load("mmlu_pro");
    REQUIRE(d.samples.size() == 1);
    REQUIRE(d.skipped.size() == 1);
    CHECK_THAT(d.skipped[0].reason, Catch::Contains("disagrees"));
    const Sample& s = d.samples[0];
    CHECK(s.choices == std::vector<std::string>{"a", "c", "d"});
    CHECK(s.target == "B");
    auto msgs = find_task("mmlu_pro").render(s, "cot-5shot", d);
    REQUIRE(msgs.size() == 1);
    const std::string& p = msgs[0].content;
    CHECK_THAT(p, Catch::StartsWith("The following are multiple choice questions (with answers) about math. Think step "
                                    "by step and then output the answer in the format of \"The answer is (X)\" at the "
                                    "end.\n\nQuestion: Example math 0\nOptions: A. o1\nB. o2\nC. o3\nAnswer: Let's "
                                    "think step by step. Reason 0. The answer is (B).\n\nQuestion: Example math 1"));
    CHECK_THAT(p,
               Catch::EndsWith("Question: Which?\nOptions: A. a\nB. c\nC. d\nAnswer: Let's think step by step.\n\n"));
    CHECK(p.find("Example law") == std::string::npos);
    auto zero = find_task("mmlu_pro").render(s, "0-shot", d);
    CHECK_THAT(zero[0].content, Catch::Contains("LETTER is one of ABC.") && Catch::EndsWith("C) d"));
}

TEST_CASE("livecodebench: tests decode, problems without tests are reported, date window is inclusive",
          "[tasks][lcb]") {
    FakeData data;
    Dataset d = data.load("livecodebench");
    REQUIRE(d.samples.size() == 2);
    REQUIRE(d.skipped.size() == 1);
    CHECK(d.skipped[0].id == "cf1");
    const Sample& leet = *d.find("9001");
    CHECK(leet.metadata["func_name"] == "twice");
    auto tests = livecodebench_tests(leet);
    REQUIRE(tests.size() == data.private_tests.size());
    CHECK(tests[0].input == data.private_tests[0]["input"]);
    CHECK(livecodebench_tests(*d.find("abc001_a")).at(0).output == "3\n");
    const TaskSpec& t = find_task("livecodebench");
    auto msgs = t.render(*d.find("abc001_a"), "lcb-generic", d);
    REQUIRE(msgs.size() == 2);
    CHECK_THAT(msgs[0].content, Catch::StartsWith("You are an expert Python programmer."));
    CHECK(msgs[1].content ==
          "### Question:\nAdd two numbers.\n\n### Format: Read the inputs from stdin solve the problem and write the "
          "answer to stdout (do not directly test on the sample inputs). Enclose your code within delimiters as "
          "follows. Ensure that when the python program runs, it reads the inputs, runs the algorithm and writes "
          "output to STDOUT.\n```python\n# YOUR CODE HERE\n```\n\n### Answer: (use the provided format with "
          "backticks)\n\n");
    auto starter = t.render(leet, "lcb-single-user", d);
    REQUIRE(starter.size() == 1);
    CHECK_THAT(starter[0].content, Catch::Contains("```python\nclass Solution:\n    def twice"));
    // inclusive window on both ends, at midnight (lcb_runner)
    CHECK(data.load("livecodebench", 0, {{"start_date", "2024-08-01"}, {"end_date", "2025-02-01"}}).samples.size() ==
          2);
    CHECK(data.load("livecodebench", 0, {{"start_date", "2024-08-02"}}).samples.size() == 1);
    CHECK(data.load("livecodebench", 0, {{"end_date", "2025-01-31"}}).samples.size() == 1);
    CHECK_THROWS_WITH(data.load("livecodebench", 0, {{"start_date", "08/01/2024"}}), Catch::Contains("YYYY-MM-DD"));
    CHECK_THROWS_WITH(data.load("livecodebench", 0, {{"release", "v9"}}), Catch::Contains("v1..v6"));
    CHECK_THROWS_WITH(data.load("livecodebench", 0, {{"release", "v5"}}),
                      Catch::Contains("livecodebench/test.jsonl") && Catch::Contains("qeval data pull"));
    Score sc = score_response(t, "```python\nprint(1)\n```", leet);
    CHECK(sc.extracted == "print(1)");
    if (std::string why; !core::sandbox::available(&why)) {
        CHECK(sc.verdict == core::Verdict::error); // not executed: never counted as wrong
        CHECK_THAT(sc.explanation, Catch::Contains("sandbox"));
    } else {
        CHECK(sc.verdict == core::Verdict::incorrect); // run: `twice` is missing (error during testing)
        CHECK(sc.details["official"] == core::Json::array({-4}));
    }
}

TEST_CASE("missing data names each file and the command that fetches it", "[tasks]") {
    test::TempDir empty;
    for (const auto& t : all_tasks()) {
        DataFiles f = t.locate(empty.path());
        CHECK_FALSE(f.missing.empty());
        try {
            t.load({empty.path(), 0, {}});
            FAIL("no throw for " + t.name);
        } catch (const Error& e) {
            CHECK(e.code() == ErrorCode::input);
            CHECK_THAT(e.what(), Catch::Contains("qeval data pull"));
        }
    }
}
