// The run database: migrations (fresh, idempotent, future version refused), idempotent batched inserts, failed
// requests replaced by their retries, resume by fingerprint, two connections writing two runs at once, run ownership
// between processes, corrupt files, read-only connections, avg@k in list_runs, re-grading, find_runs and the export
// read path.
#include <catch2/catch.hpp>

#include <map>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "core/error.hpp"
#include "harness/storage/db.hpp"
#include "harness/storage/run_store.hpp"
#include "harness/storage/schema.hpp"
#include "test_util.hpp"

using namespace qeval;
using namespace qeval::harness;

namespace {

RunSpec make_spec(const std::string& fingerprint, const std::string& variant = "fp8",
                  const std::string& task = "math500") {
    RunSpec spec;
    spec.fingerprint = fingerprint;
    spec.variant = variant;
    spec.task = task;
    spec.task_version = "1";
    spec.settings = {{"temperature", 0.6}};
    spec.provenance = {{"qeval_version", "0.1.0"}, {"endpoint", "http://127.0.0.1:8000/v1"}};
    spec.samples_total = 4;
    return spec;
}

StoredSample make_sample(const std::string& problem, int index, core::Verdict verdict,
                         const std::string& text = "answer") {
    StoredSample s;
    s.problem_id = problem;
    s.sample_index = index;
    s.prompt_hash = "ph-" + problem;
    s.output.text = text;
    s.output.reasoning = "thinking";
    s.output.finish_reason = "stop";
    s.output.prompt_tokens = 12;
    s.output.completion_tokens = 34;
    s.output.latency_ms = 56.5;
    s.output.attempts = 1;
    if (verdict == core::Verdict::error) s.output.error = "HTTP 500 after 3 attempts";
    s.score.verdict = verdict;
    s.score.extracted = verdict == core::Verdict::error ? "" : "42";
    s.score.stage = "exact";
    return s;
}

// Runs `fn`, which must throw qeval::Error with `code`, and returns the message.
template <class Fn> std::string error_message(Fn&& fn, ErrorCode code) {
    try {
        fn();
    } catch (const Error& e) {
        CHECK(e.code() == code);
        return e.what();
    }
    FAIL("no qeval::Error was thrown");
    return {};
}

} // namespace

TEST_CASE("storage migrations from empty set user_version and are idempotent", "[harness][storage]") {
    test::TempDir tmp;
    Database db(tmp / "q.sqlite");
    CHECK(db.user_version() == 0);
    CHECK(migrate(db) == 0);
    CHECK(db.user_version() == schema_version());
    CHECK(migrate(db) == schema_version());
    CHECK(db.user_version() == schema_version());
    CHECK(db.query_int("SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name IN ('runs', 'samples')") == 2);
    Statement mode = db.prepare("PRAGMA journal_mode");
    REQUIRE(mode.step());
    CHECK(mode.column_text(0) == "wal");
    CHECK(db.query_int("PRAGMA synchronous") == 2); // FULL
    CHECK(db.query_int("PRAGMA foreign_keys") == 1);
}

TEST_CASE("storage refuses a database with a future schema version", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "future.sqlite";
    {
        Database db(path);
        db.exec("PRAGMA user_version = " + std::to_string(schema_version() + 7));
    }
    std::string message = error_message([&] { RunStore::open(path); }, ErrorCode::storage);
    CHECK_THAT(message, Catch::Contains(path.string()));
    CHECK_THAT(message, Catch::Contains("newer than this build"));
}

TEST_CASE("storage a corrupt file is a storage error naming the file", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "garbage.sqlite";
    std::string junk;
    for (int i = 0; i < 512; ++i)
        junk += "not a database\x01\x02";
    test::write_text(path, junk);
    std::string message = error_message([&] { RunStore::open(path); }, ErrorCode::storage);
    CHECK_THAT(message, Catch::Contains(path.string()));
    CHECK_THAT(message, Catch::Contains("not an SQLite database"));
}

