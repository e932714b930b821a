// The migrations table: kMigrations[i] takes a database from user_version i to i + 1. Never edit a shipped entry;
// add a new one. Times are UTC ISO-8601 text except runs.heartbeat_at (unix seconds, compared numerically);
// settings, provenance and grade_details are JSON text.
#include "harness/storage/schema.hpp"

#include <array>
#include <string>

#include "core/error.hpp"

namespace qeval::harness {

namespace {

constexpr const char* kV1 = R"sql(
CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    fingerprint   TEXT NOT NULL UNIQUE,
    variant       TEXT NOT NULL,
    task          TEXT NOT NULL,
    task_version  TEXT NOT NULL DEFAULT '',
    settings      TEXT NOT NULL DEFAULT '{}',
    provenance    TEXT NOT NULL DEFAULT '{}',
    status        TEXT NOT NULL DEFAULT 'running',
    samples_total INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    finished_at   TEXT,
    owner         TEXT,
    heartbeat_at  INTEGER
);
CREATE INDEX runs_variant_task ON runs (variant, task);
CREATE TABLE samples (
    run_id            INTEGER NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    problem_id        TEXT NOT NULL,
    sample_index      INTEGER NOT NULL,
    prompt_hash       TEXT NOT NULL DEFAULT '',
    response          TEXT NOT NULL DEFAULT '',
    reasoning         TEXT NOT NULL DEFAULT '',
    finish_reason     TEXT NOT NULL DEFAULT '',
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms        REAL NOT NULL DEFAULT 0,
    attempts          INTEGER NOT NULL DEFAULT 0,
    error             TEXT NOT NULL DEFAULT '',
    extracted         TEXT NOT NULL DEFAULT '',
    verdict           TEXT NOT NULL,
    stage             TEXT NOT NULL DEFAULT '',
    grade_details     TEXT NOT NULL DEFAULT '{}',
    created_at        TEXT NOT NULL,
    PRIMARY KEY (run_id, problem_id, sample_index)
);
)sql";

// v2: every comparison `qeval compare` (and later `qeval nightly`) computes, one row per (candidate, task) plus the
// average row (task "average"), so a release table or a trend is a query. details: the whole JSON row, the gate,
// resamples, seed, and the qeval version and commit that computed it.
constexpr const char* kV2 = R"sql(
CREATE TABLE comparisons (
    id                  INTEGER PRIMARY KEY,
    created_at          TEXT NOT NULL,
    baseline            TEXT NOT NULL,
    candidate           TEXT NOT NULL,
    task                TEXT NOT NULL,
    baseline_runs       TEXT NOT NULL DEFAULT '[]',
    candidate_runs      TEXT NOT NULL DEFAULT '[]',
    n_problems          INTEGER NOT NULL DEFAULT 0,
    samples_per_problem INTEGER NOT NULL DEFAULT 0,
    baseline_accuracy   REAL,
    candidate_accuracy  REAL,
    retention           REAL,
    retention_lo        REAL,
    retention_hi        REAL,
    delta               REAL,
    delta_lo            REAL,
    delta_hi            REAL,
    gained              INTEGER,
    lost                INTEGER,
    verdict             TEXT NOT NULL,
    details             TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX comparisons_candidate ON comparisons (candidate, task, created_at);
)sql";

// v3: the night a `qeval nightly` comparison belongs to ('' for `qeval compare`); judging a night again replaces
// that night's rows, so a trend has one point per night.
constexpr const char* kV3 = R"sql(
ALTER TABLE comparisons ADD COLUMN night TEXT NOT NULL DEFAULT '';
CREATE INDEX comparisons_night ON comparisons (candidate, task, night);
)sql";

// v4: each problem's breakdown values (MATH subject and level, MMLU-Pro category...), written by `qeval run` from
// the data set, keyed by task and data files (the sha256 of a run's provenance "data"), so reports break accuracy
// down without the data set at hand and a data set's rows are stored once, not once per run.
constexpr const char* kV4 = R"sql(
CREATE TABLE problem_groups (
    task       TEXT NOT NULL,
    data       TEXT NOT NULL,
    problem_id TEXT NOT NULL,
    axis       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (task, data, axis, problem_id)
) WITHOUT ROWID;
)sql";

constexpr std::array kMigrations = {kV1, kV2, kV3, kV4};

} // namespace

int schema_version() {
    return static_cast<int>(kMigrations.size());
}

int migrate(Database& db) {
    ImmediateTransaction tx(db); // read and upgrade under the write lock: two processes cannot both migrate
    int found = db.user_version();
    QEVAL_CHECK(found >= 0 && found <= schema_version(), ErrorCode::storage,
                db.path().string() + ": database schema version " + std::to_string(found) +
                    " is newer than this build of qeval knows (" + std::to_string(schema_version()) +
                    "); use a newer qeval");
    if (found == schema_version()) return found;
    for (int v = found; v < schema_version(); ++v)
        db.exec(kMigrations[static_cast<std::size_t>(v)]);
    db.exec("PRAGMA user_version = " + std::to_string(schema_version()));
    tx.commit();
    return found;
}

std::string upsert_sample_sql(const std::string& also_when) {
    return R"sql(
INSERT INTO samples (run_id, problem_id, sample_index, prompt_hash, response, reasoning, finish_reason,
                     prompt_tokens, completion_tokens, latency_ms, attempts, error, extracted, verdict, stage,
                     grade_details, created_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT (run_id, problem_id, sample_index) DO UPDATE SET
    prompt_hash = excluded.prompt_hash, response = excluded.response, reasoning = excluded.reasoning,
    finish_reason = excluded.finish_reason, prompt_tokens = excluded.prompt_tokens,
    completion_tokens = excluded.completion_tokens, latency_ms = excluded.latency_ms,
    attempts = samples.attempts + excluded.attempts, error = excluded.error, extracted = excluded.extracted,
    verdict = excluded.verdict, stage = excluded.stage, grade_details = excluded.grade_details,
    created_at = excluded.created_at
WHERE samples.error <> '' AND ()sql" +
           also_when + ")";
}

} // namespace qeval::harness
