// RunStore over SQLite: run creation/resume and ownership (owner "host:pid" + heartbeat, checked under the write
// lock so two processes cannot both take a run), batched sample upserts (responses kept, failed requests replaced
// by their retries), re-grading, run summaries with avg@k accuracy (errors excluded), and the read paths.
#include "harness/storage/run_store.hpp"

#include <cerrno>
#include <chrono>
#include <csignal>
#include <ctime>
#include <map>
#include <unistd.h>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/time.hpp"
#include "harness/storage/schema.hpp"

namespace qeval::harness {

namespace {

std::int64_t now_unix() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string host_name() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0) return "unknown-host";
    return buf;
}

// True when `owner` ("host:pid") may still be running: a fresh heartbeat, and on this host a live pid.
bool owner_is_live(const std::string& owner, std::int64_t heartbeat) {
    if (owner.empty() || now_unix() - heartbeat > RunStore::stale_after_seconds) return false;
    auto colon = owner.rfind(':');
    if (colon == std::string::npos || owner.substr(0, colon) != host_name()) return true;
    pid_t pid = 0;
    try {
        pid = static_cast<pid_t>(std::stol(owner.substr(colon + 1)));
    } catch (const std::exception&) {
        return true; // not ours to judge: trust the heartbeat
    }
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

core::Verdict verdict_or_error(const std::string& s) {
    return core::verdict_from_string(s).value_or(core::Verdict::error);
}

// {"details": ..., "explanation": ...}, as a tree of the two would dump, without copying them into one.
std::string grade_details_json(const core::Score& score) {
    return "{\"details\":" + score.details.dump() + ",\"explanation\":" + core::Json(score.explanation).dump() + "}";
}

void read_grade_details(const std::string& text, core::Score& score) {
    core::Json j = core::Json::parse(text, nullptr, false);
    if (!j.is_object()) return;
    score.explanation = j.value("explanation", std::string());
    if (j.contains("details")) score.details = j["details"];
}

// The text is bound without copies (a whole group is stored per commit, and the writer thread's time per sample
// counts): `s`, `details` and `created_at` must outlive the step.
void bind_sample(Statement& st, std::int64_t run_id, const StoredSample& s, const std::string& details,
                 const std::string& created_at) {
    const core::ModelOutput& o = s.output;
    st.bind_int(1, run_id).bind_text_static(2, s.problem_id).bind_int(3, s.sample_index);
    st.bind_text_static(4, s.prompt_hash).bind_text_static(5, o.text).bind_text_static(6, o.reasoning);
    st.bind_text_static(7, o.finish_reason).bind_int(8, o.prompt_tokens).bind_int(9, o.completion_tokens);
    st.bind_real(10, o.latency_ms).bind_int(11, o.attempts).bind_text_static(12, o.error);
    st.bind_text_static(13, s.score.extracted).bind_text_static(14, core::to_string(s.score.verdict));
    st.bind_text_static(15, s.score.stage).bind_text_static(16, details).bind_text_static(17, created_at);
}

// A JSON-object column of the runs table; anything else means the row was damaged outside qeval.
core::Json json_object_column(const Statement& st, int col, const char* name, std::int64_t run_id,
                              const std::filesystem::path& db) {
    core::Json j = core::Json::parse(st.column_text(col), nullptr, false);
    QEVAL_CHECK(j.is_object(), ErrorCode::storage,
                db.string() + ": run " + std::to_string(run_id) + ": column " + name +
                    " is not a JSON object (was the database edited by hand?)");
    return j;
}

// The columns read_sample_row() reads, with a WHERE / ORDER BY tail.
std::string select_samples(std::string_view tail) {
    return "SELECT s.run_id, r.variant, r.task, s.problem_id, s.sample_index, s.prompt_hash, s.response, s.reasoning, "
           "s.finish_reason, s.prompt_tokens, s.completion_tokens, s.latency_ms, s.attempts, s.error, s.extracted, "
           "s.verdict, s.stage, s.grade_details FROM samples s JOIN runs r ON r.id = s.run_id " +
           std::string(tail);
}

SampleRecord read_sample_row(const Statement& st) {
    SampleRecord rec;
    rec.run_id = st.column_int(0);
    rec.variant = st.column_text(1);
    rec.task = st.column_text(2);
    StoredSample& s = rec.sample;
    s.problem_id = st.column_text(3);
    s.sample_index = static_cast<int>(st.column_int(4));
    s.prompt_hash = st.column_text(5);
    s.output.text = st.column_text(6);
    s.output.reasoning = st.column_text(7);
    s.output.finish_reason = st.column_text(8);
    s.output.prompt_tokens = st.column_int(9);
    s.output.completion_tokens = st.column_int(10);
    s.output.latency_ms = st.column_real(11);
    s.output.attempts = static_cast<int>(st.column_int(12));
    s.output.error = st.column_text(13);
    s.score.extracted = st.column_text(14);
    s.score.verdict = verdict_or_error(st.column_text(15));
    s.score.stage = st.column_text(16);
    read_grade_details(st.column_text(17), s.score);
    return rec;
}

} // namespace

