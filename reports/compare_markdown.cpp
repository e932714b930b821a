// `qeval compare --format md`: two layouts of the same numbers. NVIDIA's model cards: precision rows x benchmark
// columns (accuracy), then a retention row per candidate. Red Hat's: one table per candidate, benchmark rows with
// baseline, candidate and "Recovery (%)", plus what quantization tends to move (no-answer and truncation rates,
// output length) and the gate. Every accuracy carries its 95% interval; each column says n problems x k samples.
// Labels, task names and warnings are escaped for table cells ('|', newlines, '<' and '>'; invalid UTF-8 replaced).
#include <cmath>
#include <cstdio>

#include "reports/compare_report.hpp"
#include "reports/format.hpp"

namespace qeval::reports {
namespace {

namespace st = core::stats;

std::string nk(int n, int k) {
    return std::to_string(n) + "x" + std::to_string(k);
}

void nvidia_layout(const CompareReport& r, std::string& out) {
    const auto& first = r.candidates.front();
    out += "### Accuracy (%, 95% interval)\n\n| Precision |";
    for (const auto& t : first.tasks)
        out += " " + cell(t.task) + " (" + nk(t.comparison.n_problems, t.comparison.baseline_samples) + ") |";
    out += " Average |\n|---|";
    for (std::size_t i = 0; i <= first.tasks.size(); ++i)
        out += "---|";
    out += "\n| " + cell(r.baseline) + " (baseline) |";
    for (const auto& t : first.tasks)
        out += " " + with_interval(t.comparison.baseline.value, t.comparison.baseline.ci95) + " |";
    out += " " + with_interval(first.average.baseline.value, first.average.baseline.ci95) + " |\n";
    for (const auto& c : r.candidates) {
        out += "| " + cell(c.label) + " |";
        for (const auto& t : c.tasks)
            out += " " + with_interval(t.comparison.candidate.value, t.comparison.candidate.ci95) + " |";
        out += " " + with_interval(c.average.candidate.value, c.average.candidate.ci95) + " |\n";
    }
    for (const auto& c : r.candidates) {
        out += "| " + cell(c.label) + " retention (%) |";
        for (const auto& t : c.tasks)
            out += " " + with_interval(t.comparison.retention, t.comparison.retention_ci95) + " |";
        out += " " + with_interval(c.average.retention, c.average.retention_ci95) + " |\n";
    }
    out += "\n";
}

void redhat_layout(const CompareReport& r, const CandidateReport& c, std::string& out) {
    out += "### " + cell(c.label) + " vs " + cell(r.baseline) + "\n\n";
    out += "| Benchmark | n x k | " + cell(r.baseline) + " | " + cell(c.label) +
           " | Recovery (%) | Delta (points) | Flips +/- | p | No answer % (b/c) | Truncated % (b/c) | Output tokens "
           "(b/c) | Gate |\n";
    out += "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& t : c.tasks) {
        const st::TaskComparison& m = t.comparison;
        out += "| " + cell(t.task) + " | " + nk(m.n_problems, m.baseline_samples) +
               (m.candidate_samples != m.baseline_samples ? "/" + std::to_string(m.candidate_samples) : "") + " | " +
               with_interval(m.baseline.value, m.baseline.ci95) + " | " +
               with_interval(m.candidate.value, m.candidate.ci95) + " | " +
               with_interval(m.retention, m.retention_ci95) + " | " + with_interval(m.delta, m.delta_ci95) + " | +" +
               std::to_string(m.flips.gained.size()) + "/-" + std::to_string(m.flips.lost.size()) + " | " +
               fmt(m.test.p_value, 3) + " | " + fmt(t.baseline.no_answer_rate) + " / " +
               fmt(t.candidate.no_answer_rate) + " | " + fmt(t.baseline.truncation_rate) + " / " +
               fmt(t.candidate.truncation_rate) + " | " + fmt(t.baseline.mean_completion_tokens, 0) + " / " +
               fmt(t.candidate.mean_completion_tokens, 0) + " | " + std::string(st::to_string(t.verdict)) + " |\n";
    }
    const st::AverageRow& a = c.average;
    out += "| **Average** (" + std::to_string(a.n_tasks) + " tasks) | | " +
           with_interval(a.baseline.value, a.baseline.ci95) + " | " +
           with_interval(a.candidate.value, a.candidate.ci95) + " | " + with_interval(a.retention, a.retention_ci95) +
           " | " + with_interval(a.delta, a.delta_ci95) + " | | | | | | " +
           std::string(st::to_string(c.average_verdict)) + " |\n\n";
    for (const auto& t : c.tasks)
        for (const auto& b : t.breakdowns) {
            out += "#### " + cell(t.task) + " by " + cell(b.axis) + "\n\n| " + cell(b.axis) + " | n | " +
                   cell(r.baseline) + " | " + cell(c.label) + " | Recovery (%) | Delta (points) |\n" +
                   "|---|---|---|---|---|---|\n";
            for (const auto& g : b.rows)
                out += "| " + cell(g.category) + " | " + std::to_string(g.baseline.n_problems) + " | " +
                       with_interval(g.baseline.value, g.baseline.ci95) + " | " +
                       with_interval(g.candidate.value, g.candidate.ci95) + " | " + fmt(g.retention) + " | " +
                       with_interval(g.delta, g.delta_ci95) + " |\n";
            out += "\n";
        }
}

} // namespace

std::string to_markdown(const CompareReport& r) {
    std::string out = "## Retention against " + cell(r.baseline) + "\n\n";
    if (r.candidates.empty() || r.candidates.front().tasks.empty()) return out + "Nothing to compare.\n";
    nvidia_layout(r, out);
    for (const auto& c : r.candidates)
        redhat_layout(r, c, out);
    std::string rule = gate_rule(r.gate);
    out += "Gate: " + rule;
    for (const auto& [task, g] : r.task_gates)
        out += "; " + cell(task) + ": " + gate_rule(g).substr(5);
    out += ". Intervals: paired bootstrap over problems, " + std::to_string(r.resamples) +
           " resamples. n x k: paired problems x samples per problem.\n";
    if (!r.warnings.empty()) {
        out += "\n**Warnings**\n\n";
        for (const auto& w : r.warnings)
            out += "- " + cell(w) + "\n";
    }
    return out;
}

} // namespace qeval::reports
