// core/stats: closed-form cases, fixture rows computed independently with numpy/scipy (tests/data/stats/*.jsonl, made
// by tools/make_stats_fixtures.py), reproducibility of the seeded bootstrap, the gate's truth table, and a planted-
// accuracy simulation (interval coverage and gate rates over 200 seeded repetitions). A hidden [.bench] case times
// the 12,032-problem x 8-sample comparison.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <numbers>
#include <numeric>
#include <string>
#include <vector>

#include "core/data/jsonl.hpp"
#include "core/error.hpp"
#include "core/rng.hpp"
#include "core/stats/stats.hpp"

namespace {

namespace stats = qeval::core::stats;
using qeval::core::Json;
using qeval::core::Verdict;
using stats::GateVerdict;
using stats::Interval;
using stats::ProblemScore;

struct FixtureRow {
    std::string where;
    Json json;
};

std::vector<FixtureRow> load(const std::string& name) {
    qeval::core::JsonlReader reader(std::string(QEVAL_TEST_DATA) + "/stats/" + name);
    std::vector<FixtureRow> rows;
    Json row;
    while (reader.next(row)) {
        REQUIRE(row.contains("note"));
        rows.push_back(
            {"stats/" + name + ":" + std::to_string(reader.ref().line) + " (" + row["note"].get<std::string>() + ")",
             row});
    }
    REQUIRE(!rows.empty());
    return rows;
}

double num(const Json& v) { // JSON null stands for NaN
    return v.is_null() ? std::nan("") : v.get<double>();
}

bool close(double got, double expected, double abs_tol, double rel_tol = 0) {
    if (std::isnan(expected)) return std::isnan(got);
    return std::abs(got - expected) <= abs_tol + rel_tol * std::abs(expected);
}

std::vector<ProblemScore> problems_from(const Json& rows) { // [[id, correct, graded], ...]
    std::vector<ProblemScore> out;
    for (const Json& r : rows) {
        ProblemScore p;
        p.id = r[0].get<std::string>();
        p.correct = r[1].get<int>();
        p.graded = p.samples = r[2].get<int>();
        out.push_back(p);
    }
    return out;
}

ProblemScore problem(std::string id, int correct, int graded) {
    ProblemScore p;
    p.id = std::move(id);
    p.correct = correct;
    p.graded = p.samples = graded;
    return p;
}

stats::SampleRow row(std::string id, int index, Verdict v, std::string extracted = "", std::string finish = "stop",
                     std::int64_t tokens = 0) {
    return {std::move(id), index, v, std::move(extracted), std::move(finish), tokens};
}

// Planted correlated pairs (as tools/make_stats_fixtures.py plant()): per-problem difficulty z ~ N(0, sigma^2)
// shared by both sides, p = Phi(Phi^-1(acc) sqrt(1 + sigma^2) + z), so the mean accuracy is exactly `acc`.
struct Planted {
    std::vector<ProblemScore> baseline, candidate;
};

double normal(qeval::core::SplitMix64& rng) { // Box-Muller
    const double u = 1.0 - rng.uniform(), v = rng.uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(2 * std::numbers::pi * v);
}

Planted plant(std::uint64_t seed, int n, int k, double base, double cand, double sigma) {
    qeval::core::SplitMix64 rng(seed);
    const double s = std::sqrt(1 + sigma * sigma);
    const double ab = stats::normal_quantile(base) * s, ac = stats::normal_quantile(cand) * s;
    auto phi = [](double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); };
    Planted out;
    for (int i = 0; i < n; ++i) {
        const double z = sigma * normal(rng);
        const double pb = phi(ab + z), pc = phi(ac + z);
        int cb = 0, cc = 0;
        for (int j = 0; j < k; ++j) {
            cb += rng.uniform() < pb;
            cc += rng.uniform() < pc;
        }
        const std::string id = "q" + std::to_string(i);
        out.baseline.push_back(problem(id, cb, k));
        out.candidate.push_back(problem(id, cc, k));
    }
    return out;
}

} // namespace

