// `qeval score --run ID` / `qeval score --variant LABEL [--task T]`: re-grade stored responses with the current
// grader, never asking the model again. Each run's data set is loaded with the run's own stored settings (seed,
// task parameters) and must hash as it did when the run was made (else refused, unless allow_data_change); failed
// requests are left alone (a resumed `qeval run` asks them again); new grades are written in batches.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "harness/storage/run_store.hpp"

namespace qeval::harness {

struct RescoreOptions {
    SampleFilter filter; // one run, or every run of a variant (optionally one task)
    std::filesystem::path db, data_dir;
    bool allow_data_change = false; // re-grade even when the data files hash differently from the run's
};

struct RescoreResult {
    std::int64_t run_id = 0;
    std::string variant, task;
    std::string task_version_stored, task_version_now; // the grader the run was made with, and today's
    std::size_t samples = 0;                           // stored samples of the run
    std::size_t regraded = 0;                          // responses graded again
    std::size_t request_errors = 0;                    // failed requests: not graded (nothing to grade)
    std::size_t missing_problems = 0;      // samples whose problem is no longer in the data (only with a data change)
    std::size_t changed = 0;               // verdicts that differ from the stored ones
    std::vector<std::string> data_changes; // files that differ from the run's (empty: the data is the run's)
    std::map<std::string, std::size_t> before, after;      // counts by verdict over every stored sample of the run
    std::map<std::string, std::size_t> transitions;        // "incorrect -> correct": count
    std::optional<double> accuracy_before, accuracy_after; // avg@k in [0, 1], errors left out (as `qeval runs`)

    core::Json to_json() const; // accuracies in percent (null when nothing is graded)
    std::string to_text() const;
};

std::vector<RescoreResult> rescore_runs(const RescoreOptions& options);

} // namespace qeval::harness
