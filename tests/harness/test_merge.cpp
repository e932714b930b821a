// `qeval merge`: runs matched by fingerprint (new ones copied with new ids, known ones merged), a present pair kept
// unless it is a failed request and the input has a result, inputs never modified, merging twice a no-op, clear
// refusals for inputs that are not qeval databases; and scripts/run_shards.sh (3 shards as separate processes with
// the replay runner, then merge) giving the same verdicts as one unsharded run, each (problem, sample) once.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <sstream>

#include "core/data/jsonl.hpp"
#include "core/hash.hpp"
#include "harness/storage/db.hpp"
#include "harness/storage/merge.hpp"
#include "harness/storage/run_store.hpp"
#include "harness/storage/schema.hpp"
#include "test_util.hpp"

using namespace qeval;
using namespace qeval::harness;
using core::Json;

namespace {

const std::string kDemoData = QEVAL_TEST_DATA "/../../examples/demo-data";
const std::string kRunShards = QEVAL_TEST_DATA "/../../scripts/run_shards.sh";

StoredSample sample(const std::string& problem, int index, core::Verdict verdict, const std::string& text) {
    StoredSample s;
    s.problem_id = problem;
    s.sample_index = index;
    s.output.text = text;
    s.output.attempts = 1;
    if (verdict == core::Verdict::error) s.output.error = "HTTP 500 after 3 attempts";
    s.score.verdict = verdict;
    s.score.stage = verdict == core::Verdict::error ? "request" : "exact";
    return s;
}

RunSpec spec(const std::string& fingerprint, const std::string& variant, const std::string& task) {
    return RunSpec{fingerprint, variant, task, "1", Json{{"shard", fingerprint}}, Json{{"host", "h"}}, 3};
}

std::map<std::pair<std::string, int>, StoredSample> samples_of(RunStore& store, std::int64_t run) {
    std::map<std::pair<std::string, int>, StoredSample> out;
    store.for_each_sample({run, "", ""}, [&](const SampleRecord& r) {
        out[{r.sample.problem_id, r.sample.sample_index}] = r.sample;
    });
    return out;
}

std::int64_t run_id(RunStore& store, const std::string& fingerprint) {
    Statement st = store.database().prepare("SELECT id FROM runs WHERE fingerprint = ?1");
    st.bind_text(1, fingerprint);
    REQUIRE(st.step());
    return st.column_int(0);
}

std::vector<Json> lines_of(const std::string& text) {
    std::vector<Json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(Json::parse(line));
    return out;
}

} // namespace