// ---- closed forms and fixtures: one run ---------------------------------------------------------------------------

TEST_CASE("stats: score_problems counts verdicts, errors, truncation and the majority", "[stats]") {
    const std::vector<stats::SampleRow> rows = {row("b", 1, Verdict::incorrect, "5", "length", 100),
                                                row("a", 0, Verdict::correct, "4", "stop", 10),
                                                row("a", 1, Verdict::error, "", "", 0),
                                                row("b", 0, Verdict::correct, "4", "stop", 20),
                                                row("a", 2, Verdict::no_answer, "", "length", 30),
                                                row("c", 0, Verdict::error),
                                                row("b", 2, Verdict::incorrect, "5", "stop", 40)};
    const auto ps = stats::score_problems(rows);
    REQUIRE(ps.size() == 3);
    CHECK(ps[0].id == "a");
    CHECK((ps[0].samples == 3 && ps[0].graded == 2 && ps[0].correct == 1 && ps[0].no_answer == 1));
    CHECK((ps[0].truncated == 1 && ps[0].completion_tokens == 40 && ps[0].majority_correct));
    CHECK((ps[1].id == "b" && ps[1].graded == 3 && ps[1].correct == 1 && !ps[1].majority_correct));
    CHECK((ps[2].id == "c" && ps[2].samples == 1 && ps[2].graded == 0));

    const stats::RunSummary s = stats::summarize(ps);
    CHECK((s.n_problems == 2 && s.n_excluded == 1 && s.samples_per_problem == 3));
    CHECK((s.n_samples == 7 && s.n_errors == 2));
    CHECK(s.accuracy.value == Approx(100.0 * (0.5 + 1.0 / 3) / 2));
    CHECK(s.no_answer_rate == Approx(20.0));
    CHECK(s.truncation_rate == Approx(40.0));
    CHECK(s.mean_completion_tokens == Approx(40.0));
    REQUIRE(s.pass_at_k); // k = 3 (a has 3 rows): only b has 3 graded samples; pass@3 of 1 correct in 3 is 1
    CHECK(s.pass_at_k->n_problems == 1);
    CHECK(s.pass_at_k->value == Approx(100.0));
    REQUIRE(s.maj_at_k);
    CHECK(s.maj_at_k->value == Approx(50.0));

    const std::vector<stats::SampleRow> twice = {row("a", 0, Verdict::correct), row("a", 0, Verdict::incorrect)};
    CHECK_THROWS_AS(stats::score_problems(twice), qeval::Error);
}

TEST_CASE("stats: normal_quantile matches scipy.stats.norm.ppf", "[stats]") {
    for (const auto& r : load("normal_quantile.jsonl")) {
        INFO(r.where);
        CHECK(close(stats::normal_quantile(num(r.json["p"])), num(r.json["expected"]), 1e-13, 1e-13));
    }
    CHECK_THROWS_AS(stats::normal_quantile(0.0), qeval::Error);
}

TEST_CASE("stats: pass_at_k matches exact binomial ratios and closed forms", "[stats]") {
    for (const auto& r : load("pass_at_k.jsonl")) {
        INFO(r.where);
        const int n = r.json["n"].get<int>(), c = r.json["c"].get<int>(), k = r.json["k"].get<int>();
        CHECK(close(stats::pass_at_k(n, c, k), num(r.json["expected"]), 1e-13));
    }
    for (int n = 1; n <= 20; ++n)
        for (int c = 0; c <= n; ++c) {
            CHECK(stats::pass_at_k(n, c, 1) == Approx(static_cast<double>(c) / n)); // pass@1 = c / n
            CHECK(stats::pass_at_k(n, c, n) == (c > 0 ? 1.0 : 0.0));                // pass@n = any correct
        }
    CHECK_THROWS_AS(stats::pass_at_k(4, 1, 5), qeval::Error);
    // Over problems: those with fewer than k graded samples are left out.
    const std::vector<ProblemScore> ps = {problem("a", 1, 4), problem("b", 0, 4), problem("c", 1, 2)};
    const stats::Estimate e = stats::pass_at_k(ps, 2);
    CHECK(e.n_problems == 3);
    CHECK(e.value == Approx(100.0 * (0.5 + 0 + 1) / 3));
    CHECK(stats::pass_at_k(ps, 3).n_problems == 2);
}

