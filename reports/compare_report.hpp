// What `qeval compare` (and later `qeval nightly`) reports: for one baseline and each candidate, per task the paired
// comparison (core/stats), both sides' run summaries, the gate's verdict, and the average row; plus warnings about
// runs that are not comparable (different settings, data or task versions). Renderers, one file per format:
// compare_json.cpp (the design.md contract), compare_markdown.cpp (NVIDIA's and Red Hat's layouts), compare_csv.cpp,
// compare_html.cpp (one self-contained page with charts).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/stats/stats.hpp"
#include "core/types.hpp"

namespace qeval::reports {

// Accuracy of both sides broken down by one axis of the problems (MATH subject, MMLU-Pro category...).
struct Breakdown {
    std::string axis;
    std::vector<core::stats::CategoryComparison> rows;
};

struct TaskReport {
    std::string task;
    std::vector<std::int64_t> baseline_runs, candidate_runs; // the stored runs each side's samples came from
    core::stats::RunSummary baseline, candidate;             // each side's own summary (all its graded problems)
    core::stats::TaskComparison comparison;                  // over the paired problems
    core::stats::GateVerdict verdict = core::stats::GateVerdict::inconclusive;
    std::vector<Breakdown> breakdowns; // axes with at least two values among the paired problems
};

// A problem one side solved (by majority) and the other did not, with one response from each side (the first
// sample by index) for the HTML report's side-by-side table. Model responses are untrusted text.
struct FlippedProblem {
    std::string task, problem_id;
    bool gained = false; // true: the candidate solved it and the baseline did not
    std::string baseline_response, candidate_response;
    std::string baseline_extracted, candidate_extracted;
    std::string baseline_verdict, candidate_verdict;
};

// One stored comparison of this candidate with this baseline on one task (the trend, oldest first; this run's
// comparison is the last point when it was stored).
struct TrendPoint {
    std::string created_at;
    double retention = 0;
    core::stats::Interval retention_ci95;
    std::string verdict;
};

struct CandidateReport {
    std::string label;
    std::vector<TaskReport> tasks;
    std::vector<FlippedProblem> flipped;                  // filled for the HTML report (at most 50 per task)
    std::map<std::string, std::vector<TrendPoint>> trend; // task -> stored comparisons with this baseline
    core::stats::AverageRow average;
    core::stats::GateVerdict average_verdict = core::stats::GateVerdict::inconclusive;
};

struct CompareReport {
    std::string baseline;
    core::stats::GateOptions gate;
    std::map<std::string, core::stats::GateOptions> task_gates; // tasks with a gate of their own (a suite's gates)
    int resamples = core::stats::kDefaultResamples;
    std::vector<CandidateReport> candidates;
    std::vector<std::string> warnings; // settings or data that differ between the compared runs, missing tasks...
};

// The gate a task is judged by: its own, else the report's.
const core::stats::GateOptions& gate_for(const CompareReport& report, const std::string& task);

core::Json to_json(const CompareReport& report);
std::string to_markdown(const CompareReport& report);
std::string to_csv(const CompareReport& report);
// One self-contained HTML file: inline CSS and SVG drawn here, no script, no network. Everything from the data
// (labels, task names, responses, warnings) is escaped.
std::string to_html(const CompareReport& report);
// Its pieces, for pages that hold more (the nightly report): the page around an escaped title and a body (the
// report's CSS inline), and the compare report's body.
std::string html_page(const std::string& escaped_title, const std::string& body);
std::string compare_html_body(const CompareReport& report);

} // namespace qeval::reports