TEST_CASE("merge copies new runs, merges known fingerprints and replaces only failed requests", "[harness][merge]") {
    test::TempDir tmp;
    const auto a = tmp / "a.sqlite", b = tmp / "b.sqlite", out = tmp / "out.sqlite";
    {
        auto store = RunStore::open(a);
        auto x = store->begin_run(spec("fp-x", "fp8", "math500")).run.id;
        store->store(x, {sample("p1", 0, core::Verdict::correct, "a-p1"), sample("p2", 0, core::Verdict::error, "")});
        store->release(x); // a killed shard: still "running"
        auto y = store->begin_run(spec("fp-y", "fp8", "aime24")).run.id;
        store->store(y, {sample("q1", 0, core::Verdict::incorrect, "a-q1")});
        store->finish_run(y, "done");
    }
    {
        auto store = RunStore::open(b);
        store->begin_run(spec("fp-z", "nvfp4", "math500")); // ids differ from a's: b's fp-x gets id 2
        auto x = store->begin_run(spec("fp-x", "fp8", "math500")).run.id;
        store->store(x, {sample("p1", 0, core::Verdict::incorrect, "b-p1"),
                         sample("p2", 0, core::Verdict::correct, "b-p2"),
                         sample("p3", 0, core::Verdict::correct, "b-p3")});
        store->finish_run(x, "done");
    }
    const std::string a_bytes = core::sha256_file_hex(a), b_bytes = core::sha256_file_hex(b);

    MergeResult r = merge_databases(out, {a, b});
    REQUIRE(r.inputs.size() == 2);
    CHECK(r.inputs[0].counts.runs_copied == 2);
    CHECK(r.inputs[0].counts.samples_copied == 3);
    REQUIRE(r.inputs[0].unfinished.size() == 1);
    CHECK_THAT(r.inputs[0].unfinished[0], Catch::Contains("fp8/math500") && Catch::Contains("running"));
    CHECK(r.inputs[1].counts.runs_copied == 1);
    CHECK(r.inputs[1].counts.runs_merged == 1);
    CHECK(r.inputs[1].counts.samples_copied == 1);     // p3
    CHECK(r.inputs[1].counts.errors_replaced == 1);    // p2: a's failed request, b's response
    CHECK(r.inputs[1].counts.duplicates_skipped == 1); // p1: a's response kept
    CHECK(r.total.runs_copied == 3);
    CHECK(r.total.samples_copied == 4);
    CHECK(core::sha256_file_hex(a) == a_bytes); // inputs are never modified
    CHECK(core::sha256_file_hex(b) == b_bytes);

    auto store = RunStore::open(out);
    auto x = run_id(*store, "fp-x");
    auto rows = samples_of(*store, x);
    REQUIRE(rows.size() == 3);
    CHECK(rows[{"p1", 0}].output.text == "a-p1");
    CHECK(rows[{"p2", 0}].output.text == "b-p2");
    CHECK(rows[{"p2", 0}].output.error.empty());
    CHECK(rows[{"p2", 0}].output.attempts == 2);
    CHECK(rows[{"p2", 0}].score.verdict == core::Verdict::correct);
    CHECK(rows[{"p3", 0}].output.text == "b-p3");
    auto runs = store->find_runs({x, "", ""});
    CHECK(runs[0].status == "done"); // done in b
    CHECK(runs[0].settings == Json{{"shard", "fp-x"}});
    CHECK(runs[0].provenance == Json{{"host", "h"}});
    CHECK_FALSE(runs[0].finished_at.empty());
    CHECK(store->database().query_int("SELECT COUNT(*) FROM runs WHERE owner IS NOT NULL") == 0);
    CHECK(store->list_runs().size() == 3);

    // Merging the same inputs again changes nothing.
    MergeResult again = merge_databases(out, {a, b});
    CHECK(again.total.runs_copied == 0);
    CHECK(again.total.runs_merged == 4); // a: fp-x, fp-y; b: fp-z, fp-x
    CHECK(again.total.samples_copied == 0);
    CHECK(again.total.errors_replaced == 0);
    CHECK(again.total.duplicates_skipped == 6);
    CHECK(store->database().query_int("SELECT COUNT(*) FROM samples") == 4);
}