TEST_CASE("stats: mean_estimate (clustered standard error) matches numpy", "[stats]") {
    for (const auto& r : load("mean_estimate.jsonl")) {
        INFO(r.where);
        const auto values = r.json["values"].get<std::vector<double>>();
        const stats::Estimate e = stats::mean_estimate(values);
        CHECK(e.n_problems == static_cast<int>(values.size()));
        CHECK(close(e.value, num(r.json["value"]), 1e-10));
        CHECK(close(e.std_error, num(r.json["std_error"]), 1e-10));
        const Json& ci = r.json["ci95"];
        CHECK(close(e.ci95.lo, ci.is_null() ? std::nan("") : num(ci[0]), 1e-9));
        CHECK(close(e.ci95.hi, ci.is_null() ? std::nan("") : num(ci[1]), 1e-9));
    }
}

TEST_CASE("stats: percentile_interval matches numpy.percentile", "[stats]") {
    for (const auto& r : load("percentile.jsonl")) {
        INFO(r.where);
        auto values = r.json["values"].get<std::vector<double>>();
        const Interval iv = stats::percentile_interval(values, num(r.json["level"]));
        CHECK(close(iv.lo, num(r.json["ci"][0]), 1e-12, 1e-12));
        CHECK(close(iv.hi, num(r.json["ci"][1]), 1e-12, 1e-12));
    }
    std::vector<double> with_inf = {1, 2, INFINITY, INFINITY};
    CHECK(stats::percentile_interval(with_inf, 0.5).hi == INFINITY);
    CHECK(std::isnan(stats::percentile_interval(std::span<double>(), 0.95).lo));
}

TEST_CASE("stats: majority vote follows NeMo-Skills' rule", "[stats]") {
    for (const auto& r : load("majority.jsonl")) {
        INFO(r.where);
        std::vector<stats::SampleRow> rows;
        for (const Json& s : r.json["samples"])
            rows.push_back(row("p", s[0].get<int>(), *qeval::core::verdict_from_string(s[1].get<std::string>()),
                               s[2].get<std::string>()));
        const stats::MajorityVote v = stats::majority_vote(rows, r.json["k"].get<int>());
        CHECK(v.answer == r.json["answer"].get<std::string>());
        CHECK(v.correct == r.json["correct"].get<bool>());
        CHECK(v.votes == r.json["votes"].get<int>());
    }
}

// ---- fixtures: tests ----------------------------------------------------------------------------------------------

TEST_CASE("stats: exact binomial (McNemar) p-values match scipy.stats.binomtest", "[stats]") {
    for (const auto& r : load("binomial.jsonl")) {
        INFO(r.where);
        CHECK(close(stats::binomial_two_sided_half(r.json["a"].get<int>(), r.json["b"].get<int>()),
                    num(r.json["expected"]), 0, 1e-9));
    }
    CHECK(stats::binomial_two_sided_half(0, 5) == Approx(2.0 / 32)); // closed form: 2 * 2^-5
}

TEST_CASE("stats: sign-flip test matches scipy.stats.permutation_test", "[stats]") {
    for (const auto& r : load("sign_flip.jsonl")) {
        INFO(r.where);
        const auto d = r.json["differences"].get<std::vector<double>>();
        const stats::PairedTest t = stats::sign_flip_test(d, 10000, 7);
        const bool exact = r.json["exact"].get<bool>();
        CHECK(t.method ==
              (exact ? stats::PairedTestMethod::sign_flip_exact : stats::PairedTestMethod::sign_flip_permutation));
        CHECK(close(t.p_value, num(r.json["expected"]), num(r.json["tolerance"])));
    }
    // Closed form: 4 positive differences, exact: only the all-plus and all-minus patterns reach |sum|: 2 / 16.
    const std::vector<double> d = {1, 2, 3, 4};
    CHECK(stats::sign_flip_test(d, 10000, 1).p_value == Approx(2.0 / 16));
    CHECK(stats::sign_flip_test(d, 0, 1).method == stats::PairedTestMethod::none);
}