// ---- summaries and records --------------------------------------------------------------------------------------

core::Json RunSummary::to_json() const {
    return core::Json{{"id", id},
                      {"variant", variant},
                      {"task", task},
                      {"status", status},
                      {"samples_total", samples_total},
                      {"samples_done", samples_done},
                      {"errors", errors},
                      {"accuracy", accuracy ? core::Json(*accuracy * 100.0) : core::Json(nullptr)}};
}

core::Json SampleRecord::to_json() const {
    const core::ModelOutput& o = sample.output;
    const core::Score& g = sample.score;
    std::string error = o.error.empty() && g.verdict == core::Verdict::error ? g.explanation : o.error;
    return core::Json{{"run", run_id},
                      {"variant", variant},
                      {"task", task},
                      {"id", sample.problem_id},
                      {"sample", sample.sample_index},
                      {"response", o.text},
                      {"reasoning", o.reasoning},
                      {"finish_reason", o.finish_reason},
                      {"extracted", g.extracted},
                      {"verdict", core::to_string(g.verdict)},
                      {"stage", g.stage},
                      {"error", error},
                      {"attempts", o.attempts},
                      {"latency_ms", o.latency_ms},
                      {"prompt_tokens", o.prompt_tokens},
                      {"completion_tokens", o.completion_tokens}};
}

// ---- opening and ownership --------------------------------------------------------------------------------------

RunStore::RunStore(const std::filesystem::path& path, std::string owner) : db_(path), owner_(std::move(owner)) {
    migrate(db_);
}

std::unique_ptr<RunStore> RunStore::open(const std::filesystem::path& path, std::string owner) {
    return std::unique_ptr<RunStore>(new RunStore(path, std::move(owner)));
}

std::string RunStore::default_owner() {
    return host_name() + ":" + std::to_string(::getpid());
}

std::optional<core::Run> RunStore::find_run(const std::string& fingerprint, std::string& owner,
                                            std::int64_t& heartbeat) {
    Statement st = db_.prepare("SELECT id, variant, task, status, IFNULL(owner, ''), IFNULL(heartbeat_at, 0) "
                               "FROM runs WHERE fingerprint = ?1");
    st.bind_text(1, fingerprint);
    if (!st.step()) return std::nullopt;
    owner = st.column_text(4);
    heartbeat = st.column_int(5);
    return core::Run{st.column_int(0), st.column_text(1), st.column_text(2), fingerprint, st.column_text(3)};
}

void RunStore::check_not_held(const core::Run& run, const std::string& owner, std::int64_t heartbeat) {
    if (owner == owner_ || !owner_is_live(owner, heartbeat)) return;
    throw Error(ErrorCode::runtime, db_.path().string() + ": run " + std::to_string(run.id) + " (variant " +
                                        run.variant + ", task " + run.task + ") is held by process " + owner +
                                        " (last heartbeat " + std::to_string(now_unix() - heartbeat) +
                                        " s ago); wait for it to finish or stop it first");
}