TEST_CASE("qeval merge refuses inputs that are not qeval databases, naming the file", "[harness][merge]") {
    test::TempDir tmp;
    const auto good = tmp / "good.sqlite", out = tmp / "out.sqlite";
    {
        auto store = RunStore::open(good);
        auto id = store->begin_run(spec("fp-g", "fp8", "math500")).run.id;
        store->store(id, {sample("p1", 0, core::Verdict::correct, "r")});
    }
    test::write_text(tmp / "text.sqlite", "this is not a database at all, just some text\n");
    test::write_text(tmp / "empty.sqlite", "");
    {
        Database other(tmp / "other.sqlite");
        other.exec("CREATE TABLE notes (body TEXT)");
    }
    {
        Database future(tmp / "future.sqlite");
        migrate(future);
        future.exec("PRAGMA user_version = " + std::to_string(schema_version() + 1));
    }
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"text.sqlite", "not an SQLite file"},    {"empty.sqlite", "not a qeval database"},
        {"other.sqlite", "not a qeval database"}, {"future.sqlite", "newer than this build"},
        {"absent.sqlite", "no such database"},
    };
    for (const auto& [name, why] : bad) {
        auto r = test::run_qeval({"merge", out.string(), good.string(), (tmp / name).string()});
        INFO(name << ": " << r.err);
        CHECK(r.exit_code == 2);
        CHECK_THAT(r.err, Catch::Contains((tmp / name).string()) && Catch::Contains(why));
        CHECK_FALSE(std::filesystem::exists(out)); // every input is checked before OUT is written
    }
    auto same = test::run_qeval({"merge", good.string(), good.string()});
    CHECK(same.exit_code == 2);
    CHECK_THAT(same.err, Catch::Contains("both the output and an input"));
    auto into_text = test::run_qeval({"merge", (tmp / "text.sqlite").string(), good.string()});
    CHECK(into_text.exit_code == 2);
    CHECK_THAT(into_text.err, Catch::Contains("refusing to merge into it"));
    auto into_other = test::run_qeval({"merge", (tmp / "other.sqlite").string(), good.string()});
    CHECK(into_other.exit_code == 2);
    auto usage = test::run_qeval({"merge", out.string()});
    CHECK(usage.exit_code == 2);

    auto ok = test::run_qeval({"merge", out.string(), good.string(), "--json"});
    INFO(ok.err);
    REQUIRE(ok.exit_code == 0);
    Json summary = Json::parse(ok.out);
    CHECK(summary["total"]["runs_copied"] == 1);
    CHECK(summary["total"]["samples_copied"] == 1);
    CHECK(summary["inputs"][0]["path"] == good.string());
    CHECK(summary["inputs"][0]["unfinished"].size() == 1);
    auto text = test::run_qeval({"merge", out.string(), good.string()});
    REQUIRE(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("0 runs copied, 1 merged into existing runs, 0 samples copied") &&
                             Catch::Contains("1 duplicates skipped"));
}