// ---- fixtures: paired comparison ----------------------------------------------------------------------------------

TEST_CASE("stats: compare matches numpy/scipy (points exactly, bootstrap intervals within Monte Carlo error)",
          "[stats]") {
    for (const auto& r : load("compare.jsonl")) {
        INFO(r.where);
        const Json& j = r.json;
        const auto base = problems_from(j["baseline"]), cand = problems_from(j["candidate"]);
        const stats::TaskComparison c = stats::compare({j["task"].get<std::string>(), base, cand});
        CHECK(c.n_problems == j["n_problems"].get<int>());
        CHECK(c.n_baseline_only == j["n_baseline_only"].get<int>());
        CHECK(c.n_candidate_only == j["n_candidate_only"].get<int>());
        CHECK(close(c.baseline.value, num(j["baseline_accuracy"]), 1e-9));
        CHECK(close(c.candidate.value, num(j["candidate_accuracy"]), 1e-9));
        CHECK(close(c.retention, num(j["retention"]), 1e-9));
        CHECK(close(c.delta, num(j["delta"]), 1e-9));
        CHECK(static_cast<int>(c.flips.gained.size()) == j["gained"].get<int>());
        CHECK(static_cast<int>(c.flips.lost.size()) == j["lost"].get<int>());
        CHECK(stats::to_string(c.test.method) == j["test"]["method"].get<std::string>());
        CHECK(close(c.test.p_value, num(j["test"]["p_value"]), num(j["test"]["tolerance"])));
        CHECK(close(c.mdd.points, num(j["mdd_points"]), 1e-9));
        CHECK(close(c.mdd.percent_of_baseline, num(j["mdd_percent_of_baseline"]), 1e-9));
        CHECK(close(c.mdd.sd_points, num(j["sd_points"]), 1e-9));
        // Two independent 10,000-resample percentile endpoints differ by ~0.04 bootstrap SE (sd): allow 0.2 SE, plus
        // one step of the lattice the resampled statistic lives on (with k = 1 a delta moves in steps of 100 / n).
        const double delta_step = 100.0 / (c.n_problems * std::lcm(c.baseline_samples, c.candidate_samples));
        for (const char* what : {"retention", "delta"}) {
            INFO(what);
            const bool ret = std::string(what) == "retention";
            const Interval got = ret ? c.retention_ci95 : c.delta_ci95;
            const Json& ci = j[std::string(what) + "_ci95"];
            const double tol =
                0.2 * num(j[std::string(what) + "_se"]) + (ret ? 100.0 * delta_step / c.baseline.value : delta_step);
            CHECK(close(got.lo, num(ci[0]), tol));
            CHECK(close(got.hi, num(ci[1]), tol));
            CHECK(close(got.hi - got.lo, num(ci[1]) - num(ci[0]), 2 * tol));
        }
    }
}

