// The compare renderers on a report built by hand: Markdown and CSV against golden files written for these numbers
// (tests/data/reports/), JSON against design.md's contract. Set QEVAL_UPDATE_GOLDEN=1 to rewrite the golden files
// after a deliberate format change (then read the diff).
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>

#include "core/data/file.hpp"
#include "reports/compare_report.hpp"
#include "reports/report_builders.hpp"

using namespace qeval;
namespace st = core::stats;

namespace {

using test::estimate;
using test::summary;

reports::CompareReport sample_report() {
    reports::CompareReport r;
    r.baseline = "fp8";
    r.gate.min_retention = 98;
    r.gate.max_drop_points = 1.0;
    reports::CandidateReport c;
    c.label = "nvfp4|v2";
    reports::TaskReport math;
    math.task = "math500";
    math.baseline = summary(500, 4, 80.0, 1.5, 2.0, 3012, 1.0);
    math.candidate = summary(500, 4, 78.0, 2.5, 3.5, 3320, 1.0);
    math.comparison.task = "math500";
    math.comparison.n_problems = 500;
    math.comparison.baseline_samples = math.comparison.candidate_samples = 4;
    math.comparison.baseline = estimate(500, 80.0, 2.9);
    math.comparison.candidate = estimate(500, 78.0, 3.0);
    math.comparison.retention = 97.5;
    math.comparison.retention_ci95 = {95.8, 99.2};
    math.comparison.delta = -2.0;
    math.comparison.delta_ci95 = {-3.4, -0.6};
    math.comparison.flips.gained = {"a"};
    math.comparison.flips.lost = {"b", "c", "d"};
    math.comparison.test = {st::PairedTestMethod::sign_flip_exact, -2.0, 0.0123, 120};
    math.verdict = st::GateVerdict::inconclusive;
    // By level: two groups, the second with one problem (no delta interval), the first a "|" in its name.
    math.breakdowns = {{"level",
                        {{"1|2", estimate(499, 80.0, 2.9), estimate(499, 78.1, 3.0), 97.625, -1.9, {-3.3, -0.5}},
                         {"5", estimate(1, 50.0, NAN), estimate(1, 25.0, NAN), 50.0, -25.0, {NAN, NAN}}}}};
    reports::TaskReport aime;
    aime.task = "aime24";
    aime.baseline = summary(30, 8, 70.0, 0, 12.5, 11000, 1.0);
    aime.candidate = summary(30, 4, NAN, 0, 15, 12000, 1.0);
    aime.comparison.task = "aime24";
    aime.comparison.n_problems = 30;
    aime.comparison.baseline_samples = 8;
    aime.comparison.candidate_samples = 4;
    aime.comparison.baseline = estimate(30, 70.0, 12.0);
    aime.comparison.candidate = {30, 71.25, NAN, {NAN, NAN}};
    aime.comparison.retention = 101.8;
    aime.comparison.retention_ci95 = {90.1, 114.0};
    aime.comparison.delta = 1.25;
    aime.comparison.delta_ci95 = {-7.0, 9.5};
    aime.comparison.test = {st::PairedTestMethod::sign_flip_permutation, 1.25, 0.71, 14};
    aime.verdict = st::GateVerdict::inconclusive;
    c.tasks = {math, aime};
    c.average.n_tasks = 2;
    c.average.baseline = estimate(530, 75.0, 6.1);
    c.average.candidate = estimate(530, 74.625, 6.0);
    c.average.retention = 99.5;
    c.average.retention_ci95 = {93.0, 106.2};
    c.average.delta = -0.375;
    c.average.delta_ci95 = {-4.2, 4.3};
    c.average_verdict = st::GateVerdict::inconclusive;
    r.candidates.push_back(c);
    r.warnings = {"aime24: nvfp4|v2 was not run like fp8: settings (samples: 8 vs 4) differ"};
    return r;
}

void check_golden(const std::string& name, const std::string& got) {
    std::filesystem::path path = std::filesystem::path(QEVAL_TEST_DATA) / "reports" / name;
    if (std::getenv("QEVAL_UPDATE_GOLDEN")) core::write_file_atomic(path, got);
    INFO(path.string() << " (QEVAL_UPDATE_GOLDEN=1 rewrites it)");
    CHECK(got == core::read_file(path));
}

} // namespace

TEST_CASE("compare report markdown matches its golden file", "[reports]") {
    check_golden("compare.md", reports::to_markdown(sample_report()));
}

TEST_CASE("compare report csv matches its golden file", "[reports]") {
    check_golden("compare.csv", reports::to_csv(sample_report()));
}

TEST_CASE("compare report json has the contract fields in percent and points", "[reports]") {
    core::Json j = reports::to_json(sample_report());
    CHECK(j["baseline"] == "fp8");
    REQUIRE(j["candidates"].size() == 1);
    const core::Json& c = j["candidates"][0];
    CHECK(c["label"] == "nvfp4|v2");
    REQUIRE(c["tasks"].size() == 2);
    const core::Json& t = c["tasks"][0];
    for (const char* key :
         {"task", "n_problems", "samples_per_problem", "baseline", "candidate", "retention", "retention_ci95", "delta",
          "delta_ci95", "flips", "no_answer_rate", "truncation_rate", "verdict"})
        CHECK(t.contains(key));
    CHECK(t["task"] == "math500");
    CHECK(t["n_problems"] == 500);
    CHECK(t["samples_per_problem"] == 4);
    CHECK(t["baseline"]["accuracy"] == 80.0);
    CHECK(t["baseline"]["ci95"] == core::Json::array({77.1, 82.9}));
    CHECK(t["retention"] == 97.5);
    CHECK(t["retention_ci95"] == core::Json::array({95.8, 99.2}));
    CHECK(t["delta"] == -2.0);
    CHECK(t["flips"]["gained"] == 1);
    CHECK(t["flips"]["lost"] == 3);
    CHECK(t["no_answer_rate"] == 2.5); // the candidate's
    CHECK(t["truncation_rate"] == 3.5);
    CHECK(t["verdict"] == "inconclusive");
    // NaN is null, never a bare NaN token that JSON readers reject.
    CHECK(c["tasks"][1]["candidate"]["ci95"] == core::Json::array({nullptr, nullptr}));
    CHECK(c["tasks"][1]["samples_per_problem"] == 8);
    for (const char* key : {"baseline", "candidate", "retention", "retention_ci95", "delta", "delta_ci95", "verdict"})
        CHECK(c["average"].contains(key));
    CHECK(c["average"]["retention"] == 99.5);
    CHECK(j["warnings"].size() == 1);
    CHECK_NOTHROW(core::Json::parse(j.dump()));
}

TEST_CASE("compare report markdown escapes labels and csv quotes them", "[reports]") {
    auto r = sample_report();
    std::string md = reports::to_markdown(r);
    CHECK(md.find("nvfp4\\|v2") != std::string::npos);
    CHECK(md.find("| nvfp4|v2 |") == std::string::npos);
    r.candidates[0].label = "a,\"b\"";
    std::string csv = reports::to_csv(r);
    CHECK(csv.find("\"a,\"\"b\"\"\"") != std::string::npos);
}
