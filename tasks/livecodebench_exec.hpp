// Running a LiveCodeBench sample's tests: the program and qeval's driver (livecodebench_driver.py, which reproduces
// the official lcb_runner run) in core/sandbox, one execution per sample; the driver reports what the program
// produced per test and the comparison happens here, outside the sandbox, as the official checker compares
// (tools/lcb_checker_notes.md §4-5): stdin/stdout line by line with exact Decimal equality for numeric tokens,
// call-based results with Python ==. The first failing test ends the sample (the official early stop).
//
// Limits: per test 6 s of CPU time (the official 6 s are wall clock, which makes verdicts depend on load) and 3x
// that of wall clock for a program that sleeps; 2 GiB of memory for the whole tree (the official checker has none:
// it ends in a runtime error or a killed child, failures either way). A sample with a time-limit verdict is run once
// more with no other sandboxed program running before it is recorded.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tasks/livecodebench.hpp"

namespace qeval::tasks::lcb {

enum class TestVerdict {
    pass,
    wrong_answer,
    runtime_error,
    time_limit,
    memory_limit,
    output_limit,
    not_run, // after the first failure
};
const char* to_string(TestVerdict v);

struct Grade {
    bool passed = false;
    std::vector<TestVerdict> tests; // one per test
    // The official checker's list for the same run (True = 1, call-based False = 0, -2, -3, -4; [-4] alone for an
    // error during testing, [-2] alone for a program that died without finishing), for fidelity checks.
    std::vector<int> official;
    std::string error_during_testing; // syntax error, missing method... (the official bare [-4])
    std::string message;              // what the first failure was, shortened
    bool sandbox_failed = false;      // the sandbox could not run it: not a verdict on the program
    std::string sandbox_error;
    int reruns = 0;
    double cpu_seconds = 0;
};

// Samples are forked from warm interpreters (core/sandbox/warm.hpp) unless QEVAL_SANDBOX_WARM=0 is set: then each
// runs in a fresh interpreter (the same isolation and verdicts, 30-40 ms slower per sample).
bool warm_by_default();

struct Options {
    double timeout_seconds = 6.0; // per test, CPU
    bool warm = warm_by_default();
};

// fn_name empty: stdin/stdout tests.
Grade grade(const std::string& code, const std::vector<CodeTest>& tests, const std::string& fn_name,
            const Options& options = {});

// The official comparisons, exposed for tests.
bool stdio_equal(std::string_view produced, std::string_view expected);
bool call_equal(std::string_view produced_json, std::string_view expected_json);

} // namespace qeval::tasks::lcb
