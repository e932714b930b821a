// merge_databases (see merge.hpp): inputs are checked first (all of them, before OUT is touched), then each is read
// through its own read-only connection inside one read transaction (a consistent snapshot) and written into OUT
// inside one IMMEDIATE transaction. Rows are copied column by column, verbatim: responses, grades, times.
#include "harness/storage/merge.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "harness/storage/db.hpp"
#include "harness/storage/run_store.hpp"
#include "harness/storage/schema.hpp"

namespace qeval::harness {
namespace {

namespace fs = std::filesystem;

constexpr char kSqliteMagic[] = "SQLite format 3"; // the first 16 bytes of every SQLite file, NUL included

bool has_sqlite_header(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    char head[sizeof kSqliteMagic] = {};
    in.read(head, sizeof head);
    return in.gcount() == static_cast<std::streamsize>(sizeof head) &&
           std::equal(head, head + sizeof head, kSqliteMagic);
}

std::int64_t count_tables(Database& db) {
    return db.query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'samples')");
}

// Opens an input read-only after checking that it is a qeval database this build reads.
std::unique_ptr<Database> open_input(const fs::path& path) {
    QEVAL_CHECK(fs::exists(path), ErrorCode::not_found, path.string() + ": no such database");
    QEVAL_CHECK(fs::is_regular_file(path), ErrorCode::input, path.string() + ": not a regular file");
    QEVAL_CHECK(has_sqlite_header(path), ErrorCode::input,
                path.string() + ": not a qeval database (not an SQLite file: it does not start with \"" + kSqliteMagic +
                    "\")");
    auto db = std::make_unique<Database>(path, OpenMode::read_only);
    const int version = db->user_version();
    QEVAL_CHECK(count_tables(*db) == 2 && version >= 1, ErrorCode::input,
                path.string() + ": not a qeval database (an SQLite file without qeval's runs and samples tables)");
    QEVAL_CHECK(version <= schema_version(), ErrorCode::input,
                path.string() + ": database schema version " + std::to_string(version) +
                    " is newer than this build of qeval knows (" + std::to_string(schema_version()) +
                    "); merge with a newer qeval");
    QEVAL_CHECK(version == schema_version(), ErrorCode::input,
                path.string() + ": database schema version " + std::to_string(version) +
                    " is older than this build's (" + std::to_string(schema_version()) +
                    "); inputs are never modified: upgrade it first by opening it "
                    "once with this qeval (`qeval runs --db " +
                    path.string() + "`)");
    return db;
}

// OUT may be absent, empty, or a qeval database; anything else is refused rather than written into.
void check_output(const fs::path& out, const std::vector<fs::path>& inputs) {
    std::error_code ec;
    for (const auto& in : inputs)
        QEVAL_CHECK(!fs::equivalent(out, in, ec), ErrorCode::usage,
                    "qeval merge: " + in.string() + " is both the output and an input");
    if (!fs::exists(out) || fs::file_size(out, ec) == 0) return;
    QEVAL_CHECK(fs::is_regular_file(out) && has_sqlite_header(out), ErrorCode::input,
                out.string() + ": exists and is not an SQLite database; refusing to merge into it");
    Database db(out, OpenMode::read_only);
    QEVAL_CHECK(count_tables(db) == 2 || db.query_int("SELECT COUNT(*) FROM sqlite_master") == 0, ErrorCode::input,
                out.string() + ": an SQLite database that is not a qeval database; refusing to merge into it");
}

constexpr const char* kSelectRuns = R"sql(
SELECT id, fingerprint, variant, task, task_version, settings, provenance, status, samples_total, created_at,
       IFNULL(finished_at, '')
FROM runs ORDER BY id
)sql";

constexpr const char* kInsertRun = R"sql(
INSERT INTO runs (fingerprint, variant, task, task_version, settings, provenance, status, samples_total, created_at,
                  finished_at)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULLIF(?10, ''))
)sql";

// A run both sides have: done when either side finished it; the earliest start, the latest finish.
constexpr const char* kUpdateRun = R"sql(
UPDATE runs SET status = CASE WHEN ?1 = 'done' THEN 'done' ELSE status END,
                created_at = MIN(created_at, ?2),
                finished_at = NULLIF(MAX(IFNULL(finished_at, ''), ?3), ''),
                samples_total = MAX(samples_total, ?4)
WHERE id = ?5
)sql";

constexpr const char* kSelectSamples = R"sql(
SELECT problem_id, sample_index, prompt_hash, response, reasoning, finish_reason, prompt_tokens, completion_tokens,
       latency_ms, attempts, error, extracted, verdict, stage, grade_details, created_at
FROM samples WHERE run_id = ?1 ORDER BY problem_id, sample_index
)sql";

