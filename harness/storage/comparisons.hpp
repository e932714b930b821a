// Stored comparisons (schema v2, table `comparisons`; v3 added the night): every retention `qeval compare` computes is
// written here, one row per (candidate, task) plus the average row, so a release table or a trend is a query and `qeval
// compare
// --history LABEL` can print a candidate's retention over time. NaN is stored as NULL.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "harness/storage/db.hpp"

namespace qeval::harness {

struct ComparisonRecord {
    std::int64_t id = 0;                               // set when read back
    std::string created_at, baseline, candidate, task; // task "average" for the average row
    std::vector<std::int64_t> baseline_runs, candidate_runs;
    int n_problems = 0, samples_per_problem = 0;
    double baseline_accuracy = 0, candidate_accuracy = 0; // percent
    double retention = 0, retention_lo = 0, retention_hi = 0;
    double delta = 0, delta_lo = 0, delta_hi = 0; // points
    int gained = 0, lost = 0;
    std::string verdict;
    core::Json details = core::Json::object();
    std::string night; // `qeval nightly`: YYYY-MM-DD; empty for `qeval compare`
};

// Writes all records in one IMMEDIATE transaction. A record with a night replaces the rows stored for the same
// (baseline, candidate, task, night): judging a night again leaves one row per night.
void save_comparisons(Database& db, const std::vector<ComparisonRecord>& records);
// A candidate's stored comparisons, oldest first; `task` empty: every task.
std::vector<ComparisonRecord> comparison_history(Database& db, const std::string& candidate,
                                                 const std::string& task = "");

} // namespace qeval::harness