TEST_CASE("storage stores samples and reports the done pairs", "[harness][storage]") {
    test::TempDir tmp;
    auto store = RunStore::open(tmp / "q.sqlite");
    RunHandle h = store->begin_run(make_spec("fp-a"));
    CHECK_FALSE(h.resumed);
    CHECK(h.run.status == "running");
    CHECK(store->done_pairs(h.run.id).empty());
    CHECK(store->store(h.run.id,
                       {make_sample("p1", 0, core::Verdict::correct), make_sample("p1", 1, core::Verdict::incorrect),
                        make_sample("p2", 0, core::Verdict::error)}) == 3);
    // p2/0 is a failed request (an output error): not done, a resumed run asks it again.
    std::set<std::pair<std::string, int>> expected = {{"p1", 0}, {"p1", 1}};
    CHECK(store->done_pairs(h.run.id) == expected);
    CHECK(store->store(h.run.id, {}) == 0);
    // A sample for a run that does not exist violates the foreign key: a storage error, nothing stored.
    CHECK_THROWS_AS(store->store(h.run.id + 100, {make_sample("p9", 0, core::Verdict::correct)}), Error);
    CHECK(store->database().query_int("SELECT COUNT(*) FROM samples") == 3);
}

TEST_CASE("storage a duplicate sample collapses and the first response is kept", "[harness][storage]") {
    test::TempDir tmp;
    auto store = RunStore::open(tmp / "q.sqlite");
    auto id = store->begin_run(make_spec("fp-dup")).run.id;
    CHECK(store->store(id, {make_sample("p1", 0, core::Verdict::correct, "first")}) == 1);
    CHECK(store->store(id, {make_sample("p1", 0, core::Verdict::incorrect, "late duplicate"),
                            make_sample("p1", 1, core::Verdict::incorrect, "new")}) == 1);
    std::vector<SampleRecord> rows;
    store->for_each_sample({id, "", ""}, [&](const SampleRecord& r) { rows.push_back(r); });
    REQUIRE(rows.size() == 2);
    CHECK(rows[0].sample.output.text == "first");
    CHECK(rows[0].sample.score.verdict == core::Verdict::correct);
    CHECK(rows[1].sample.output.text == "new");
}

TEST_CASE("storage resume by fingerprint returns the same run and its done pairs", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "q.sqlite";
    std::int64_t id = 0;
    {
        auto first = RunStore::open(path);
        id = first->begin_run(make_spec("fp-resume")).run.id;
        first->begin_run(make_spec("fp-other")); // a second run in the same database
        first->store(id, {make_sample("p1", 0, core::Verdict::correct), make_sample("p2", 3, core::Verdict::error)});
        first->release(id);
    }
    auto second = RunStore::open(path);
    RunHandle h = second->begin_run(make_spec("fp-resume"));
    CHECK(h.resumed);
    CHECK(h.run.id == id);
    std::set<std::pair<std::string, int>> expected = {{"p1", 0}}; // p2/3 failed: asked again
    CHECK(second->done_pairs(id) == expected);
    second->finish_run(id, "done");
    CHECK(second->begin_run(make_spec("fp-resume")).run.id == id); // a finished run can be resumed (topped up)
}

TEST_CASE("storage two connections write two runs concurrently without loss", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "q.sqlite";
    RunStore::open(path); // create and migrate once, as the first process would
    constexpr int kSamples = 2000, kBatch = 10;
    auto writer = [&](const std::string& fingerprint, std::int64_t& run_id, std::size_t& added) {
        auto store = RunStore::open(path, "writer-" + fingerprint + ":1");
        run_id = store->begin_run(make_spec(fingerprint, fingerprint)).run.id;
        for (int start = 0; start < kSamples; start += kBatch) {
            std::vector<StoredSample> batch;
            for (int i = start; i < start + kBatch; ++i) {
                batch.push_back(make_sample("p" + std::to_string(i / 4), i % 4, core::Verdict::correct));
            }
            added += store->store(run_id, batch);
            if (start % 500 == 0) store->heartbeat(run_id);
        }
        store->finish_run(run_id, "done");
    };
    std::int64_t id_a = 0, id_b = 0;
    std::size_t added_a = 0, added_b = 0;
    std::thread a([&] { writer("run-a", id_a, added_a); });
    std::thread b([&] { writer("run-b", id_b, added_b); });
    a.join();
    b.join();
    CHECK(added_a == kSamples);
    CHECK(added_b == kSamples);
    auto check = RunStore::open(path);
    for (auto id : {id_a, id_b})
        CHECK(check->done_pairs(id).size() == kSamples);
    CHECK(check->database().query_int("SELECT COUNT(*) FROM samples") == 2 * kSamples);
    Statement integrity = check->database().prepare("PRAGMA integrity_check");
    REQUIRE(integrity.step());
    CHECK(integrity.column_text(0) == "ok");
    for (const RunSummary& r : check->list_runs())
        CHECK(r.status == "done");
}