TEST_CASE("scripts/run_shards.sh: 3 shard processes merged equal one unsharded run", "[harness][merge]") {
    test::TempDir tmp;
    // math500 (8 problems) and gpqa_diamond (5, options shuffled by the run seed), 2 samples each; sample 1 of every
    // third problem has no replayed response (a failed request).
    std::string text;
    auto add = [&](const std::string& id, int n, const std::string& response) {
        for (int k = 0; k < 2; ++k)
            if (k == 0 || n % 3 != 0) text += Json{{"id", id}, {"sample", k}, {"response", response}}.dump() + "\n";
    };
    core::JsonlReader reader(kDemoData + "/math500/test.jsonl");
    Json row;
    for (int i = 0; reader.next(row); ++i) // even problems answered right, odd ones wrong
        add(row["unique_id"].get<std::string>(), i,
            "So \\boxed{" + (i % 2 ? std::string("1000") : row["answer"].get<std::string>()) + "}.");
    for (int q = 0; q < 5; ++q)
        add("recDEMO" + std::to_string(q), q, std::string("Answer: ") + "ABCD"[q % 4]);
    test::write_text(tmp / "responses.jsonl", text);
    const std::vector<std::string> run_args = {"--task",      "math500,gpqa_diamond",
                                               "--variant",   "nvfp4",
                                               "--runner",    "replay",
                                               "--samples",   "2",
                                               "--seed",      "11",
                                               "--responses", (tmp / "responses.jsonl").string(),
                                               "--data-dir",  kDemoData};

    std::vector<std::string> whole = {"run"};
    whole.insert(whole.end(), run_args.begin(), run_args.end());
    whole.insert(whole.end(), {"--db", (tmp / "whole.sqlite").string()});
    auto w = test::run_qeval(whole);
    INFO(w.err);
    REQUIRE(w.exit_code == 0);

    std::vector<std::string> script = {"/bin/bash", kRunShards, "-n", "3", "-o", (tmp / "merged.sqlite").string(),
                                       "--"};
    script.insert(script.end(), run_args.begin(), run_args.end());
    auto s = test::run_process(script, {{"QEVAL", QEVAL_BINARY}});
    INFO(s.out << s.err);
    REQUIRE(s.exit_code == 0);
    CHECK_THAT(s.out, Catch::Contains("merged 3 databases") && Catch::Contains("6 runs copied"));
    for (int i = 0; i < 3; ++i)
        CHECK(std::filesystem::exists(tmp / ("merged-shards/shard-" + std::to_string(i) + ".sqlite")));

    auto verdicts = [&](const std::string& db, const std::string& task) {
        auto r = test::run_qeval({"export", "--variant", "nvfp4", "--task", task, "--db", (tmp / db).string()});
        REQUIRE(r.exit_code == 0);
        std::map<std::pair<std::string, int>, std::string> out;
        std::set<std::int64_t> runs;
        for (const Json& line : lines_of(r.out)) {
            auto [it, inserted] = out.emplace(std::make_pair(line["id"], line["sample"]), line["verdict"]);
            CHECK(inserted); // each (problem, sample) exported once across the shard runs
            runs.insert(line["run"].get<std::int64_t>());
        }
        return std::make_pair(out, runs.size());
    };
    for (const auto& [task, problems] : {std::pair<std::string, std::size_t>{"math500", 8}, {"gpqa_diamond", 5}}) {
        auto [unsharded, one_run] = verdicts("whole.sqlite", task);
        auto [merged, shard_runs] = verdicts("merged.sqlite", task);
        CHECK(one_run == 1);
        CHECK(shard_runs == 3);
        CHECK(unsharded.size() == 2 * problems);
        CHECK(merged == unsharded);
        std::set<std::string> kinds;
        for (const auto& [key, verdict] : merged)
            kinds.insert(verdict);
        CHECK(kinds.count("error")); // the failed requests came through as failed requests
    }
    std::set<std::string> math_kinds;
    for (const auto& [key, verdict] : verdicts("merged.sqlite", "math500").first)
        math_kinds.insert(verdict);
    CHECK(math_kinds == std::set<std::string>{"correct", "incorrect", "error"});

    auto runs = test::run_qeval({"runs", "--json", "--db", (tmp / "merged.sqlite").string()});
    REQUIRE(runs.exit_code == 0);
    std::map<std::string, std::int64_t> totals;
    for (const Json& r : Json::parse(runs.out))
        totals[r["task"]] += r["samples_total"].get<std::int64_t>();
    CHECK(totals == std::map<std::string, std::int64_t>{{"math500", 16}, {"gpqa_diamond", 10}});

    // Running the script again resumes every shard and merges again: nothing new, nothing duplicated.
    auto again = test::run_process(script, {{"QEVAL", QEVAL_BINARY}});
    INFO(again.out << again.err);
    REQUIRE(again.exit_code == 0);
    CHECK_THAT(again.out, Catch::Contains("0 runs copied, 6 merged into existing runs, 0 samples copied"));
    CHECK(verdicts("merged.sqlite", "math500").first.size() == 16);
}

TEST_CASE("scripts/run_shards.sh stops before merging when a shard fails", "[harness][merge]") {
    test::TempDir tmp;
    auto s = test::run_process({"/bin/bash", kRunShards, "-n", "2", "-o", (tmp / "m.sqlite").string(), "--", "--task",
                                "math500", "--variant", "fp8", "--runner", "replay", "--responses",
                                (tmp / "absent.jsonl").string(), "--data-dir", kDemoData},
                               {{"QEVAL", QEVAL_BINARY}});
    CHECK(s.exit_code == 3);
    CHECK_THAT(s.err, Catch::Contains("shard 0/2 failed") && Catch::Contains("shard 1/2 failed") &&
                          Catch::Contains("absent.jsonl") && Catch::Contains("nothing merged"));
    CHECK_FALSE(std::filesystem::exists(tmp / "m.sqlite"));
    auto usage = test::run_process({"/bin/bash", kRunShards, "-o", (tmp / "m.sqlite").string()});
    CHECK(usage.exit_code == 2);
    CHECK_THAT(usage.err, Catch::Contains("-n N"));
}
