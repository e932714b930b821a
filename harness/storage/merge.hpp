// `qeval merge OUT IN...`: combines run databases (the shards of a job array, or databases from several machines)
// into OUT, created when absent. Inputs are opened read-only and never modified; each must be a qeval database of
// this schema version. Every input run is matched in OUT by fingerprint: a new fingerprint is copied as a new run
// (new id; variant, task, settings, provenance, status and times kept), a known one has the samples merged into the
// existing run. A (problem, sample) pair already in OUT is kept as it is, unless OUT holds a failed request and the
// input a result. One transaction per input, so an input is merged entirely or not at all; merging again is a no-op.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace qeval::harness {

struct MergeCounts {
    std::size_t runs_copied = 0;        // runs new to OUT (new ids)
    std::size_t runs_merged = 0;        // runs whose fingerprint OUT already had
    std::size_t samples_copied = 0;     // (problem, sample) pairs new to OUT
    std::size_t errors_replaced = 0;    // failed requests in OUT replaced by a result from the input
    std::size_t duplicates_skipped = 0; // pairs OUT already had (kept as they were)
    MergeCounts& operator+=(const MergeCounts& other);
};

struct MergeInputResult {
    std::filesystem::path path;
    MergeCounts counts;
    std::vector<std::string> unfinished; // runs not marked done in the input ("run 3 (fp8/math500): running")
};

struct MergeResult {
    std::filesystem::path out;
    std::vector<MergeInputResult> inputs;
    MergeCounts total;
    core::Json to_json() const;
    std::string to_text() const;
};

// Checks every input before writing anything (missing file, not SQLite, not a qeval database, schema version:
// Error(input) or Error(not_found) naming the file; an input that is OUT itself: Error(usage)), then merges them in
// order. Storage failures on OUT are Error(storage).
MergeResult merge_databases(const std::filesystem::path& out, const std::vector<std::filesystem::path>& inputs);

} // namespace qeval::harness
