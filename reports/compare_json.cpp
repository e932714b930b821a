// `qeval compare --format json`: the contract in design.md ({"baseline", "candidates": [{"label", "tasks": [...],
// "average"}]}; percent for accuracies, retention and intervals, points for deltas), with extra fields beside the
// contract's (n per side, p-value, minimum detectable drop, mean output tokens, flipped ids, warnings). NaN is null.
#include <cmath>

#include "core/text.hpp"
#include "reports/compare_report.hpp"

namespace qeval::reports {
namespace {

using core::Json;
namespace st = core::stats;

// Strings from the data as valid UTF-8 (invalid bytes replaced), so any dump() of the result works.
std::string text(const std::string& s) {
    return core::to_valid_utf8(s);
}

Json texts(const std::vector<std::string>& v) {
    Json out = Json::array();
    for (const auto& s : v)
        out.push_back(text(s));
    return out;
}

Json number(double x) {
    return std::isfinite(x) ? Json(x) : Json();
}

Json interval(const st::Interval& i) {
    return Json::array({number(i.lo), number(i.hi)});
}

Json side(const st::Estimate& paired, const st::RunSummary& run) {
    return {{"accuracy", number(paired.value)},
            {"ci95", interval(paired.ci95)},
            {"std_error", number(paired.std_error)},
            {"n_problems", run.n_problems},
            {"samples_per_problem", run.samples_per_problem},
            {"errors", run.n_errors},
            {"no_answer_rate", number(run.no_answer_rate)},
            {"truncation_rate", number(run.truncation_rate)},
            {"mean_output_tokens", number(run.mean_completion_tokens)}};
}

Json breakdowns_json(const TaskReport& t) {
    Json out = Json::array();
    for (const auto& b : t.breakdowns) {
        Json groups = Json::array();
        for (const auto& g : b.rows)
            groups.push_back(
                {{"value", text(g.category)},
                 {"n_problems", g.baseline.n_problems},
                 {"baseline", {{"accuracy", number(g.baseline.value)}, {"ci95", interval(g.baseline.ci95)}}},
                 {"candidate", {{"accuracy", number(g.candidate.value)}, {"ci95", interval(g.candidate.ci95)}}},
                 {"retention", number(g.retention)},
                 {"delta", number(g.delta)},
                 {"delta_ci95", interval(g.delta_ci95)}});
        out.push_back({{"axis", text(b.axis)}, {"groups", groups}});
    }
    return out;
}

Json task_json(const TaskReport& t) {
    const st::TaskComparison& c = t.comparison;
    return {{"task", text(t.task)},
            {"n_problems", c.n_problems},
            {"samples_per_problem", std::max(c.baseline_samples, c.candidate_samples)},
            {"baseline", side(c.baseline, t.baseline)},
            {"candidate", side(c.candidate, t.candidate)},
            {"retention", number(c.retention)},
            {"retention_ci95", interval(c.retention_ci95)},
            {"delta", number(c.delta)},
            {"delta_ci95", interval(c.delta_ci95)},
            {"flips",
             {{"gained", c.flips.gained.size()},
              {"lost", c.flips.lost.size()},
              {"gained_ids", texts(c.flips.gained)},
              {"lost_ids", texts(c.flips.lost)}}},
            {"no_answer_rate", number(t.candidate.no_answer_rate)},
            {"truncation_rate", number(t.candidate.truncation_rate)},
            {"paired_test", {{"method", st::to_string(c.test.method)}, {"p_value", number(c.test.p_value)}}},
            {"min_detectable_drop_points", number(c.mdd.points)},
            {"n_baseline_only", c.n_baseline_only},
            {"n_candidate_only", c.n_candidate_only},
            {"baseline_runs", t.baseline_runs},
            {"candidate_runs", t.candidate_runs},
            {"breakdowns", breakdowns_json(t)},
            {"verdict", st::to_string(t.verdict)}};
}

} // namespace

core::Json to_json(const CompareReport& r) {
    Json candidates = Json::array();
    for (const auto& c : r.candidates) {
        Json tasks = Json::array();
        for (const auto& t : c.tasks)
            tasks.push_back(task_json(t));
        const st::AverageRow& a = c.average;
        candidates.push_back(
            {{"label", text(c.label)},
             {"tasks", tasks},
             {"average",
              {{"n_tasks", a.n_tasks},
               {"baseline", {{"accuracy", number(a.baseline.value)}, {"ci95", interval(a.baseline.ci95)}}},
               {"candidate", {{"accuracy", number(a.candidate.value)}, {"ci95", interval(a.candidate.ci95)}}},
               {"retention", number(a.retention)},
               {"retention_ci95", interval(a.retention_ci95)},
               {"delta", number(a.delta)},
               {"delta_ci95", interval(a.delta_ci95)},
               {"verdict", st::to_string(c.average_verdict)}}}});
    }
    auto gate_json = [](const st::GateOptions& g) {
        return Json{{"min_retention", g.min_retention},
                    {"max_drop_points", g.max_drop_points ? Json(*g.max_drop_points) : Json()},
                    {"mode", st::to_string(g.mode)}};
    };
    Json task_gates = Json::object();
    for (const auto& [task, g] : r.task_gates)
        task_gates[text(task)] = gate_json(g);
    return {{"baseline", text(r.baseline)}, {"candidates", candidates}, {"gate", gate_json(r.gate)},
            {"task_gates", task_gates},     {"resamples", r.resamples}, {"warnings", texts(r.warnings)}};
}

} // namespace qeval::reports
