// `qeval runs` and `qeval export` through the binary over a database written with RunStore: the design.md fields,
// avg@k accuracy with errors left out, filters, and clear errors for a missing database or a missing selector.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>

#include "harness/storage/run_store.hpp"
#include "test_util.hpp"

using namespace qeval;
using core::Json;

namespace {

harness::StoredSample sample(const std::string& problem, int index, core::Verdict verdict) {
    harness::StoredSample s;
    s.problem_id = problem;
    s.sample_index = index;
    s.output.text = "response " + problem + "/" + std::to_string(index);
    s.output.attempts = 1;
    if (verdict == core::Verdict::error) s.output.error = "HTTP 500 after 3 attempts";
    s.score.verdict = verdict;
    s.score.stage = verdict == core::Verdict::error ? "" : "exact";
    return s;
}

std::vector<Json> lines_of(const std::string& text) {
    std::vector<Json> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(Json::parse(line));
    return out;
}

// fp8/math500: p1 = {correct, incorrect}, p2 = {correct, error} -> avg@k = (1/2 + 1/1) / 2 = 75%
// nvfp4/aime24: q1 = {incorrect} -> 0%
void fill(const std::filesystem::path& db) {
    auto store = harness::RunStore::open(db);
    harness::RunSpec a{"fp-a", "fp8", "math500", "1", Json::object(), Json::object(), 4};
    auto ra = store->begin_run(a).run.id;
    store->store(ra, {sample("p1", 0, core::Verdict::correct), sample("p1", 1, core::Verdict::incorrect),
                      sample("p2", 0, core::Verdict::correct), sample("p2", 1, core::Verdict::error)});
    store->finish_run(ra, "done");
    harness::RunSpec b{"fp-b", "nvfp4", "aime24", "1", Json::object(), Json::object(), 2};
    auto rb = store->begin_run(b).run.id;
    store->store(rb, {sample("q1", 0, core::Verdict::incorrect)});
    store->release(rb);
}

} // namespace

TEST_CASE("qeval runs --json lists runs with the contract fields and avg@k accuracy", "[harness][runs]") {
    test::TempDir tmp;
    fill(tmp / "q.sqlite");
    auto r = test::run_qeval({"runs", "--json", "--db", (tmp / "q.sqlite").string()});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Json runs = Json::parse(r.out);
    REQUIRE(runs.size() == 2);
    for (const auto& run : runs)
        for (const char* k : {"id", "variant", "task", "status", "samples_total", "samples_done", "errors", "accuracy"})
            CHECK(run.contains(k));
    CHECK(runs[0]["variant"] == "fp8");
    CHECK(runs[0]["status"] == "done");
    CHECK(runs[0]["samples_total"] == 4);
    CHECK(runs[0]["samples_done"] == 4);
    CHECK(runs[0]["errors"] == 1);
    CHECK(runs[0]["accuracy"].get<double>() == Approx(75.0));
    CHECK(runs[1]["accuracy"].get<double>() == Approx(0.0));
    auto text = test::run_qeval({"runs", "--db", (tmp / "q.sqlite").string()});
    CHECK(text.exit_code == 0);
    CHECK_THAT(text.out, Catch::Contains("fp8") && Catch::Contains("4/4") && Catch::Contains("75.00%"));
}