TEST_CASE("stats: the average row matches a stratified scipy.stats.bootstrap", "[stats]") {
    for (const auto& r : load("average.jsonl")) {
        INFO(r.where);
        std::vector<std::vector<ProblemScore>> base, cand;
        std::vector<stats::PairedTask> tasks;
        for (const Json& t : r.json["tasks"]) {
            base.push_back(problems_from(t["baseline"]));
            cand.push_back(problems_from(t["candidate"]));
        }
        for (std::size_t i = 0; i < base.size(); ++i)
            tasks.push_back({r.json["tasks"][i]["task"].get<std::string>(), base[i], cand[i]});
        const stats::SuiteComparison s = stats::compare_suite(tasks);
        const Json& a = r.json["average"];
        const stats::AverageRow& got = s.average;
        CHECK(got.n_tasks == a["n_tasks"].get<int>());
        CHECK(close(got.baseline.value, num(a["baseline"]), 1e-9));
        CHECK(close(got.candidate.value, num(a["candidate"]), 1e-9));
        CHECK(close(got.baseline.std_error, num(a["baseline_se"]), 1e-9));
        CHECK(close(got.candidate.std_error, num(a["candidate_se"]), 1e-9));
        CHECK(close(got.retention, num(a["retention"]), 1e-9));
        CHECK(close(got.delta, num(a["delta"]), 1e-9));
        const double rse = num(a["retention_se"]), dse = num(a["delta_se"]);
        CHECK(close(got.retention_ci95.lo, num(a["retention_ci95"][0]), 0.2 * rse));
        CHECK(close(got.retention_ci95.hi, num(a["retention_ci95"][1]), 0.2 * rse));
        CHECK(close(got.delta_ci95.lo, num(a["delta_ci95"][0]), 0.2 * dse));
        CHECK(close(got.delta_ci95.hi, num(a["delta_ci95"][1]), 0.2 * dse));
    }
}

// ---- reproducibility and edge cases -------------------------------------------------------------------------------

TEST_CASE("stats: the bootstrap is reproducible: same seed, same bits, per-task streams, input order", "[stats]") {
    const Planted a = plant(5, 300, 4, 0.8, 0.78, 1.0), b = plant(6, 120, 8, 0.5, 0.5, 1.0);
    const stats::PairedTask ta{"task_a", a.baseline, a.candidate}, tb{"task_b", b.baseline, b.candidate};
    const stats::TaskComparison x = stats::compare(ta), y = stats::compare(ta);
    CHECK(x.retention_ci95.lo == y.retention_ci95.lo);
    CHECK(x.retention_ci95.hi == y.retention_ci95.hi);
    CHECK(x.delta_ci95.lo == y.delta_ci95.lo);
    CHECK(x.test.p_value == y.test.p_value);
    // Pinned with the default seed (a regression pin, not an independent value): a change here changes every
    // reported interval, and must be deliberate.
    CHECK(x.retention_ci95.lo == Approx(95.098760009947242).epsilon(1e-12));
    CHECK(x.retention_ci95.hi == Approx(102.38837813429126).epsilon(1e-12));

    stats::CompareOptions other;
    other.seed = 99;
    CHECK(stats::compare(ta, other).retention_ci95.lo != x.retention_ci95.lo);

    // A task's numbers do not depend on the other tasks of the suite, nor on their order.
    const std::vector<stats::PairedTask> suite = {tb, ta};
    const stats::SuiteComparison s = stats::compare_suite(suite);
    CHECK(s.tasks[1].retention_ci95.lo == x.retention_ci95.lo);
    CHECK(s.tasks[1].delta_ci95.hi == x.delta_ci95.hi);

    // Nor on the order of the problems.
    std::vector<ProblemScore> rb(a.baseline.rbegin(), a.baseline.rend());
    const stats::TaskComparison z = stats::compare({"task_a", rb, a.candidate});
    CHECK(z.retention_ci95.lo == x.retention_ci95.lo);
    CHECK(z.retention_ci95.hi == x.retention_ci95.hi);
}