TEST_CASE("storage a run held by another live process is refused until released or stale", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "q.sqlite";
    auto mine = RunStore::open(path); // owner "host:<this pid>"
    auto other = RunStore::open(path, "other-host:4242");
    auto id = mine->begin_run(make_spec("fp-held")).run.id;
    std::string message = error_message([&] { other->begin_run(make_spec("fp-held")); }, ErrorCode::runtime);
    CHECK_THAT(message, Catch::Contains("held by process " + mine->owner()));
    CHECK_THAT(message, Catch::Contains("run " + std::to_string(id)));

    mine->release(id);
    CHECK(other->begin_run(make_spec("fp-held")).run.id == id);
    message = error_message([&] { mine->begin_run(make_spec("fp-held")); }, ErrorCode::runtime);
    CHECK_THAT(message, Catch::Contains("other-host:4242"));

    // A heartbeat older than the stale limit frees the run; the old holder learns it on its next heartbeat.
    mine->database().exec("UPDATE runs SET heartbeat_at = heartbeat_at - 120");
    CHECK(mine->begin_run(make_spec("fp-held")).run.id == id);
    error_message([&] { other->heartbeat(id); }, ErrorCode::runtime);
    mine->heartbeat(id);
}

TEST_CASE("storage a run held by a dead process on this host is taken over", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "q.sqlite";
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) _exit(0);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    std::string host = RunStore::default_owner();
    host = host.substr(0, host.rfind(':'));
    auto dead = RunStore::open(path, host + ":" + std::to_string(child));
    auto id = dead->begin_run(make_spec("fp-dead")).run.id; // fresh heartbeat, but its pid is gone
    auto alive = RunStore::open(path);
    CHECK(alive->begin_run(make_spec("fp-dead")).run.id == id);
}

TEST_CASE("storage list_runs accuracy is avg@k over non-error samples", "[harness][storage]") {
    test::TempDir tmp;
    auto store = RunStore::open(tmp / "q.sqlite");
    auto id = store->begin_run(make_spec("fp-acc")).run.id;
    auto empty = store->begin_run(make_spec("fp-empty", "nvfp4")).run.id;
    auto failed = store->begin_run(make_spec("fp-failed", "mxfp4")).run.id;
    // p1: 1 of 2 correct (0.5); p2: 1 correct + 1 error, the error excluded (1.0); p3: only errors, in neither the
    // sum nor the count. avg@k = 0.75.
    store->store(id, {make_sample("p1", 0, core::Verdict::correct), make_sample("p1", 1, core::Verdict::incorrect),
                      make_sample("p2", 0, core::Verdict::correct), make_sample("p2", 1, core::Verdict::error),
                      make_sample("p3", 0, core::Verdict::error), make_sample("p3", 1, core::Verdict::error)});
    // A run whose every sample is an error has no accuracy (not 0).
    store->store(failed, {make_sample("p1", 0, core::Verdict::error), make_sample("p2", 0, core::Verdict::error)});
    auto runs = store->list_runs();
    REQUIRE(runs.size() == 3);
    CHECK(runs[2].id == failed);
    CHECK(runs[2].samples_done == 2);
    CHECK(runs[2].errors == 2);
    CHECK_FALSE(runs[2].accuracy);
    CHECK(runs[0].id == id);
    CHECK(runs[0].samples_total == 4);
    CHECK(runs[0].samples_done == 6);
    CHECK(runs[0].errors == 3);
    REQUIRE(runs[0].accuracy);
    CHECK(*runs[0].accuracy == Approx(0.75));
    core::Json j = runs[0].to_json();
    CHECK(j["accuracy"].get<double>() == Approx(75.0));
    CHECK(j["variant"] == "fp8");
    CHECK(j["status"] == "running");
    CHECK(runs[1].id == empty);
    CHECK_FALSE(runs[1].accuracy);
    CHECK(runs[1].to_json()["accuracy"].is_null());
    // One run alone (what `qeval run` reads at its end): the same summary, nothing of the other run.
    auto one = store->list_runs(id);
    REQUIRE(one.size() == 1);
    CHECK(one[0].to_json() == runs[0].to_json());
    auto other = store->list_runs(empty);
    REQUIRE(other.size() == 1);
    CHECK(other[0].to_json() == runs[1].to_json());
    CHECK(store->list_runs(empty + 100).empty());
}

