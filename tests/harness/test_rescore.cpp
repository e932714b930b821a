// `qeval score --run ID` / `--variant LABEL [--task T]` through the binary: runs made with the replay runner on the
// bundled demo data, grades then damaged in SQLite directly, re-graded and checked restored with the counts reported;
// the run's stored seed decides GPQA's option order; a run whose data changed is refused unless
// --allow-data-change; failed requests are left alone; usage errors.
#include <catch2/catch.hpp>

#include <map>
#include <sstream>
#include <tuple>

#include "core/data/jsonl.hpp"
#include "harness/storage/db.hpp"
#include "test_util.hpp"

using namespace qeval;
using core::Json;

namespace {

const std::string kDemoData = QEVAL_TEST_DATA "/../../examples/demo-data";

using Key = std::pair<std::string, int>;                         // (problem, sample)
using Grade = std::tuple<std::string, std::string, std::string>; // (verdict, extracted, stage)

// math500 demo problems 0-3: sample 0 right, sample 1 wrong, problem 3's sample 1 missing (a failed request).
std::string write_math_responses(const test::TempDir& tmp) {
    core::JsonlReader reader(kDemoData + "/math500/test.jsonl");
    Json row;
    std::string text;
    for (int i = 0; i < 4 && reader.next(row); ++i) {
        std::string id = row["unique_id"], answer = row["answer"];
        text += Json{{"id", id}, {"sample", 0}, {"response", "So \\boxed{" + answer + "}."}}.dump() + "\n";
        if (i != 3) text += Json{{"id", id}, {"sample", 1}, {"response", "So \\boxed{1000}."}}.dump() + "\n";
    }
    test::write_text(tmp / "math.jsonl", text);
    return (tmp / "math.jsonl").string();
}

std::int64_t run_replay(const test::TempDir& tmp, const std::string& task, const std::string& responses,
                        const std::string& data_dir, std::vector<std::string> extra) {
    std::vector<std::string> args = {
        "run",         "--task",  task,     "--variant",  "fp8",    "--runner", "replay",
        "--responses", responses, "--json", "--data-dir", data_dir, "--db",     (tmp / "q.sqlite").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = test::run_qeval(args);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return Json::parse(r.out)[0]["run"].get<std::int64_t>();
}

std::map<Key, Grade> grades(const test::TempDir& tmp, std::int64_t run) {
    auto r = test::run_qeval({"export", "--run", std::to_string(run), "--db", (tmp / "q.sqlite").string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    std::map<Key, Grade> out;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        Json s = Json::parse(line);
        out[{s["id"], s["sample"]}] = {s["verdict"], s["extracted"], s["stage"]};
    }
    return out;
}

void sql(const test::TempDir& tmp, const std::string& statement) {
    harness::Database db(tmp / "q.sqlite");
    db.exec(statement);
}

test::ProcessResult score(const test::TempDir& tmp, std::vector<std::string> args,
                          const std::string& data_dir = kDemoData) {
    args.insert(args.begin(), "score");
    for (const std::string& a : {std::string("--data-dir"), data_dir, std::string("--db"), (tmp / "q.sqlite").string()})
        args.push_back(a);
    return test::run_qeval(args);
}

} // namespace

TEST_CASE("qeval score --run restores damaged grades and reports what changed", "[harness][rescore]") {
    test::TempDir tmp;
    auto run = run_replay(tmp, "math500", write_math_responses(tmp), kDemoData, {"--samples", "2", "--limit", "4"});
    const auto original = grades(tmp, run);
    REQUIRE(original.size() == 8);

    // Damage: one wrong answer becomes a grader error (the request worked), every right one becomes incorrect.
    sql(tmp, "UPDATE samples SET verdict = 'error', stage = 'grader', extracted = '' "
             "WHERE verdict = 'incorrect' AND rowid = (SELECT MIN(rowid) FROM samples WHERE verdict = 'incorrect')");
    sql(tmp, "UPDATE samples SET verdict = 'incorrect', extracted = '', stage = 'exact' WHERE verdict = 'correct'");
    REQUIRE(grades(tmp, run) != original);

    auto r = score(tmp, {"--run", std::to_string(run), "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Json out = Json::parse(r.out);
    REQUIRE(out.size() == 1);
    const Json& s = out[0];
    CHECK(s["run"] == run);
    CHECK(s["task"] == "math500");
    CHECK(s["samples"] == 8);
    CHECK(s["regraded"] == 7);
    CHECK(s["request_errors"] == 1); // the missing response: left for a resumed `qeval run`
    CHECK(s["changed"] == 5);
    CHECK(s["transitions"] == Json{{"incorrect -> correct", 4}, {"error -> incorrect", 1}});
    CHECK(s["before"]["counts"] == Json{{"correct", 0}, {"incorrect", 6}, {"no_answer", 0}, {"error", 2}});
    CHECK(s["after"]["counts"] == Json{{"correct", 4}, {"incorrect", 3}, {"no_answer", 0}, {"error", 1}});
    CHECK(s["before"]["accuracy"].get<double>() == Approx(0.0));
    CHECK(s["after"]["accuracy"].get<double>() == Approx(62.5)); // as `qeval runs` computes it
    CHECK(s["data_changes"].empty());
    CHECK(grades(tmp, run) == original);

    auto runs = test::run_qeval({"runs", "--json", "--db", (tmp / "q.sqlite").string()});
    REQUIRE(runs.exit_code == 0);
    CHECK(Json::parse(runs.out)[0]["accuracy"].get<double>() == Approx(62.5));

    // Nothing to change the second time; --variant with --task selects the same run; text output.
    auto again = score(tmp, {"--variant", "fp8", "--task", "math500"});
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    CHECK_THAT(again.out, Catch::Contains("run " + std::to_string(run) + " fp8/math500") &&
                              Catch::Contains("7 of 8 samples re-graded") && Catch::Contains("0 verdicts changed") &&
                              Catch::Contains("62.50% -> 62.50%"));
    CHECK(grades(tmp, run) == original);
}

TEST_CASE("qeval score --run grades GPQA with the run's stored seed", "[harness][rescore]") {
    test::TempDir tmp;
    // Sample k answers letter k: exactly one sample per question is right, and which one is the option order.
    std::string text;
    for (int q = 0; q < 5; ++q)
        for (int k = 0; k < 4; ++k)
            text += Json{{"id", "recDEMO" + std::to_string(q)},
                         {"sample", k},
                         {"response", std::string("Answer: ") + "ABCD"[k]}}
                        .dump() +
                    "\n";
    test::write_text(tmp / "gpqa.jsonl", text);
    auto run7 =
        run_replay(tmp, "gpqa_diamond", (tmp / "gpqa.jsonl").string(), kDemoData, {"--samples", "4", "--seed", "7"});
    auto run0 = run_replay(tmp, "gpqa_diamond", (tmp / "gpqa.jsonl").string(), kDemoData, {"--samples", "4"});
    const auto seed7 = grades(tmp, run7), seed0 = grades(tmp, run0);
    REQUIRE(seed7.size() == 20);
    REQUIRE(seed7 != seed0); // the seed matters, so re-grading with the wrong one would show

    sql(tmp, "UPDATE samples SET verdict = 'no_answer', extracted = '', stage = 'extract'");
    auto r = score(tmp, {"--variant", "fp8", "--json"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Json out = Json::parse(r.out);
    REQUIRE(out.size() == 2);
    for (const Json& s : out) {
        CHECK(s["regraded"] == 20);
        CHECK(s["after"]["counts"]["correct"] == 5);
        CHECK(s["transitions"]["no_answer -> correct"] == 5);
        CHECK(s["transitions"]["no_answer -> incorrect"] == 15);
    }
    CHECK(grades(tmp, run7) == seed7);
    CHECK(grades(tmp, run0) == seed0);
}

TEST_CASE("qeval score --run refuses a run whose data changed unless --allow-data-change", "[harness][rescore]") {
    test::TempDir tmp;
    const auto data = tmp / "data";
    const auto file = data / "math500" / "test.jsonl";
    test::write_text(file, test::read_text(kDemoData + "/math500/test.jsonl"));
    auto run = run_replay(tmp, "math500", write_math_responses(tmp), data.string(), {"--samples", "2", "--limit", "4"});
    const auto original = grades(tmp, run);

    // The first problem's gold answer changes: the stored grades were made against other data.
    core::JsonlReader reader(file);
    Json row;
    std::string text;
    for (bool first = true; reader.next(row); first = false) {
        if (first) row["answer"] = "6";
        text += row.dump() + "\n";
    }
    test::write_text(file, text);

    auto refused = score(tmp, {"--run", std::to_string(run)}, data.string());
    CHECK(refused.exit_code == 2);
    CHECK_THAT(refused.err, Catch::Contains(file.string()) && Catch::Contains("data changed") &&
                                Catch::Contains("--allow-data-change") &&
                                Catch::Contains("run " + std::to_string(run)));
    CHECK(grades(tmp, run) == original); // nothing written

    auto allowed = score(tmp, {"--run", std::to_string(run), "--allow-data-change", "--json"}, data.string());
    INFO(allowed.err);
    REQUIRE(allowed.exit_code == 0);
    Json s = Json::parse(allowed.out)[0];
    CHECK(s["changed"] == 1);
    CHECK(s["transitions"] == Json{{"correct -> incorrect", 1}});
    REQUIRE(s["data_changes"].size() == 1);
    CHECK_THAT(s["data_changes"][0].get<std::string>(), Catch::Contains("test.jsonl"));
}

TEST_CASE("qeval score refuses mixed or missing selectors, unknown runs and a missing database", "[harness][rescore]") {
    test::TempDir tmp;
    run_replay(tmp, "math500", write_math_responses(tmp), kDemoData, {"--limit", "2"});
    const std::vector<std::vector<std::string>> usage = {
        {},
        {"--run", "1", "--in", (tmp / "math.jsonl").string()},
        {"--run", "1", "--variant", "fp8"},
        {"--run", "1", "--task", "math500"},
        {"--variant", "fp8", "--out", (tmp / "v.jsonl").string()},
        {"--variant", "fp8", "--seed", "3"},
        {"--in", (tmp / "math.jsonl").string()},
        {"--task", "math500", "--in", (tmp / "math.jsonl").string(), "--allow-data-change"},
    };
    for (const auto& args : usage) {
        auto r = score(tmp, args);
        INFO(r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains("qeval score"));
    }
    auto unknown = score(tmp, {"--run", "99"});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("no run with id 99"));
    auto no_variant = score(tmp, {"--variant", "bf16"});
    CHECK(no_variant.exit_code == 2);
    CHECK_THAT(no_variant.err, Catch::Contains("no runs of variant \"bf16\""));
    auto absent = test::run_qeval({"score", "--run", "1", "--db", (tmp / "absent.sqlite").string()});
    CHECK(absent.exit_code == 2);
    CHECK_THAT(absent.err, Catch::Contains("absent.sqlite"));
    CHECK_FALSE(std::filesystem::exists(tmp / "absent.sqlite"));
    // The file path still works as before.
    auto file = score(tmp, {"--task", "math500", "--in", (tmp / "math.jsonl").string()});
    CHECK(file.exit_code == 0);
}