RunHandle RunStore::begin_run(const RunSpec& spec) {
    QEVAL_CHECK(!spec.fingerprint.empty(), ErrorCode::internal, "begin_run: empty fingerprint");
    ImmediateTransaction tx(db_);
    std::string owner;
    std::int64_t heartbeat = 0;
    if (auto run = find_run(spec.fingerprint, owner, heartbeat)) {
        check_not_held(*run, owner, heartbeat);
        Statement st = db_.prepare("UPDATE runs SET owner = ?1, heartbeat_at = ?2, status = 'running', "
                                   "finished_at = NULL WHERE id = ?3");
        st.bind_text(1, owner_).bind_int(2, now_unix()).bind_int(3, run->id).step();
        tx.commit();
        run->status = "running";
        return RunHandle{*run, true};
    }
    Statement st = db_.prepare(
        "INSERT INTO runs (fingerprint, variant, task, task_version, settings, provenance, status, samples_total, "
        "created_at, owner, heartbeat_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'running', ?7, ?8, ?9, ?10)");
    st.bind_text(1, spec.fingerprint).bind_text(2, spec.variant).bind_text(3, spec.task);
    st.bind_text(4, spec.task_version).bind_text(5, spec.settings.dump()).bind_text(6, spec.provenance.dump());
    st.bind_int(7, spec.samples_total).bind_text(8, core::utc_now_iso()).bind_text(9, owner_).bind_int(10, now_unix());
    st.step();
    core::Run run{db_.last_insert_rowid(), spec.variant, spec.task, spec.fingerprint, "running"};
    tx.commit();
    return RunHandle{run, false};
}

void RunStore::heartbeat(std::int64_t run_id) {
    ImmediateTransaction tx(db_);
    Statement st = db_.prepare("UPDATE runs SET heartbeat_at = ?1 WHERE id = ?2 AND owner = ?3");
    st.bind_int(1, now_unix()).bind_int(2, run_id).bind_text(3, owner_).step();
    QEVAL_CHECK(st.changes() == 1, ErrorCode::runtime,
                db_.path().string() + ": run " + std::to_string(run_id) + " is no longer held by this process (" +
                    owner_ + "); another process took it over");
    tx.commit();
}

void RunStore::release(std::int64_t run_id) {
    ImmediateTransaction tx(db_);
    Statement st = db_.prepare("UPDATE runs SET owner = NULL, heartbeat_at = NULL WHERE id = ?1 AND owner = ?2");
    st.bind_int(1, run_id).bind_text(2, owner_).step();
    tx.commit();
}

void RunStore::finish_run(std::int64_t run_id, const std::string& status) {
    ImmediateTransaction tx(db_);
    Statement st = db_.prepare("UPDATE runs SET status = ?1, finished_at = ?2, owner = NULL, heartbeat_at = NULL "
                               "WHERE id = ?3");
    st.bind_text(1, status).bind_text(2, core::utc_now_iso()).bind_int(3, run_id).step();
    QEVAL_CHECK(st.changes() == 1, ErrorCode::not_found, db_.path().string() + ": no run " + std::to_string(run_id));
    tx.commit();
}

// ---- samples ----------------------------------------------------------------------------------------------------

std::string RunStore::data_key(const core::Json& data_files) {
    return core::sha256_hex(data_files.dump());
}

void RunStore::save_groups(const std::string& task, const std::string& data_key, const Groups& groups) {
    if (groups.empty()) return;
    {
        Statement have = db_.prepare("SELECT 1 FROM problem_groups WHERE task = ?1 AND data = ?2 LIMIT 1");
        have.bind_text(1, task).bind_text(2, data_key);
        if (have.step()) return;
    }
    ImmediateTransaction tx(db_);
    Statement st = db_.prepare(
        "INSERT OR IGNORE INTO problem_groups (task, data, problem_id, axis, value) VALUES (?1, ?2, ?3, ?4, ?5)");
    for (const auto& [axis, values] : groups)
        for (const auto& [id, value] : values) {
            st.bind_text(1, task).bind_text(2, data_key).bind_text(3, id).bind_text(4, axis).bind_text(5, value);
            st.step();
            st.reset();
        }
    tx.commit();
}

