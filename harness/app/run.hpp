// `qeval run`: the one place that knows the whole pipeline. For each task: load the data set, take the problems
// (stable order; --limit first N; --shard i/n every n-th), render prompts, ask the runner for every (problem,
// sample) pair the run does not have yet, grade each response as it arrives (a pool of grader threads), and commit
// it (a writer thread, one transaction per group of whatever has arrived). The same command resumes the same run
// (its fingerprint); nothing stored is generated again, failed requests are asked again.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace qeval::harness {

struct RunOptions {
    std::vector<std::string> tasks;
    std::string variant;
    std::string runner;
    core::Json runner_settings = core::Json::object();
    std::string prompt; // empty: each task's default
    int samples = 1;
    core::GenerateConfig generation;
    std::uint64_t seed = 0;
    std::size_t limit = 0; // 0: all problems
    int shard_index = 0, shard_count = 1;
    std::map<std::string, std::string> task_params; // release, start_date, end_date
    bool unsafe_no_sandbox = false; // code tasks: run programs without the sandbox's isolation (recorded)
    std::string night; // `qeval nightly`: "YYYY-MM-DD", part of the fingerprint (one run per night); empty: none
    std::filesystem::path data_dir, db;
    bool progress = true; // a progress line on stderr (redrawn on a terminal; a JSON line a minute otherwise)
    int graders = 0;      // grader threads; 0: one per core beyond the first (at least 1)
};

struct RunResult {
    std::int64_t run_id = 0;
    std::string task;
    bool resumed = false;
    std::size_t requested = 0, stored = 0, already_done = 0;
    std::size_t errors = 0, truncated = 0, retries = 0; // of this invocation's responses
    std::optional<double> accuracy;                     // avg@k over the whole run so far, in [0, 1]
    // Wall seconds from the first request to the last response stored (generation, grading and storage as they
    // overlap; not data loading or the run's set-up): the endpoint's pace as this run saw it. 0 when nothing was
    // requested.
    double generate_s = 0;
    core::Json to_json() const;
};

std::vector<RunResult> run_tasks(const RunOptions& options);

// "i/n" -> (i, n) with 0 <= i < n; throws Error(usage) otherwise.
std::pair<int, int> parse_shard(const std::string& text);

} // namespace qeval::harness
