// What `qeval nightly` reports: the runs it made or resumed, the retention of each candidate against the baseline
// (a CompareReport), each candidate against its own previous night (one CompareReport per candidate, its baseline
// side the previous night's runs), and one gate row per candidate x task. Renderers: nightly_markdown.cpp (stdout
// and the .md file), nightly_html.cpp (the compare page with the nightly summary on top), junit.cpp (JUnit XML, one
// test case per candidate x task).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/compare_report.hpp"

namespace qeval::reports {

struct NightlyRun {
    std::string variant, task, night; // night: empty for a variant run once (the baseline, by default)
    std::int64_t run_id = 0;
    bool resumed = false;
    std::size_t stored = 0, already_done = 0, errors = 0, truncated = 0;
    std::optional<double> accuracy; // [0, 1]
    std::string failure;            // the run failed (server down, bad settings): what was said; empty: it ran
    int failure_exit_code = 0;
};

struct NightlyGate {
    std::string candidate, task;
    std::optional<core::stats::GateVerdict> retention;  // none: no comparison (a run failed or is missing)
    std::optional<core::stats::GateVerdict> regression; // none: no previous night, or no regression gate
    std::string previous_night;                         // the night compared with, when there was one
    core::stats::GateVerdict verdict = core::stats::GateVerdict::inconclusive;
    bool error = false;  // could not be judged (a run failed)
    std::string message; // one line: the numbers and thresholds behind the verdict, or what failed
};

struct NightlyReport {
    std::string suite, night, created_at;
    std::vector<NightlyRun> runs;
    CompareReport retention;                // candidates against the baseline, tonight
    std::vector<CompareReport> regressions; // per candidate: tonight against its previous night
    std::optional<double> regression_max_drop_points;
    std::vector<NightlyGate> gates;
    std::vector<std::string> warnings;

    std::size_t count(core::stats::GateVerdict v) const; // gate rows with this verdict (errors not counted)
    std::size_t errors() const;                          // gate rows that could not be judged
    // 1 when a gate failed; else the exit code of a failed run (2 input, 3 runtime); else 0.
    int exit_code() const;
};

std::string to_markdown(const NightlyReport& report);
std::string to_html(const NightlyReport& report);
std::string to_junit(const NightlyReport& report);

} // namespace qeval::reports