RunStore::Groups RunStore::groups(const std::string& task, const std::string& data_key) {
    Groups out;
    Statement st = db_.prepare("SELECT axis, problem_id, value FROM problem_groups WHERE task = ?1 AND data = ?2");
    st.bind_text(1, task).bind_text(2, data_key);
    while (st.step())
        out[st.column_text(0)][st.column_text(1)] = st.column_text(2);
    return out;
}

std::set<std::pair<std::string, int>> RunStore::done_pairs(std::int64_t run_id) {
    std::set<std::pair<std::string, int>> done;
    Statement st = db_.prepare("SELECT problem_id, sample_index FROM samples WHERE run_id = ?1 AND error = ''");
    st.bind_int(1, run_id);
    while (st.step())
        done.emplace(st.column_text(0), static_cast<int>(st.column_int(1)));
    return done;
}

std::size_t RunStore::store(std::int64_t run_id, const std::vector<StoredSample>& batch) {
    if (batch.empty()) return 0;
    ImmediateTransaction tx(db_);
    if (!upsert_sample_) upsert_sample_.emplace(db_.prepare(upsert_sample_sql()));
    Statement& st = *upsert_sample_;
    st.reset(); // also after a failed step in an earlier call
    const std::string created_at = core::utc_now_iso();
    std::size_t added = 0;
    for (const StoredSample& s : batch) {
        const std::string details = grade_details_json(s.score);
        bind_sample(st, run_id, s, details, created_at);
        st.step();
        added += static_cast<std::size_t>(st.changes());
        st.reset();
    }
    tx.commit();
    return added;
}

std::size_t RunStore::update_grades(std::int64_t run_id, const std::vector<GradeUpdate>& grades) {
    ImmediateTransaction tx(db_);
    Statement st = db_.prepare("UPDATE samples SET extracted = ?1, verdict = ?2, stage = ?3, grade_details = ?4 "
                               "WHERE run_id = ?5 AND problem_id = ?6 AND sample_index = ?7");
    std::size_t updated = 0;
    for (const GradeUpdate& g : grades) {
        st.bind_text(1, g.score.extracted).bind_text(2, core::to_string(g.score.verdict)).bind_text(3, g.score.stage);
        st.bind_text(4, grade_details_json(g.score)).bind_int(5, run_id).bind_text(6, g.problem_id);
        st.bind_int(7, g.sample_index).step();
        updated += static_cast<std::size_t>(st.changes());
        st.reset();
    }
    tx.commit();
    return updated;
}

// ---- reading back -----------------------------------------------------------------------------------------------

std::vector<RunSummary> RunStore::list_runs(std::optional<std::int64_t> only) {
    // With a run id, each query names it in its own text so that SQLite reads that run's rows through the keys (an
    // "?1 IS NULL OR run_id = ?1" would scan every sample of every run).
    const std::string runs_where = only ? " WHERE id = " + std::to_string(*only) : "";
    const std::string samples_where = only ? " AND run_id = " + std::to_string(*only) : "";
    std::map<std::int64_t, RunSummary> by_id;
    Statement runs =
        db_.prepare("SELECT id, variant, task, status, samples_total FROM runs" + runs_where + " ORDER BY id");
    while (runs.step()) {
        by_id[runs.column_int(0)] = RunSummary{
            runs.column_int(0), runs.column_text(1), runs.column_text(2), runs.column_text(3), runs.column_int(4), 0, 0,
            std::nullopt};
    }
    // One pass over the samples, per problem: samples, errors and correct ones. Accuracy is avg@k: per problem, the
    // fraction of its non-error samples that are correct; then the mean over the problems that have one (a problem
    // whose samples are all errors counts in neither; no such problem at all: no accuracy).
    Statement st = db_.prepare(
        "SELECT run_id, SUM(n), SUM(errors), AVG(CASE WHEN n > errors THEN correct * 1.0 / (n - errors) END) FROM "
        "(SELECT run_id, COUNT(*) AS n, SUM(verdict = 'error') AS errors, SUM(verdict = 'correct') AS correct "
        "FROM samples WHERE 1" +
        samples_where + " GROUP BY run_id, problem_id) GROUP BY run_id");
    while (st.step()) {
        RunSummary& r = by_id[st.column_int(0)];
        r.samples_done = st.column_int(1);
        r.errors = st.column_int(2);
        if (!st.is_null(3)) r.accuracy = st.column_real(3);
    }
    std::vector<RunSummary> out;
    for (auto& [id, summary] : by_id)
        out.push_back(std::move(summary));
    return out;
}

