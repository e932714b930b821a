// A nightly suite file (`qeval nightly --suite FILE.toml`, examples/nightly.toml): the variants with their runner
// settings (one of them the baseline), the tasks with samples per problem and generation settings, and the gates.
// Parsed with toml++; every key is checked, and a bad one is an input error naming the file, line and key with what
// was expected. Paths in the file (db, report, junit, data_dir, a replay runner's responses) are relative to the
// suite file's folder; report and junit may hold "{date}" (the night) and "{name}" (the suite's name).
//
// Settings are layered: [defaults], then [tasks.T], then [variants.V] (a variant that deviates, deviates on
// purpose; compare flags runs that were not made alike).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/stats/stats.hpp"
#include "harness/app/run.hpp"

namespace qeval::harness {

struct SuiteVariant {
    std::string label;
    bool baseline = false;
    bool each_night = true; // rerun = "each-night" (a fresh run per night) or "once" (the default for the baseline)
    int line = 0;           // where [variants.<label>] starts, for messages
};

struct SuiteTask {
    std::string name; // as the task list knows it (aime24, mmlu_pro...)
    int line = 0;
};

struct Suite {
    std::filesystem::path file;
    std::string name;
    std::optional<std::filesystem::path> db; // none: --db, $QEVAL_DB, ./qeval.sqlite
    std::string report;                      // path template ("{date}"); empty: no report files
    std::string junit;                       // path template; empty: none (unless --junit)
    std::optional<std::filesystem::path> data_dir;
    std::vector<SuiteVariant> variants; // the baseline first
    std::vector<SuiteTask> tasks;
    core::stats::GateOptions gate;
    std::map<std::string, core::stats::GateOptions> task_gates;
    std::optional<double> regression_max_drop_points; // [gates.regression]; none: night over night is shown only
    int resamples = core::stats::kDefaultResamples;

    const SuiteVariant& baseline() const { return variants.front(); }
    // The run options for one variant on one task ([defaults], [tasks.T], [variants.V] in that order). `night` goes
    // into the fingerprint when the variant runs each night. db, data_dir and progress are left to the caller.
    RunOptions run_options(const SuiteVariant& variant, const SuiteTask& task, const std::string& night) const;

    struct Tables; // the parsed TOML, kept for run_options (defined in suite.cpp)
    std::shared_ptr<const Tables> tables;
};

Suite load_suite(const std::filesystem::path& file);

// "{date}" and "{name}" replaced; a relative result is taken from the suite file's folder.
std::filesystem::path suite_path(const Suite& suite, const std::string& pattern, const std::string& night);

} // namespace qeval::harness
