// `qeval compare --format csv`: one row per (candidate, task) and one "average" row per candidate; RFC 4180 quoting;
// empty cells for what does not apply or is undefined. Percent and points as in the JSON. Text cells (labels, task
// names) that a spreadsheet would run as a formula (starting with = + - @, tab or CR) get a leading apostrophe, as
// OWASP's CSV injection advice says: a variant named "=HYPERLINK(...)" is shown, never evaluated.
#include <cmath>
#include <cstdio>
#include <string_view>

#include "reports/compare_report.hpp"

namespace qeval::reports {
namespace {

namespace st = core::stats;

std::string quote(const std::string& text) {
    const std::string s =
        !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos ? "'" + text : text;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s)
        out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string num(double x) {
    if (!std::isfinite(x)) return "";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.4f", x);
    return buf;
}

} // namespace

std::string to_csv(const CompareReport& r) {
    std::string out = "baseline,candidate,task,n_problems,baseline_samples,candidate_samples,baseline_accuracy,"
                      "baseline_lo,baseline_hi,candidate_accuracy,candidate_lo,candidate_hi,retention,retention_lo,"
                      "retention_hi,delta,delta_lo,delta_hi,gained,lost,p_value,baseline_no_answer_rate,"
                      "candidate_no_answer_rate,baseline_truncation_rate,candidate_truncation_rate,"
                      "baseline_mean_output_tokens,candidate_mean_output_tokens,verdict\r\n";
    for (const auto& c : r.candidates) {
        for (const auto& t : c.tasks) {
            const st::TaskComparison& m = t.comparison;
            out += quote(r.baseline) + "," + quote(c.label) + "," + quote(t.task) + "," + std::to_string(m.n_problems) +
                   "," + std::to_string(m.baseline_samples) + "," + std::to_string(m.candidate_samples) + "," +
                   num(m.baseline.value) + "," + num(m.baseline.ci95.lo) + "," + num(m.baseline.ci95.hi) + "," +
                   num(m.candidate.value) + "," + num(m.candidate.ci95.lo) + "," + num(m.candidate.ci95.hi) + "," +
                   num(m.retention) + "," + num(m.retention_ci95.lo) + "," + num(m.retention_ci95.hi) + "," +
                   num(m.delta) + "," + num(m.delta_ci95.lo) + "," + num(m.delta_ci95.hi) + "," +
                   std::to_string(m.flips.gained.size()) + "," + std::to_string(m.flips.lost.size()) + "," +
                   num(m.test.p_value) + "," + num(t.baseline.no_answer_rate) + "," + num(t.candidate.no_answer_rate) +
                   "," + num(t.baseline.truncation_rate) + "," + num(t.candidate.truncation_rate) + "," +
                   num(t.baseline.mean_completion_tokens) + "," + num(t.candidate.mean_completion_tokens) + "," +
                   std::string(st::to_string(t.verdict)) + "\r\n";
        }
        const st::AverageRow& a = c.average;
        out += quote(r.baseline) + "," + quote(c.label) + ",average," + std::to_string(a.baseline.n_problems) + ",,," +
               num(a.baseline.value) + "," + num(a.baseline.ci95.lo) + "," + num(a.baseline.ci95.hi) + "," +
               num(a.candidate.value) + "," + num(a.candidate.ci95.lo) + "," + num(a.candidate.ci95.hi) + "," +
               num(a.retention) + "," + num(a.retention_ci95.lo) + "," + num(a.retention_ci95.hi) + "," + num(a.delta) +
               "," + num(a.delta_ci95.lo) + "," + num(a.delta_ci95.hi) + ",,,,,,,,,," +
               std::string(st::to_string(c.average_verdict)) + "\r\n";
    }
    return out;
}

} // namespace qeval::reports
