// `qeval nightly --suite FILE.toml [--db F] [--junit FILE]`: the nightly regression job (design.md, use 1).
//  1. Runs what is missing: every variant on every task with the suite's settings (`qeval run`, resuming). A variant
//     with rerun = "each-night" (candidates, by default) gets one run per night: the night is part of its
//     fingerprint, so running the job again the same night resumes instead of starting over. A variant run "once"
//     (the baseline, by default) is evaluated once and reused; a finished run needs no server.
//  2. Compares each candidate with the baseline (the suite's gates, per task where given) and with its own
//     previous night (the newest earlier night with the same settings; [gates.regression] gates the drop in
//     points). Every comparison is stored, as `qeval compare` stores them.
//  3. Writes the report (Markdown and HTML), JUnit XML when asked, and prints the Markdown.
// A run that fails (its server down, its data missing) does not stop the others: the gates it feeds are errors.
// Exit code (NightlyReport::exit_code): 1 when a gate failed, else that of a failed run (2 input, 3 runtime), else
// 0; inconclusive gates are listed and do not fail the job.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "reports/nightly_report.hpp"

namespace qeval::harness {

struct NightlyOptions {
    std::filesystem::path suite;
    std::string db;       // --db; empty: the suite's db, else $QEVAL_DB, else ./qeval.sqlite
    std::string data_dir; // --data-dir; empty: the suite's data_dir, else $QEVAL_DATA_DIR...
    std::string junit;    // --junit FILE; empty: the suite's junit, if any
    std::string report;   // --report FILE(.html|.md); empty: the suite's report, if any
    std::string night;    // --night YYYY-MM-DD; empty: today (UTC)
    bool progress = true;
};

struct NightlyResult {
    reports::NightlyReport report;
    std::vector<std::filesystem::path> written; // report and JUnit files
};

NightlyResult run_nightly(const NightlyOptions& options);

} // namespace qeval::harness
