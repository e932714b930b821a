// `qeval compare`: reads the stored samples of a baseline and of each candidate variant, task by task, and builds
// the CompareReport (reports/compare_report.hpp) with core/stats. Runs of one (variant, task) are combined (shards,
// resumed runs); when two runs hold the same (problem, sample), the newest run's is used and a warning says so.
// Runs whose settings, data or task versions differ between baseline and candidate are compared anyway and flagged.
// Every comparison is stored (table `comparisons`) with the runs it used and the qeval version that computed it.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/compare_report.hpp"

namespace qeval::harness {

struct CompareOptions {
    std::filesystem::path db;
    std::string baseline;
    std::vector<std::string> candidates;
    std::vector<std::string> tasks; // empty: every task the baseline has runs for
    core::stats::CompareOptions stats;
    core::stats::GateOptions gate;
    bool store = true;    // write every comparison to the `comparisons` table (harness/storage/comparisons.hpp)
    bool details = false; // fill the flipped problems' responses and the stored trend (the HTML report)
};

reports::CompareReport compare_variants(const CompareOptions& options);

// `qeval compare --history LABEL [--task T]`: the candidate's stored comparisons, oldest first, as a Markdown table
// or (json) an array of rows.
std::string comparison_history_text(const std::filesystem::path& db, const std::string& candidate,
                                    const std::string& task, bool json);

} // namespace qeval::harness