// Copies one input run's samples into OUT's run `out_id`. A pair OUT has is kept as is, unless OUT holds a failed
// request and the input a result (then attempts add up, as on resume).
void copy_samples(Database& in, std::int64_t in_id, Database& out, std::int64_t out_id, MergeCounts& counts) {
    Statement rows = out.prepare("SELECT COUNT(*) FROM samples WHERE run_id = ?1");
    rows.bind_int(1, out_id);
    const std::int64_t before = rows.step() ? rows.column_int(0) : 0;
    rows.reset();
    Statement read = in.prepare(kSelectSamples);
    read.bind_int(1, in_id);
    Statement write = out.prepare(upsert_sample_sql("excluded.error = ''"));
    std::size_t seen = 0, written = 0;
    while (read.step()) {
        write.bind_int(1, out_id);
        for (int col : {0, 2, 3, 4, 5, 10, 11, 12, 13, 14, 15}) // text columns
            write.bind_text(col + 2, read.column_text(col));
        for (int col : {1, 6, 7, 9}) // integer columns
            write.bind_int(col + 2, read.column_int(col));
        write.bind_real(10, read.column_real(8)); // latency_ms
        write.step();
        written += static_cast<std::size_t>(write.changes());
        write.reset();
        ++seen;
    }
    rows.bind_int(1, out_id);
    const std::int64_t after = rows.step() ? rows.column_int(0) : 0;
    const auto inserted = static_cast<std::size_t>(after - before);
    counts.samples_copied += inserted;
    counts.errors_replaced += written - inserted;
    counts.duplicates_skipped += seen - written;
}

MergeInputResult merge_one(Database& out, const fs::path& path) {
    MergeInputResult result{path, {}, {}};
    auto in = open_input(path);
    in->exec("BEGIN"); // one snapshot of the input, even if something still writes to it
    ImmediateTransaction tx(out);
    Statement runs = in->prepare(kSelectRuns);
    Statement find = out.prepare("SELECT id FROM runs WHERE fingerprint = ?1");
    while (runs.step()) {
        const std::int64_t in_id = runs.column_int(0);
        const std::string status = runs.column_text(7);
        find.bind_text(1, runs.column_text(1));
        std::int64_t out_id = 0;
        if (find.step()) {
            out_id = find.column_int(0);
            Statement update = out.prepare(kUpdateRun);
            update.bind_text(1, status).bind_text(2, runs.column_text(9)).bind_text(3, runs.column_text(10));
            update.bind_int(4, runs.column_int(8)).bind_int(5, out_id).step();
            ++result.counts.runs_merged;
        } else {
            Statement insert = out.prepare(kInsertRun);
            for (int col = 1; col <= 10; ++col)
                if (col == 8)
                    insert.bind_int(col, runs.column_int(col));
                else
                    insert.bind_text(col, runs.column_text(col));
            insert.step();
            out_id = out.last_insert_rowid();
            ++result.counts.runs_copied;
        }
        find.reset();
        if (status != "done")
            result.unfinished.push_back("run " + std::to_string(in_id) + " (" + runs.column_text(2) + "/" +
                                        runs.column_text(3) + "): " + status);
        copy_samples(*in, in_id, out, out_id, result.counts);
    }
    tx.commit();
    in->exec("COMMIT");
    return result;
}

core::Json counts_json(const MergeCounts& c) {
    return core::Json{{"runs_copied", c.runs_copied},
                      {"runs_merged", c.runs_merged},
                      {"samples_copied", c.samples_copied},
                      {"errors_replaced", c.errors_replaced},
                      {"duplicates_skipped", c.duplicates_skipped}};
}

std::string counts_text(const MergeCounts& c) {
    std::ostringstream os;
    os << c.runs_copied << " runs copied, " << c.runs_merged << " merged into existing runs, " << c.samples_copied
       << " samples copied, " << c.errors_replaced << " failed requests replaced, " << c.duplicates_skipped
       << " duplicates skipped";
    return os.str();
}

} // namespace

MergeCounts& MergeCounts::operator+=(const MergeCounts& o) {
    runs_copied += o.runs_copied;
    runs_merged += o.runs_merged;
    samples_copied += o.samples_copied;
    errors_replaced += o.errors_replaced;
    duplicates_skipped += o.duplicates_skipped;
    return *this;
}

core::Json MergeResult::to_json() const {
    core::Json ins = core::Json::array();
    for (const auto& i : inputs) {
        core::Json j = counts_json(i.counts);
        j["path"] = i.path.string();
        j["unfinished"] = i.unfinished;
        ins.push_back(std::move(j));
    }
    return core::Json{{"out", out.string()}, {"inputs", ins}, {"total", counts_json(total)}};
}

std::string MergeResult::to_text() const {
    std::ostringstream os;
    for (const auto& i : inputs) {
        os << i.path.string() << ": " << counts_text(i.counts) << "\n";
        for (const auto& u : i.unfinished)
            os << "  not finished in this input: " << u << "\n";
    }
    os << "merged " << inputs.size() << " databases into " << out.string() << ": " << counts_text(total) << "\n";
    return os.str();
}

MergeResult merge_databases(const fs::path& out, const std::vector<fs::path>& inputs) {
    QEVAL_CHECK(!inputs.empty(), ErrorCode::usage, "qeval merge: give OUT.sqlite and at least one input database");
    check_output(out, inputs);
    for (const auto& in : inputs)
        open_input(in); // every input is checked before OUT is written; each is reopened when its turn comes
    auto store = RunStore::open(out); // creates and migrates OUT
    MergeResult result{out, {}, {}};
    for (const auto& in : inputs) {
        result.inputs.push_back(merge_one(store->database(), in));
        result.total += result.inputs.back().counts;
    }
    return result;
}

} // namespace qeval::harness