TEST_CASE("stats: compare edge cases (nothing paired, zero baseline, one problem, repeated id)", "[stats]") {
    const std::vector<ProblemScore> none;
    const std::vector<ProblemScore> one = {problem("a", 1, 1)};
    const stats::TaskComparison empty = stats::compare({"t", one, none});
    CHECK((empty.n_problems == 0 && empty.n_baseline_only == 1));
    CHECK(std::isnan(empty.retention_ci95.lo));
    CHECK(empty.test.method == stats::PairedTestMethod::none);
    CHECK(stats::gate(empty, {}) == GateVerdict::inconclusive);

    // Baseline 0 on every problem: retention undefined; resamples with a correct candidate give +inf.
    const std::vector<ProblemScore> zeros = {problem("a", 0, 2), problem("b", 0, 2), problem("c", 0, 2)};
    const std::vector<ProblemScore> some = {problem("a", 1, 2), problem("b", 0, 2), problem("c", 0, 2)};
    const stats::TaskComparison z = stats::compare({"t", zeros, some});
    CHECK(std::isnan(z.retention));
    CHECK(z.retention_ci95.hi == INFINITY);
    CHECK(z.undefined_resamples > 0);
    CHECK(z.delta == Approx(100.0 / 6));

    const stats::TaskComparison single = stats::compare({"t", one, one});
    CHECK(single.retention == Approx(100));
    CHECK((single.retention_ci95.lo == 100 && single.retention_ci95.hi == 100));
    CHECK(std::isnan(single.baseline.std_error));
    CHECK(single.test.method == stats::PairedTestMethod::mcnemar_exact);
    CHECK(single.test.p_value == 1.0);

    const std::vector<ProblemScore> dup = {problem("a", 1, 1), problem("a", 0, 1)};
    CHECK_THROWS_AS(stats::compare({"t", dup, one}), qeval::Error);
}

TEST_CASE("stats: compare_by_category, closed form", "[stats]") {
    // Category A: baseline 1, 1/2, 0; candidate 1/2, 1/2, 0 -> differences -50, 0, 0 points. B: one problem each.
    // Unpaired and ungraded problems stay out.
    std::vector<ProblemScore> base = {problem("a1", 2, 2), problem("a2", 1, 2), problem("a3", 0, 2),
                                      problem("b1", 1, 1), problem("c1", 1, 1), problem("d1", 0, 0)};
    std::vector<ProblemScore> cand = {problem("a1", 1, 2), problem("a2", 1, 2), problem("a3", 0, 2),
                                      problem("b1", 0, 1), problem("d1", 1, 1)};
    for (auto& p : base)
        p.category = p.id.substr(0, 1) == "a" ? "A" : p.id.substr(0, 1) == "b" ? "B" : "X";
    auto rows = stats::compare_by_category({"t", base, cand});
    REQUIRE(rows.size() == 2); // c1 has no candidate, d1 no graded baseline
    CHECK(rows[0].category == "A");
    CHECK(rows[0].baseline.n_problems == 3);
    CHECK(rows[0].baseline.value == Approx(50.0));
    CHECK(rows[0].candidate.value == Approx(100.0 / 3));
    CHECK(rows[0].retention == Approx(100.0 * (1.0 / 3) / 0.5));
    CHECK(rows[0].delta == Approx(-50.0 / 3));
    // sd of (-50, 0, 0) = sqrt(((-100/3)^2 + 2 (50/3)^2) / 2) = 28.8675; se = sd / sqrt(3) = 16.6667
    const double half = stats::normal_quantile(0.975) * 28.867513459481287 / std::sqrt(3.0);
    CHECK(rows[0].delta_ci95.lo == Approx(-50.0 / 3 - half));
    CHECK(rows[0].delta_ci95.hi == Approx(-50.0 / 3 + half));
    CHECK(rows[1].category == "B");
    CHECK(rows[1].delta == Approx(-100.0));
    CHECK(std::isnan(rows[1].delta_ci95.lo)); // one problem: no interval
}

TEST_CASE("stats: minimum detectable drop, closed form", "[stats]") {
    // (1.959964 + 0.841621) * 20 / sqrt(400) = 2.801585 points; 3.5% of an 80% baseline.
    const stats::MinDetectableDrop m = stats::min_detectable_drop(20.0, 400, 80.0);
    CHECK(m.points == Approx(2.8015852).epsilon(1e-6));
    CHECK(m.percent_of_baseline == Approx(100 * 2.8015852 / 80).epsilon(1e-6));
    CHECK(std::isnan(stats::min_detectable_drop(20.0, 1, 80.0).points));
    // Planning, with no candidate: the baseline's per-problem sd (0/1 values at 50%: sd 50.13 points over 100).
    std::vector<ProblemScore> b;
    for (int i = 0; i < 100; ++i)
        b.push_back(problem("q" + std::to_string(i), i % 2, 1));
    const stats::MinDetectableDrop p = stats::min_detectable_drop(b);
    CHECK(p.sd_points == Approx(100 * std::sqrt(0.25 * 100 / 99)));
    CHECK(p.points == Approx(2.8015852 * p.sd_points / 10).epsilon(1e-6));
}