TEST_CASE("storage export records carry the export fields and re-grading updates them", "[harness][storage]") {
    test::TempDir tmp;
    auto store = RunStore::open(tmp / "q.sqlite");
    auto id = store->begin_run(make_spec("fp-exp", "fp8", "aime")).run.id;
    store->begin_run(make_spec("fp-exp2", "fp8", "gpqa_diamond"));
    store->store(
        id, {make_sample("2024-I-1", 0, core::Verdict::incorrect), make_sample("2024-I-2", 0, core::Verdict::error)});
    core::Score regraded;
    regraded.verdict = core::Verdict::correct;
    regraded.extracted = "073";
    regraded.stage = "integer";
    regraded.explanation = "leading zeros";
    CHECK(store->update_grades(id, {{"2024-I-1", 0, regraded}, {"missing", 0, regraded}}) == 1);

    std::vector<core::Json> lines;
    store->for_each_sample({std::nullopt, "fp8", "aime"}, [&](const SampleRecord& r) { lines.push_back(r.to_json()); });
    REQUIRE(lines.size() == 2);
    for (const char* key :
         {"run", "variant", "task", "id", "sample", "response", "reasoning", "finish_reason", "extracted", "verdict",
          "stage", "error", "attempts", "latency_ms", "prompt_tokens", "completion_tokens"}) {
        CHECK(lines[0].contains(key));
    }
    CHECK(lines[0]["run"] == id);
    CHECK(lines[0]["task"] == "aime");
    CHECK(lines[0]["verdict"] == "correct");
    CHECK(lines[0]["extracted"] == "073");
    CHECK(lines[0]["stage"] == "integer");
    CHECK(lines[0]["completion_tokens"] == 34);
    CHECK(lines[1]["verdict"] == "error");
    CHECK(lines[1]["error"] == "HTTP 500 after 3 attempts");
    error_message([&] { store->for_each_sample({id + 99, "", ""}, [](const SampleRecord&) {}); }, ErrorCode::not_found);
}

TEST_CASE("storage two processes share one database and never share a run", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "q.sqlite";
    auto parent = RunStore::open(path);
    auto held = parent->begin_run(make_spec("fp-parent")).run.id;
    auto write_run = [](RunStore& store, std::int64_t id) {
        for (int start = 0; start < 500; start += 10) {
            std::vector<StoredSample> batch;
            for (int i = start; i < start + 10; ++i)
                batch.push_back(make_sample("p" + std::to_string(i), 0, core::Verdict::correct));
            store.store(id, batch);
        }
    };
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) { // a second qeval process: its own connection, its own owner "host:<child pid>"
        int code = 0;
        try {
            auto store = RunStore::open(path);
            try {
                store->begin_run(make_spec("fp-parent"));
                code = 10; // must have been refused: the parent is alive and holds it
            } catch (const Error& e) {
                if (e.code() != ErrorCode::runtime) code = 11;
            }
            auto own = store->begin_run(make_spec("fp-child")).run.id;
            write_run(*store, own);
            store->finish_run(own, "done");
        } catch (...) {
            code = 12;
        }
        _exit(code);
    }
    write_run(*parent, held);
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(parent->database().query_int("SELECT COUNT(*) FROM samples") == 1000);
    CHECK(parent->database().query_int("SELECT COUNT(DISTINCT run_id) FROM samples") == 2);
    Statement integrity = parent->database().prepare("PRAGMA integrity_check");
    REQUIRE(integrity.step());
    CHECK(integrity.column_text(0) == "ok");
}