std::vector<RunRecord> RunStore::find_runs(const SampleFilter& filter) {
    QEVAL_CHECK(filter.run_id || !filter.variant.empty(), ErrorCode::usage, "give a run id or a variant");
    Statement st = db_.prepare(
        "SELECT id, fingerprint, variant, task, task_version, settings, provenance, status, samples_total, created_at, "
        "IFNULL(finished_at, '') FROM runs WHERE (?1 IS NULL OR id = ?1) AND (?2 = '' OR variant = ?2) AND "
        "(?3 = '' OR task = ?3) ORDER BY id");
    if (filter.run_id)
        st.bind_int(1, *filter.run_id);
    else
        st.bind_null(1);
    st.bind_text(2, filter.variant).bind_text(3, filter.task);
    std::vector<RunRecord> out;
    while (st.step()) {
        RunRecord r;
        r.id = st.column_int(0);
        r.fingerprint = st.column_text(1);
        r.variant = st.column_text(2);
        r.task = st.column_text(3);
        r.task_version = st.column_text(4);
        r.settings = json_object_column(st, 5, "settings", r.id, db_.path());
        r.provenance = json_object_column(st, 6, "provenance", r.id, db_.path());
        r.status = st.column_text(7);
        r.samples_total = st.column_int(8);
        r.created_at = st.column_text(9);
        r.finished_at = st.column_text(10);
        out.push_back(std::move(r));
    }
    QEVAL_CHECK(!filter.run_id || !out.empty(), ErrorCode::not_found,
                db_.path().string() + ": no run with id " + std::to_string(*filter.run_id));
    return out;
}

std::vector<StoredSample> RunStore::problem_samples(std::int64_t run_id, const std::string& problem_id) {
    Statement st = db_.prepare(select_samples("WHERE s.run_id = ?1 AND s.problem_id = ?2 ORDER BY s.sample_index"));
    st.bind_int(1, run_id).bind_text(2, problem_id);
    std::vector<StoredSample> out;
    while (st.step())
        out.push_back(read_sample_row(st).sample);
    return out;
}

std::vector<core::stats::SampleRow> RunStore::score_rows(std::int64_t run_id) {
    Statement st = db_.prepare("SELECT problem_id, sample_index, verdict, extracted, finish_reason, completion_tokens "
                               "FROM samples WHERE run_id = ?1");
    st.bind_int(1, run_id);
    std::vector<core::stats::SampleRow> rows;
    while (st.step())
        rows.push_back({st.column_text(0), static_cast<int>(st.column_int(1)), verdict_or_error(st.column_text(2)),
                        st.column_text(3), st.column_text(4), st.column_int(5)});
    return rows;
}

void RunStore::for_each_sample(const SampleFilter& filter, const std::function<void(const SampleRecord&)>& fn) {
    QEVAL_CHECK(filter.run_id || !filter.variant.empty(), ErrorCode::usage, "export needs a run id or a variant");
    if (filter.run_id) {
        Statement exists = db_.prepare("SELECT 1 FROM runs WHERE id = ?1");
        exists.bind_int(1, *filter.run_id);
        QEVAL_CHECK(exists.step(), ErrorCode::not_found,
                    db_.path().string() + ": no run with id " + std::to_string(*filter.run_id));
    }
    Statement st =
        db_.prepare(select_samples("WHERE (?1 IS NULL OR s.run_id = ?1) AND (?2 = '' OR r.variant = ?2) AND "
                                   "(?3 = '' OR r.task = ?3) ORDER BY s.run_id, s.problem_id, s.sample_index"));
    if (filter.run_id)
        st.bind_int(1, *filter.run_id);
    else
        st.bind_null(1);
    st.bind_text(2, filter.variant).bind_text(3, filter.task);
    while (st.step())
        fn(read_sample_row(st));
}

} // namespace qeval::harness