// ---- gate ---------------------------------------------------------------------------------------------------------

TEST_CASE("stats: gate truth table (retention alone, guard either, guard both)", "[stats]") {
    stats::GateOptions ret;
    ret.min_retention = 98;
    const Interval any_delta{-1, 1};
    CHECK(stats::gate({98.0, 101}, any_delta, ret) == GateVerdict::pass); // lower bound == threshold passes
    CHECK(stats::gate({97.9, 101}, any_delta, ret) == GateVerdict::inconclusive);
    CHECK(stats::gate({90, 97.99}, any_delta, ret) == GateVerdict::fail);
    CHECK(stats::gate({NAN, NAN}, any_delta, ret) == GateVerdict::inconclusive);

    stats::GateOptions either = ret, both = ret;
    either.max_drop_points = both.max_drop_points = 1.0;
    both.mode = stats::GuardMode::both;
    const Interval r_pass{98.5, 101}, r_inc{95, 101}, r_fail{90, 97};
    const Interval d_pass{-0.5, 1}, d_inc{-3, 1}, d_fail{-5, -2};
    struct Case {
        Interval r, d;
        GateVerdict either, both;
    };
    const Case cases[] = {
        {r_pass, d_pass, GateVerdict::pass, GateVerdict::pass},
        {r_pass, d_inc, GateVerdict::pass, GateVerdict::inconclusive},
        {r_pass, d_fail, GateVerdict::pass, GateVerdict::fail},
        {r_inc, d_pass, GateVerdict::pass, GateVerdict::inconclusive},
        {r_inc, d_inc, GateVerdict::inconclusive, GateVerdict::inconclusive},
        {r_inc, d_fail, GateVerdict::inconclusive, GateVerdict::fail},
        {r_fail, d_pass, GateVerdict::pass, GateVerdict::fail},
        {r_fail, d_inc, GateVerdict::inconclusive, GateVerdict::fail},
        {r_fail, d_fail, GateVerdict::fail, GateVerdict::fail},
    };
    for (const Case& c : cases) {
        INFO("retention [" << c.r.lo << ", " << c.r.hi << "], delta [" << c.d.lo << ", " << c.d.hi << "]");
        CHECK(stats::to_string(stats::gate(c.r, c.d, either)) == stats::to_string(c.either));
        CHECK(stats::to_string(stats::gate(c.r, c.d, both)) == stats::to_string(c.both));
        // points: the delta criterion alone, whatever the retention says (night over night)
        stats::GateOptions points = both;
        points.mode = stats::GuardMode::points;
        CHECK(stats::gate(c.r, c.d, points) == stats::criterion(c.d, -1.0));
    }
    stats::GateOptions no_drop;
    no_drop.mode = stats::GuardMode::points;
    CHECK_THROWS_AS(stats::gate(r_pass, d_pass, no_drop), qeval::Error); // points without max_drop_points
    for (auto m : {stats::GuardMode::either, stats::GuardMode::both, stats::GuardMode::points})
        CHECK(stats::guard_mode_from_string(stats::to_string(m)) == m);
    CHECK_FALSE(stats::guard_mode_from_string("sometimes"));
}

// ---- simulation ---------------------------------------------------------------------------------------------------

