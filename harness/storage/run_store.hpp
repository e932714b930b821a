// RunStore: the run log in SQLite. Creates or resumes a run by fingerprint and takes ownership of it (one live
// process per run: owner "host:pid" plus a heartbeat), stores each batch of responses in one IMMEDIATE transaction
// keyed by (run, problem, sample index) so a late duplicate of a response collapses while a failed request (a row
// with a non-empty `error`) is replaced by its retry, re-grades, lists runs with avg@k accuracy, and reads runs and
// samples back (`qeval export`, `qeval score --run`). One RunStore = one connection; use one per thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/stats/stats.hpp"
#include "core/types.hpp"
#include "harness/storage/db.hpp"

namespace qeval::harness {

struct RunSpec {
    std::string fingerprint; // unique per (variant, task + version, data, prompt, settings, runner)
    std::string variant;
    std::string task;
    std::string task_version;
    core::Json settings = core::Json::object();
    core::Json provenance = core::Json::object(); // versions, dataset hashes, endpoint, model, host, times...
    std::int64_t samples_total = 0;
};

struct RunHandle {
    core::Run run;
    bool resumed = false; // the fingerprint was already in the database
};

// One stored (problem, sample index) response with its grade.
struct StoredSample {
    std::string problem_id;
    int sample_index = 0;
    std::string prompt_hash;
    core::ModelOutput output;
    core::Score score;
};

struct GradeUpdate {
    std::string problem_id;
    int sample_index = 0;
    core::Score score;
};

struct RunSummary {
    std::int64_t id = 0;
    std::string variant, task, status;
    std::int64_t samples_total = 0, samples_done = 0, errors = 0;
    std::optional<double> accuracy; // avg@k in [0, 1] over non-error samples; empty when nothing is graded
    core::Json to_json() const;     // the `qeval runs --json` row (accuracy in percent, null when empty)
};

// A stored sample with the run it belongs to, as `qeval export` prints it.
struct SampleRecord {
    std::int64_t run_id = 0;
    std::string variant, task;
    StoredSample sample;
    core::Json to_json() const; // {"run", "variant", "task", "id", "sample", "response", ...}
};

// A stored run row as it is (`qeval score --run` reads its settings; `qeval merge` copies it).
struct RunRecord {
    std::int64_t id = 0;
    std::string fingerprint, variant, task, task_version;
    core::Json settings = core::Json::object();
    core::Json provenance = core::Json::object();
    std::string status;
    std::int64_t samples_total = 0;
    std::string created_at, finished_at; // finished_at empty while unfinished
};

// Which samples for_each_sample yields: one run, or every run of a variant (optionally one task).
struct SampleFilter {
    std::optional<std::int64_t> run_id;
    std::string variant;
    std::string task;
};

class RunStore {
public:
    // Opens (creating and migrating) the database. `owner` identifies this process; the default is "host:pid".
    static std::unique_ptr<RunStore> open(const std::filesystem::path& path, std::string owner = default_owner());
    static std::string default_owner();

    // Creates the run, or resumes the one with the same fingerprint, and takes ownership of it. A run held by
    // another live process (heartbeat within stale_after_seconds and, on this host, its pid alive) is refused
    // with Error(runtime) naming that process.
    RunHandle begin_run(const RunSpec& spec);
    // The (problem, sample index) pairs that need no new request: every stored row except failed requests (a
    // non-empty output error), which a resumed run asks again. Grader errors count as done: `qeval score --run`
    // re-grades them without asking the model again.
    std::set<std::pair<std::string, int>> done_pairs(std::int64_t run_id);
    // Stores one batch in one transaction. A stored response is never overwritten (a late duplicate collapses); a
    // stored failed request is replaced by the new result for its pair, attempts adding up across resumes. Returns
    // the number of rows written (inserted, or replacing a failed request).
    std::size_t store(std::int64_t run_id, const std::vector<StoredSample>& batch);
    std::size_t update_grades(std::int64_t run_id, const std::vector<GradeUpdate>& grades);
    void finish_run(std::int64_t run_id, const std::string& status); // also releases ownership
    void heartbeat(std::int64_t run_id); // Error(runtime) when another process has taken the run over
    void release(std::int64_t run_id);

    // Every run, or only run `only` (its samples read through the primary key, not the whole table).
    std::vector<RunSummary> list_runs(std::optional<std::int64_t> only = std::nullopt);
    // The runs a filter selects, by id: one run (Error(not_found) when absent), or every run of a variant (and task).
    std::vector<RunRecord> find_runs(const SampleFilter& filter);
    void for_each_sample(const SampleFilter& filter, const std::function<void(const SampleRecord&)>& fn);
    // What statistics need of one run's samples, and nothing else (compare reads hundreds of thousands).
    std::vector<core::stats::SampleRow> score_rows(std::int64_t run_id);
    // One problem's stored samples in one run, by sample index (the HTML report's flipped problems).
    std::vector<StoredSample> problem_samples(std::int64_t run_id, const std::string& problem_id);

    // Breakdown values of a data set's problems (schema v4): axis -> problem id -> value. save_groups writes them
    // once per (task, data key), in one transaction; groups reads them (empty when none were stored).
    using Groups = std::map<std::string, std::map<std::string, std::string>>;
    void save_groups(const std::string& task, const std::string& data_key, const Groups& groups);
    Groups groups(const std::string& task, const std::string& data_key);
    // The data key of a run: sha256 of its provenance "data" (the data files and their hashes).
    static std::string data_key(const core::Json& data_files);

    // The run with this fingerprint (and who holds it, with its heartbeat), if it exists.
    std::optional<core::Run> find_run(const std::string& fingerprint, std::string& owner, std::int64_t& heartbeat);

    const std::string& owner() const { return owner_; }
    Database& database() { return db_; }
    static constexpr std::int64_t stale_after_seconds = 60;

private:
    RunStore(const std::filesystem::path& path, std::string owner);
    void check_not_held(const core::Run& run, const std::string& owner, std::int64_t heartbeat);

    Database db_;
    std::string owner_;
    std::optional<Statement> upsert_sample_; // prepared on the first store(), kept for the next ones
};

} // namespace qeval::harness