TEST_CASE("storage a failed request is replaced by its retry and a response is never overwritten",
          "[harness][storage]") {
    test::TempDir tmp;
    auto store = RunStore::open(tmp / "q.sqlite");
    auto id = store->begin_run(make_spec("fp-retry")).run.id;
    StoredSample grader_error = make_sample("p3", 0, core::Verdict::error);
    grader_error.output.error.clear(); // the request worked; the grader threw
    grader_error.score.explanation = "grader failed: boom";
    CHECK(store->store(id, {make_sample("p1", 0, core::Verdict::error), make_sample("p2", 0, core::Verdict::error),
                            grader_error}) == 3);
    std::set<std::pair<std::string, int>> done = {{"p3", 0}}; // a grader error is re-graded, never re-requested
    CHECK(store->done_pairs(id) == done);

    // Resume: p1 succeeds, p2 fails again, the grader-error row collapses like any stored response.
    StoredSample retry_p2 = make_sample("p2", 0, core::Verdict::error);
    retry_p2.output.error = "HTTP 503 after 3 attempts";
    retry_p2.output.attempts = 3;
    StoredSample late_p3 = make_sample("p3", 0, core::Verdict::correct, "late");
    CHECK(store->store(id, {make_sample("p1", 0, core::Verdict::correct, "retried"), retry_p2, late_p3}) == 2);
    done = {{"p1", 0}, {"p3", 0}};
    CHECK(store->done_pairs(id) == done);

    // A late duplicate of a real response changes nothing.
    CHECK(store->store(id, {make_sample("p1", 0, core::Verdict::incorrect, "late duplicate")}) == 0);
    std::map<std::string, SampleRecord> rows;
    store->for_each_sample({id, "", ""}, [&](const SampleRecord& r) { rows[r.sample.problem_id] = r; });
    REQUIRE(rows.size() == 3);
    CHECK(rows["p1"].sample.output.text == "retried");
    CHECK(rows["p1"].sample.output.error.empty());
    CHECK(rows["p1"].sample.score.verdict == core::Verdict::correct);
    CHECK(rows["p1"].sample.output.attempts == 2); // attempts add up across resumes
    CHECK(rows["p2"].sample.output.error == "HTTP 503 after 3 attempts");
    CHECK(rows["p2"].sample.output.attempts == 4);
    CHECK(rows["p3"].sample.score.verdict == core::Verdict::error);
    CHECK(rows["p3"].sample.output.text == "answer");
    CHECK(store->database().query_int("SELECT COUNT(*) FROM samples") == 3);
}

