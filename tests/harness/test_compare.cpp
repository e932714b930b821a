// `qeval compare` end to end: variants run with `qeval run --runner openai` against fake servers with planted
// accuracies (made-up problems), then compared in every format. A copy of the baseline retains exactly 100% and
// passes; a collapsed candidate fails; settings that differ are flagged; bad selections are clear errors.
#include <catch2/catch.hpp>

#include "core/rng.hpp"
#include "core/types.hpp"
#include "fakes/fake_openai.hpp"
#include "harness/app/compare.hpp"
#include "harness/app/run.hpp"
#include "test_util.hpp"

using namespace qeval;
using core::Json;

namespace {

void run_variant(const std::filesystem::path& data, const std::filesystem::path& db, const std::string& label,
                 double accuracy, const std::string& temperature = "0.6") {
    testing::FakeOpenAIOptions fo;
    fo.accuracy = accuracy;
    fo.answer = testing::task_answerer("math500", data);
    testing::FakeOpenAI fake(fo);
    auto r = test::run_qeval({"run",        "--task",     "math500",     "--variant",     label,
                              "--runner",   "openai",     "--base-url",  fake.base_url(), "--model",
                              "fake-model", "--samples",  "4",           "--temperature", temperature,
                              "--quiet",    "--data-dir", data.string(), "--db",          db.string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
}

} // namespace

TEST_CASE("qeval compare on planted variants in every format", "[harness][compare]") {
    test::TempDir tmp;
    auto data = test::write_made_up_math500(tmp, 300);
    auto db = tmp / "q.sqlite";
    run_variant(data, db, "fp8", 0.8);
    run_variant(data, db, "fp8-again", 0.8);
    run_variant(data, db, "collapsed", 0.4);
    run_variant(data, db, "hot", 0.8, "1.0");
    auto compare = [&](std::vector<std::string> extra) {
        std::vector<std::string> args = {"compare",     "--baseline", "fp8",  "--candidate", "fp8-again",
                                         "--candidate", "collapsed",  "--db", db.string()};
        args.insert(args.end(), extra.begin(), extra.end());
        return test::run_qeval(args);
    };
    auto json = compare({"--format", "json"});
    INFO(json.err);
    REQUIRE(json.exit_code == 0);
    Json j = Json::parse(json.out);
    CHECK(j["baseline"] == "fp8");
    REQUIRE(j["candidates"].size() == 2);
    const Json& same = j["candidates"][0]["tasks"][0];
    CHECK(same["task"] == "math500");
    CHECK(same["n_problems"] == 300);
    CHECK(same["samples_per_problem"] == 4);
    CHECK(same["retention"].get<double>() == Approx(100.0));
    CHECK(same["retention_ci95"][0].get<double>() == Approx(100.0));
    CHECK(same["retention_ci95"][1].get<double>() == Approx(100.0));
    CHECK(same["flips"]["gained"] == 0);
    CHECK(same["flips"]["lost"] == 0);
    CHECK(same["verdict"] == "pass");
    CHECK(std::abs(same["baseline"]["accuracy"].get<double>() - 80.0) < 5.0); // 1,200 draws at 0.8
    const Json& collapsed = j["candidates"][1]["tasks"][0];
    CHECK(std::abs(collapsed["retention"].get<double>() - 50.0) < 8.0);
    CHECK(collapsed["retention_ci95"][1].get<double>() < 98.0);
    CHECK(collapsed["verdict"] == "fail");
    CHECK(collapsed["flips"]["lost"].get<int>() > 50);
    CHECK(j["candidates"][1]["average"]["verdict"] == "fail");
    CHECK(j["warnings"].empty());
    // Breakdowns from the groups `qeval run` stored: level 1-5 (60 problems each); one subject only: left out.
    REQUIRE(collapsed["breakdowns"].size() == 1);
    const Json& by_level = collapsed["breakdowns"][0];
    CHECK(by_level["axis"] == "level");
    REQUIRE(by_level["groups"].size() == 5);
    int in_groups = 0;
    for (const auto& g : by_level["groups"]) {
        in_groups += g["n_problems"].get<int>();
        CHECK(g["candidate"]["accuracy"].get<double>() < g["baseline"]["accuracy"].get<double>());
    }
    CHECK(in_groups == 300);
    CHECK(by_level["groups"][0]["value"] == "1");

    auto md = compare({});
    REQUIRE(md.exit_code == 0);
    CHECK_THAT(md.out, Catch::Contains("| Precision |") && Catch::Contains("Recovery (%)") &&
                           Catch::Contains("| fp8 (baseline) |") && Catch::Contains("| collapsed |") &&
                           Catch::Contains("#### math500 by level"));
    auto csv = compare({"--format", "csv"});
    REQUIRE(csv.exit_code == 0);
    int lines = 0;
    for (char c : csv.out)
        lines += c == '\n';
    CHECK(lines == 1 + 2 * 2); // header, then (one task + the average) per candidate
    auto out_file = tmp / "report.md";
    auto to_file = compare({"--out", out_file.string()});
    REQUIRE(to_file.exit_code == 0);
    CHECK(to_file.out.empty());
    CHECK(test::read_text(out_file) == md.out);

    // A candidate sampled at another temperature is compared, and flagged.
    auto hot = test::run_qeval(
        {"compare", "--baseline", "fp8", "--candidate", "hot", "--format", "json", "--db", db.string()});
    REQUIRE(hot.exit_code == 0);
    Json h = Json::parse(hot.out);
    REQUIRE(h["warnings"].size() == 1);
    CHECK_THAT(h["warnings"][0].get<std::string>(), Catch::Contains("hot") && Catch::Contains("generation"));
    CHECK_THAT(hot.err, Catch::Contains("warning:"));
}

TEST_CASE("qeval compare refuses what it cannot compare", "[harness][compare]") {
    test::TempDir tmp;
    auto missing =
        test::run_qeval({"compare", "--baseline", "a", "--candidate", "b", "--db", (tmp / "none.sqlite").string()});
    CHECK(missing.exit_code == 2);
    CHECK_THAT(missing.err, Catch::Contains("none.sqlite"));
    auto data = test::write_made_up_math500(tmp, 20);
    auto db = tmp / "q.sqlite";
    run_variant(data, db, "fp8", 0.8);
    auto no_base = test::run_qeval({"compare", "--baseline", "bf16", "--candidate", "fp8", "--db", db.string()});
    CHECK(no_base.exit_code == 2);
    CHECK_THAT(no_base.err, Catch::Contains("bf16"));
    auto bad_format =
        test::run_qeval({"compare", "--baseline", "fp8", "--candidate", "fp8", "--format", "pdf", "--db", db.string()});
    CHECK(bad_format.exit_code == 2);
    CHECK_THAT(bad_format.err, Catch::Contains("--format"));
    auto no_cand = test::run_qeval({"compare", "--baseline", "fp8", "--candidate", "nvfp4", "--db", db.string()});
    CHECK(no_cand.exit_code == 0); // the report says the task was left out
    CHECK_THAT(no_cand.err, Catch::Contains("no runs of candidate nvfp4"));
}

TEST_CASE("qeval compare stores every comparison and prints a candidate's history", "[harness][compare]") {
    test::TempDir tmp;
    auto data = test::write_made_up_math500(tmp, 40);
    auto db = tmp / "q.sqlite";
    run_variant(data, db, "fp8", 0.8);
    run_variant(data, db, "nvfp4", 0.7);
    auto none = test::run_qeval({"compare", "--history", "nvfp4", "--db", db.string()});
    CHECK(none.exit_code == 2);
    CHECK_THAT(none.err, Catch::Contains("no stored comparisons"));
    auto first = test::run_qeval(
        {"compare", "--baseline", "fp8", "--candidate", "nvfp4", "--format", "json", "--db", db.string()});
    REQUIRE(first.exit_code == 0);
    auto unstored =
        test::run_qeval({"compare", "--baseline", "fp8", "--candidate", "nvfp4", "--no-store", "--db", db.string()});
    REQUIRE(unstored.exit_code == 0);
    auto second = test::run_qeval({"compare", "--baseline", "fp8", "--candidate", "nvfp4", "--min-retention", "80",
                                   "--format", "json", "--db", db.string()});
    REQUIRE(second.exit_code == 0);
    auto history = test::run_qeval({"compare", "--history", "nvfp4", "--format", "json", "--db", db.string()});
    INFO(history.err);
    REQUIRE(history.exit_code == 0);
    Json h = Json::parse(history.out);
    REQUIRE(h.size() == 4); // two stored comparisons (--no-store left none), each a task row and an average row
    Json computed = Json::parse(first.out)["candidates"][0]["tasks"][0];
    CHECK(h[0]["task"] == "math500");
    CHECK(h[0]["baseline"] == "fp8");
    CHECK(h[0]["retention"] == computed["retention"]);
    CHECK(h[0]["retention_ci95"] == computed["retention_ci95"]);
    CHECK(h[0]["baseline_runs"] == computed["baseline_runs"]);
    CHECK(h[1]["task"] == "average");
    CHECK(h[2]["task"] == "math500");
    CHECK(h[0]["created_at"] <= h[2]["created_at"]);
    auto md = test::run_qeval({"compare", "--history", "nvfp4", "--task", "math500", "--db", db.string()});
    REQUIRE(md.exit_code == 0);
    CHECK_THAT(md.out,
               Catch::Contains("| When (UTC) |") && Catch::Contains("| math500 |") && !Catch::Contains("| average |"));
}

TEST_CASE("compare details carry the flipped problems' responses and the stored trend", "[harness][compare]") {
    test::TempDir tmp;
    auto data = test::write_made_up_math500(tmp, 60);
    auto db = tmp / "q.sqlite";
    run_variant(data, db, "fp8", 0.9);
    run_variant(data, db, "nvfp4", 0.5);
    harness::CompareOptions o;
    o.db = db;
    o.baseline = "fp8";
    o.candidates = {"nvfp4"};
    o.stats.resamples = 1000;
    harness::compare_variants(o); // stored: the trend's first point
    o.details = true;
    auto report = harness::compare_variants(o);
    REQUIRE(report.candidates.size() == 1);
    const auto& c = report.candidates[0];
    const auto& flips = c.tasks[0].comparison.flips;
    REQUIRE_FALSE(flips.lost.empty());
    CHECK(c.flipped.size() == std::min<std::size_t>(50, flips.lost.size() + flips.gained.size()));
    for (const auto& f : c.flipped) {
        INFO(f.problem_id);
        CHECK(f.task == "math500");
        CHECK_FALSE(f.baseline_response.empty());
        CHECK_FALSE(f.candidate_response.empty());
        // The examples agree with the flip: the side that solved it shows a correct answer, the other does not.
        CHECK((f.baseline_verdict == "correct") == !f.gained);
        CHECK((f.candidate_verdict == "correct") == f.gained);
    }
    const auto& lost = c.flipped.front(); // lost ones come first
    CHECK_FALSE(lost.gained);
    auto html = test::run_qeval({"compare", "--baseline", "fp8", "--candidate", "nvfp4", "--format", "html", "--db",
                                 db.string(), "--resamples", "1000"});
    REQUIRE(html.exit_code == 0);
    CHECK_THAT(html.out, Catch::Contains("<svg") && Catch::Contains("<details>") && !Catch::Contains("<script"));
    REQUIRE(c.trend.count("math500"));
    const auto& trend = c.trend.at("math500");
    REQUIRE(trend.size() == 2); // the two stored comparisons, oldest first
    CHECK(trend.back().retention == Approx(c.tasks[0].comparison.retention));
    CHECK(trend.front().created_at <= trend.back().created_at);
}

// The 200-repetition simulation (tests/core/test_stats.cpp) plants correctness straight into core/stats. This shows
// the pipeline adds nothing to it: responses planted through the replay runner (baseline 80%, candidate 78%, 500
// problems x 4 samples, correlated per problem), graded, stored and compared, give bit for bit the comparison that
// core/stats computes on the planted counts, so that simulation's coverage is the pipeline's.
TEST_CASE("compare through the replay runner equals core stats on the planted counts", "[harness][compare]") {
    test::TempDir tmp;
    constexpr int kN = 500, kK = 4;
    const auto data = test::write_made_up_math500(tmp, kN);
    for (std::uint64_t rep = 0; rep < 3; ++rep) {
        core::SplitMix64 rng(77 + rep);
        std::vector<core::stats::ProblemScore> planted_base, planted_cand;
        std::string base_lines, cand_lines;
        for (int i = 0; i < kN; ++i) {
            const double ease = rng.uniform(); // shared by both sides: paired problems are correlated
            const std::string id = "made-up/" + std::to_string(i) + ".json";
            int cb = 0, cc = 0;
            for (int k = 0; k < kK; ++k) {
                const bool b = rng.uniform() < 0.6 + 0.4 * ease, c = rng.uniform() < 0.56 + 0.44 * ease;
                cb += b;
                cc += c;
                auto line = [&](bool correct) {
                    return Json{{"id", id},
                                {"sample", k},
                                {"response", "So \\boxed{" + std::to_string(correct ? i + 7 : -1) + "}."}}
                               .dump() +
                           "\n";
                };
                base_lines += line(b);
                cand_lines += line(c);
            }
            for (auto [list, correct] : {std::pair{&planted_base, cb}, std::pair{&planted_cand, cc}}) {
                core::stats::ProblemScore p;
                p.id = id;
                p.samples = p.graded = kK;
                p.correct = correct;
                list->push_back(p);
            }
        }
        const auto db = tmp / ("rep" + std::to_string(rep) + ".sqlite");
        for (const auto& [label, lines] : {std::pair{"base", base_lines}, std::pair{"cand", cand_lines}}) {
            test::write_text(tmp / (std::string(label) + ".jsonl"), lines);
            harness::RunOptions o;
            o.tasks = {"math500"};
            o.variant = label;
            o.runner = "replay";
            o.runner_settings = {{"responses", (tmp / (std::string(label) + ".jsonl")).string()}};
            o.samples = kK;
            o.data_dir = data;
            o.db = db;
            o.progress = false;
            REQUIRE(harness::run_tasks(o).front().stored == kN * kK);
        }
        harness::CompareOptions co;
        co.db = db;
        co.baseline = "base";
        co.candidates = {"cand"};
        co.store = false;
        const auto report = harness::compare_variants(co);
        REQUIRE(report.candidates.size() == 1);
        const core::stats::TaskComparison& got = report.candidates[0].tasks.at(0).comparison;
        std::sort(planted_base.begin(), planted_base.end(), [](auto& a, auto& b) { return a.id < b.id; });
        std::sort(planted_cand.begin(), planted_cand.end(), [](auto& a, auto& b) { return a.id < b.id; });
        const auto want = core::stats::compare({"math500", planted_base, planted_cand});
        CHECK(got.n_problems == kN);
        CHECK(got.baseline.value == want.baseline.value);
        CHECK(got.candidate.value == want.candidate.value);
        CHECK(got.retention == want.retention);
        CHECK(got.retention_ci95.lo == want.retention_ci95.lo);
        CHECK(got.retention_ci95.hi == want.retention_ci95.hi);
        CHECK(got.delta_ci95.lo == want.delta_ci95.lo);
        CHECK(got.delta_ci95.hi == want.delta_ci95.hi);
        CHECK(got.flips.lost == want.flips.lost);
        CHECK(got.test.p_value == want.test.p_value);
    }
}
