// `qeval score`: grade responses from a JSONL file ({"id", "response", "gold"?} per line) with a task's grader.
// One output line per input line, in input order ({"id", "extracted", "verdict", "stage", "error"?}); a line that
// cannot be graded (bad JSON, unknown id, bad gold) is an `error` verdict on its own line, never a crash.
// The summary (counts by verdict, accuracy over the lines that were graded) is returned for the caller to print.
#pragma once

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <string>

#include "core/types.hpp"

namespace qeval::harness {

struct ScoreOptions {
    std::string task;
    std::filesystem::path data_dir;
    std::uint64_t seed = 0; // the run seed the responses were generated with (GPQA's option permutation)
    std::map<std::string, std::string> params;
    int jobs = 1; // lines graded at once (0: one per core); output stays in input order
};

struct ScoreSummary {
    std::string task;
    std::size_t lines = 0;
    std::map<std::string, std::size_t> counts; // by verdict name
    double seconds = 0;
    double slowest_line_ms = 0; // the slowest single grade (parse, extract, grade) of the run
    // correct / (correct + incorrect + no_answer): errors are not answers, so they are not counted as wrong
    double accuracy() const;
    core::Json to_json() const;
    std::string to_text() const;
};

ScoreSummary score_stream(const ScoreOptions& options, const std::filesystem::path& in, std::ostream& out);

} // namespace qeval::harness