TEST_CASE("qeval export streams stored samples by run or by variant and task", "[harness][export]") {
    test::TempDir tmp;
    fill(tmp / "q.sqlite");
    std::string db = (tmp / "q.sqlite").string();
    auto r = test::run_qeval({"export", "--run", "1", "--db", db});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto rows = lines_of(r.out);
    REQUIRE(rows.size() == 4);
    for (const char* k :
         {"run", "variant", "task", "id", "sample", "response", "reasoning", "finish_reason", "extracted", "verdict",
          "stage", "error", "attempts", "latency_ms", "prompt_tokens", "completion_tokens"})
        CHECK(rows[0].contains(k));
    CHECK(rows[0]["id"] == "p1");
    CHECK(rows[3]["verdict"] == "error");
    CHECK(rows[3]["error"] == "HTTP 500 after 3 attempts");
    CHECK_THAT(r.err, Catch::Contains("exported 4 samples"));
    auto by_variant = test::run_qeval({"export", "--variant", "nvfp4", "--task", "aime24", "--db", db});
    REQUIRE(by_variant.exit_code == 0);
    REQUIRE(lines_of(by_variant.out).size() == 1);
    CHECK(lines_of(by_variant.out)[0]["task"] == "aime24");
    CHECK(lines_of(test::run_qeval({"export", "--variant", "nvfp4", "--task", "math500", "--db", db}).out).empty());
}

TEST_CASE("qeval runs and export refuse a missing database and a missing selector", "[harness][runs]") {
    test::TempDir tmp;
    auto r = test::run_qeval({"runs", "--db", (tmp / "absent.sqlite").string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("absent.sqlite") && Catch::Contains("no such database"));
    CHECK_FALSE(std::filesystem::exists(tmp / "absent.sqlite")); // never created by a read
    fill(tmp / "q.sqlite");
    auto e = test::run_qeval({"export", "--db", (tmp / "q.sqlite").string()});
    CHECK(e.exit_code == 2);
    CHECK_THAT(e.err, Catch::Contains("--run") && Catch::Contains("--variant"));
    auto unknown = test::run_qeval({"export", "--run", "99", "--db", (tmp / "q.sqlite").string()});
    CHECK(unknown.exit_code == 2);
}

TEST_CASE("qeval --version names the commit the binary was built from", "[harness][runs]") {
    // QEVAL_TEST_DATA is tests/data of the source tree.
    const std::filesystem::path source = std::filesystem::path(QEVAL_TEST_DATA).parent_path().parent_path();
    const auto git = [&](std::vector<std::string> args) {
        args.insert(args.begin(), {"/usr/bin/env", "git", "-C", source.string()});
        return test::run_process(args);
    };
    const auto head = git({"rev-parse", "--short=12", "HEAD"});
    // The stamp, as every build makes it (cmake/git_commit.cmake): HEAD now, "-dirty" for a changed tree, and the
    // file left alone when that has not changed (nothing recompiles).
    test::TempDir tmp;
    const std::filesystem::path out = tmp / "git_commit.cpp";
    const std::vector<std::string> stamp = {
        "/usr/bin/env",          "cmake", "-DSOURCE_DIR=" + source.string(),
        "-DOUT=" + out.string(), "-P",    (source / "cmake/git_commit.cmake").string()};
    REQUIRE(test::run_process(stamp).exit_code == 0);
    const std::string text = test::read_text(out);
    const auto written = std::filesystem::last_write_time(out);
    REQUIRE(test::run_process(stamp).exit_code == 0);
    CHECK(std::filesystem::last_write_time(out) == written);
    const auto v = test::run_qeval({"--version"});
    REQUIRE(v.exit_code == 0);
    INFO(v.out << text);
    if (head.exit_code != 0) {
        CHECK_THAT(text, Catch::Contains("\"unknown\""));
        CHECK_THAT(v.out, Catch::Contains("(unknown)"));
        return;
    }
    const std::string commit = head.out.substr(0, head.out.find('\n'));
    CHECK_THAT(text, Catch::Contains("\"" + commit + "\"") || Catch::Contains("\"" + commit + "-dirty\""));
    // The binary names a commit of this tree: HEAD when it was built at HEAD (what `make test` does; a binary built
    // before the last commit names the one it was built from).
    const auto open = v.out.find('('), close = v.out.find(')');
    REQUIRE(close != std::string::npos);
    std::string stamped = v.out.substr(open + 1, close - open - 1);
    if (stamped.ends_with("-dirty")) stamped.resize(stamped.size() - 6);
    CHECK(git({"cat-file", "-e", stamped + "^{commit}"}).exit_code == 0);
}
