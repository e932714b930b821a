// What `qeval compare` (and later `qeval nightly`) reports: for one baseline and each candidate, per task the paired
// comparison (core/stats), both sides' run summaries, the gate's verdict, and the average row; plus warnings about
// runs that are not comparable (different settings, data or task versions). Renderers, one file per format:
// compare_json.cpp (the design.md contract), compare_markdown.cpp (NVIDIA's and Red Hat's layouts), compare_csv.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/stats/stats.hpp"
#include "core/types.hpp"

namespace qeval::reports {

struct TaskReport {
    std::string task;
    std::vector<std::int64_t> baseline_runs, candidate_runs; // the stored runs each side's samples came from
    core::stats::RunSummary baseline, candidate;             // each side's own summary (all its graded problems)
    core::stats::TaskComparison comparison;                  // over the paired problems
    core::stats::GateVerdict verdict = core::stats::GateVerdict::inconclusive;
};

struct CandidateReport {
    std::string label;
    std::vector<TaskReport> tasks;
    core::stats::AverageRow average;
    core::stats::GateVerdict average_verdict = core::stats::GateVerdict::inconclusive;
};

struct CompareReport {
    std::string baseline;
    core::stats::GateOptions gate;
    int resamples = core::stats::kDefaultResamples;
    std::vector<CandidateReport> candidates;
    std::vector<std::string> warnings; // settings or data that differ between the compared runs, missing tasks...
};

core::Json to_json(const CompareReport& report);
std::string to_markdown(const CompareReport& report);
std::string to_csv(const CompareReport& report);

} // namespace qeval::reports
