// `qeval compare`: reads the stored samples of a baseline and of each candidate variant, task by task, and builds
// the CompareReport (reports/compare_report.hpp) with core/stats. Runs of one (variant, task) are combined (shards,
// resumed runs); when two runs hold the same (problem, sample), the newest run's is used and a warning says so.
// Runs whose settings, data or task versions differ between baseline and candidate are compared anyway and flagged.
// Every comparison is stored (table `comparisons`) with the runs it used and the qeval version that computed it.
#pragma once

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "harness/storage/run_store.hpp"
#include "reports/compare_report.hpp"

namespace qeval::harness {

struct CompareOptions {
    std::filesystem::path db;
    std::string baseline;
    std::vector<std::string> candidates;
    std::vector<std::string> tasks; // empty: every task the baseline has runs for
    core::stats::CompareOptions stats;
    core::stats::GateOptions gate;
    std::map<std::string, core::stats::GateOptions> task_gates; // per task, instead of `gate`
    // Which stored runs each side reads (`qeval nightly`: tonight's runs, the previous night's); empty: every run of
    // the (variant, task). baseline_side tells the sides apart when both sides are one variant.
    std::function<bool(bool baseline_side, const RunRecord& run)> select_runs;
    std::string night;          // `qeval nightly`: stored with each comparison (one row per night is kept)
    std::string baseline_title; // how the baseline is named in the report and stored rows; empty: its label
    bool store = true;          // write every comparison to the `comparisons` table (harness/storage/comparisons.hpp)
    bool details = false;       // fill the flipped problems' responses and the stored trend (the HTML report)
};

reports::CompareReport compare_variants(const CompareOptions& options);

// What must match for two runs to be compared like for like: the settings but the shard, the limit and the night,
// the task version and the data files.
core::Json comparable_settings(const RunRecord& run);

// `qeval compare --history LABEL [--task T]`: the candidate's stored comparisons, oldest first, as a Markdown table
// or (json) an array of rows.
std::string comparison_history_text(const std::filesystem::path& db, const std::string& candidate,
                                    const std::string& task, bool json);

} // namespace qeval::harness