// Baseline 80%, candidate 78% (retention 97.5%), 500 problems x 4 samples, per-problem difficulty sd 2 on the probit
// scale (samples of a problem are correlated; pairs share the difficulty), 200 seeded repetitions, the bootstrap with
// 2,000 resamples (the test stays near a second). Expected rates, from 2,000 repetitions of the same model in numpy
// (tools/make_stats_fixtures.py's plant()): coverage 94.6%; a planted 5% drop (76%) fails a 98% gate in 79% (it lies
// 3 retention points under the threshold, about this design's minimum detectable drop: 80% power is what 500 x 4
// can give); a planted 0% drop fails in 0.05% and passes in 47%.
TEST_CASE("stats: simulation: 95% retention intervals cover about 95%, the gate catches drops", "[stats]") {
    constexpr int kReps = 200, kN = 500, kK = 4;
    constexpr double kSigma = 2.0, kPlanted = 100.0 * 0.78 / 0.80;
    stats::CompareOptions options;
    options.resamples = 2000; // 600 comparisons: the endpoints' Monte Carlo error (~0.06 SE) does not move coverage
    options.permutations = 0; // the test's p-value is not looked at here
    stats::GateOptions g98;
    g98.min_retention = 98;
    int cover = 0, cover_delta = 0, fail_drop = 0, fail_same = 0, pass_same = 0;
    double mdd = 0;
    for (int rep = 0; rep < kReps; ++rep) {
        const Planted p = plant(1000 + rep, kN, kK, 0.80, 0.78, kSigma);
        const stats::TaskComparison c = stats::compare({"sim", p.baseline, p.candidate}, options);
        cover += c.retention_ci95.lo <= kPlanted && kPlanted <= c.retention_ci95.hi;
        cover_delta += c.delta_ci95.lo <= -2.0 && -2.0 <= c.delta_ci95.hi;
        mdd += c.mdd.percent_of_baseline / kReps;
        const Planted drop = plant(5000 + rep, kN, kK, 0.80, 0.76, kSigma);
        fail_drop +=
            stats::gate(stats::compare({"sim", drop.baseline, drop.candidate}, options), g98) == GateVerdict::fail;
        const Planted same = plant(9000 + rep, kN, kK, 0.80, 0.80, kSigma);
        const GateVerdict v = stats::gate(stats::compare({"sim", same.baseline, same.candidate}, options), g98);
        fail_same += v == GateVerdict::fail;
        pass_same += v == GateVerdict::pass;
    }
    WARN("simulation, " << kReps << " repetitions: retention coverage " << cover * 100.0 / kReps << "%, delta coverage "
                        << cover_delta * 100.0 / kReps << "%; 5% drop fails the 98% gate " << fail_drop * 100.0 / kReps
                        << "%; 0% drop fails " << fail_same * 100.0 / kReps << "%, passes " << pass_same * 100.0 / kReps
                        << "%; mean minimum detectable drop " << mdd << "% of baseline");
    // Binomial tolerance at 200 repetitions: sd of a 95% rate is 1.5 points.
    CHECK(cover >= 176); // 88%
    CHECK(cover <= 198); // 99%
    CHECK(cover_delta >= 176);
    CHECK(cover_delta <= 198);
    CHECK(fail_drop >= 130); // 65%: expected 79% (sd 2.9 points)
    CHECK(fail_same <= 1);   // expected 0.1 of 200 (a fail needs the estimate 3.2 SE below the truth)
}

// ---- timing (hidden: ./qeval_tests "[.bench]") --------------------------------------------------------------------

TEST_CASE("stats bench: 12,032 problems x 8 samples, 10,000 resamples, 10,000 permutations", "[.bench]") {
    const Planted p = plant(42, 12032, 8, 0.85, 0.84, 1.5);
    const auto start = std::chrono::steady_clock::now();
    const stats::TaskComparison c = stats::compare({"mmlu_pro", p.baseline, p.candidate});
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    stats::CompareOptions no_test;
    no_test.permutations = 0;
    const auto start2 = std::chrono::steady_clock::now();
    const stats::TaskComparison d = stats::compare({"mmlu_pro", p.baseline, p.candidate}, no_test);
    const double ms2 = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start2).count();
    WARN("compare: " << ms << " ms (bootstrap alone: " << ms2 << " ms); retention " << c.retention << " ["
                     << c.retention_ci95.lo << ", " << c.retention_ci95.hi << "], p " << c.test.p_value << " ("
                     << stats::to_string(c.test.method) << ")");
    CHECK(d.retention == c.retention);
}