TEST_CASE("storage find_runs returns stored runs by id or by variant and task", "[harness][storage]") {
    test::TempDir tmp;
    auto store = RunStore::open(tmp / "q.sqlite");
    RunSpec spec = make_spec("fp-find", "fp8", "aime24");
    spec.settings = {{"seed", 7}, {"params", core::Json::object()}};
    auto a = store->begin_run(spec).run.id;
    auto b = store->begin_run(make_spec("fp-find-2", "fp8", "math500")).run.id;
    store->begin_run(make_spec("fp-find-3", "nvfp4", "math500"));
    store->finish_run(a, "done");
    auto one = store->find_runs({a, "", ""});
    REQUIRE(one.size() == 1);
    CHECK(one[0].fingerprint == "fp-find");
    CHECK(one[0].variant == "fp8");
    CHECK(one[0].task == "aime24");
    CHECK(one[0].task_version == "1");
    CHECK(one[0].settings["seed"] == 7);
    CHECK(one[0].provenance["endpoint"] == "http://127.0.0.1:8000/v1");
    CHECK(one[0].status == "done");
    CHECK(one[0].samples_total == 4);
    CHECK_FALSE(one[0].created_at.empty());
    CHECK_FALSE(one[0].finished_at.empty());
    CHECK(store->find_runs({std::nullopt, "fp8", ""}).size() == 2);
    auto fp8_math = store->find_runs({std::nullopt, "fp8", "math500"});
    REQUIRE(fp8_math.size() == 1);
    CHECK(fp8_math[0].id == b);
    CHECK(fp8_math[0].finished_at.empty());
    CHECK(store->find_runs({std::nullopt, "bf16", ""}).empty());
    error_message([&] { store->find_runs({a + 50, "", ""}); }, ErrorCode::not_found);
    store->database().exec("UPDATE runs SET settings = 'not json' WHERE id = " + std::to_string(b));
    std::string message = error_message([&] { store->find_runs({b, "", ""}); }, ErrorCode::storage);
    CHECK_THAT(message, Catch::Contains("settings") && Catch::Contains("run " + std::to_string(b)));
}

TEST_CASE("storage a read-only connection reads and never writes", "[harness][storage]") {
    test::TempDir tmp;
    const auto path = tmp / "q.sqlite";
    {
        auto store = RunStore::open(path);
        auto id = store->begin_run(make_spec("fp-ro")).run.id;
        store->store(id, {make_sample("p1", 0, core::Verdict::correct)});
        store->finish_run(id, "done");
    }
    const std::string bytes = test::read_text(path);
    REQUIRE_FALSE(std::filesystem::exists(path.string() + "-wal")); // closed cleanly: everything in the main file
    {
        Database ro(path, OpenMode::read_only);
        CHECK(ro.user_version() == schema_version());
        CHECK(ro.query_int("SELECT COUNT(*) FROM samples") == 1);
        std::string message = error_message([&] { ro.exec("DELETE FROM samples"); }, ErrorCode::storage);
        CHECK_THAT(message, Catch::Contains(path.string()));
    }
    CHECK(test::read_text(path) == bytes);
    CHECK_FALSE(std::filesystem::exists(path.string() + "-wal")); // no side files either
    CHECK_FALSE(std::filesystem::exists(path.string() + "-shm"));

    // While another connection has the database open with a pending log, reading goes through the log.
    auto writer = RunStore::open(path);
    auto id = writer->begin_run(make_spec("fp-ro-2")).run.id;
    writer->store(id, {make_sample("p2", 0, core::Verdict::correct)});
    {
        Database ro(path, OpenMode::read_only);
        CHECK(ro.query_int("SELECT COUNT(*) FROM samples") == 2);
    }
    std::string message =
        error_message([&] { Database missing(tmp / "absent.sqlite", OpenMode::read_only); }, ErrorCode::storage);
    CHECK_THAT(message, Catch::Contains("absent.sqlite"));
    CHECK_FALSE(std::filesystem::exists(tmp / "absent.sqlite"));
}

TEST_CASE("storage a version 1 database migrates to the current version keeping its runs", "[harness][storage]") {
    test::TempDir tmp;
    auto path = tmp / "old.sqlite";
    {
        auto store = RunStore::open(path);
        store->begin_run(RunSpec{"fp", "fp8", "math500", "1", {}, {}, 2});
        // Make it what a version 1 build wrote: no comparisons or problem_groups table, user_version 1.
        store->database().exec("DROP TABLE comparisons; DROP TABLE problem_groups; PRAGMA user_version = 1");
    }
    {
        Database db(path);
        REQUIRE(db.user_version() == 1);
        CHECK(migrate(db) == 1);
        CHECK(db.user_version() == schema_version());
        db.exec("SELECT COUNT(*) FROM comparisons WHERE night = ''"); // v2, then v3's column
        db.exec("SELECT COUNT(*) FROM problem_groups");               // v4
    }
    auto store = RunStore::open(path);
    auto runs = store->list_runs();
    REQUIRE(runs.size() == 1);
    CHECK(runs[0].variant == "fp8");
}
