// `qeval run` with the replay runner on the bundled made-up data set (examples/demo-data): responses are graded and
// stored as they arrive, the same command resumes asking again only failed requests, --limit and --shard pick stable
// subsets, a missing response is stored as an error (never as wrong), and runners that are not built yet are refused
// clearly.
#include <catch2/catch.hpp>

#include <sstream>

#include "core/data/jsonl.hpp"
#include "test_util.hpp"

using namespace qeval;
using core::Json;

namespace {

const std::string kDemoData = QEVAL_TEST_DATA "/../../examples/demo-data";

// Replayed responses for the first 4 math500 demo problems: sample 0 right, sample 1 wrong, except problem 3 whose
// sample 1 is missing (an error).
std::string write_responses(const test::TempDir& tmp) {
    core::JsonlReader reader(kDemoData + "/math500/test.jsonl");
    Json row;
    std::string text;
    for (int i = 0; i < 4 && reader.next(row); ++i) {
        std::string id = row["unique_id"], answer = row["answer"];
        text +=
            Json{{"id", id}, {"sample", 0}, {"response", "<think>x</think>So \\boxed{" + answer + "}."}}.dump() + "\n";
        if (i != 3) text += Json{{"id", id}, {"sample", 1}, {"response", "So \\boxed{1000}."}}.dump() + "\n";
    }
    test::write_text(tmp / "responses.jsonl", text);
    return (tmp / "responses.jsonl").string();
}

test::ProcessResult run(const test::TempDir& tmp, const std::string& responses, std::vector<std::string> extra) {
    std::vector<std::string> args = {"run",        "--task",    "math500", "--variant",
                                     "fp8",        "--runner",  "replay",  "--responses",
                                     responses,    "--samples", "2",       "--json",
                                     "--data-dir", kDemoData,   "--db",    (tmp / "q.sqlite").string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return test::run_qeval(args);
}

} // namespace

TEST_CASE("qeval run with replay: graded, stored, resumed asking again only the failed request", "[harness][run]") {
    test::TempDir tmp;
    std::string responses = write_responses(tmp);
    auto first = run(tmp, responses, {"--limit", "4"});
    INFO(first.err);
    REQUIRE(first.exit_code == 0);
    Json r1 = Json::parse(first.out);
    REQUIRE(r1.size() == 1);
    CHECK(r1[0]["requested"] == 8);
    CHECK(r1[0]["stored"] == 8);
    CHECK(r1[0]["resumed"] == false);
    // The request phase's wall time and pace.
    REQUIRE(r1[0]["generate_s"].get<double>() > 0);
    CHECK(r1[0]["responses_per_s"].get<double>() == Approx(8 / r1[0]["generate_s"].get<double>()));

    auto again = run(tmp, responses, {"--limit", "4"});
    REQUIRE(again.exit_code == 0);
    Json r2 = Json::parse(again.out);
    CHECK(r2[0]["run"] == r1[0]["run"]);
    CHECK(r2[0]["resumed"] == true);
    CHECK(r2[0]["requested"] == 1); // only the failed request is asked again (and fails again: no response)
    CHECK(r2[0]["already_done"] == 7);

    // A run with nothing left to ask (its own database; the failed problem left out): no request phase, no pace.
    test::TempDir other;
    REQUIRE(run(other, responses, {"--limit", "3"}).exit_code == 0);
    auto done = run(other, responses, {"--limit", "3"});
    REQUIRE(done.exit_code == 0);
    Json r3 = Json::parse(done.out);
    CHECK(r3[0]["already_done"] == 6);
    CHECK(r3[0]["requested"] == 0);
    CHECK(r3[0]["generate_s"] == 0);
    CHECK(r3[0]["responses_per_s"].is_null());

    auto runs = test::run_qeval({"runs", "--json", "--db", (tmp / "q.sqlite").string()});
    REQUIRE(runs.exit_code == 0);
    Json list = Json::parse(runs.out);
    REQUIRE(list.size() == 1);
    CHECK(list[0]["samples_done"] == 8);
    CHECK(list[0]["errors"] == 1);
    // avg@k with the error left out: problems 0-2 score 1/2 each, problem 3 scores 1/1 -> (0.5 * 3 + 1) / 4
    CHECK(list[0]["accuracy"].get<double>() == Approx(62.5));

    auto exported = test::run_qeval(
        {"export", "--run", std::to_string(r1[0]["run"].get<int>()), "--db", (tmp / "q.sqlite").string()});
    REQUIRE(exported.exit_code == 0);
    std::istringstream in(exported.out);
    int errors = 0, correct = 0;
    for (std::string line; std::getline(in, line);) {
        Json s = Json::parse(line);
        if (s["verdict"] == "error") {
            ++errors;
            CHECK_THAT(s["error"].get<std::string>(), Catch::Contains("no replayed response"));
            CHECK(s["attempts"] == 2); // one per run: attempts add up across resumes
        }
        correct += s["verdict"] == "correct";
    }
    CHECK(errors == 1);
    CHECK(correct == 4);
}

TEST_CASE("qeval run: --shard and --limit are separate runs with stable problem sets", "[harness][run]") {
    test::TempDir tmp;
    std::string responses = write_responses(tmp);
    auto shard = run(tmp, responses, {"--shard", "1/2", "--limit", "2"});
    INFO(shard.err);
    REQUIRE(shard.exit_code == 0);
    Json r = Json::parse(shard.out);
    CHECK(r[0]["requested"] == 4); // problems 1 and 3 of the data set, two samples each
    auto all = run(tmp, responses, {"--limit", "4"});
    REQUIRE(all.exit_code == 0);
    CHECK(Json::parse(all.out)[0]["run"] != r[0]["run"]); // another fingerprint, another run
    CHECK(run(tmp, responses, {"--shard", "2/2"}).exit_code == 2);
}

TEST_CASE("qeval run refuses runners that are not built and runners missing their settings", "[harness][run]") {
    test::TempDir tmp;
    auto builtin = test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "builtin", "--data-dir",
                                    kDemoData, "--db", (tmp / "q.sqlite").string()});
    CHECK(builtin.exit_code == 2);
    CHECK_THAT(builtin.err, Catch::Contains("builtin") && Catch::Contains("openai") && Catch::Contains("replay"));
    auto openai = test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "openai", "--data-dir",
                                   kDemoData, "--db", (tmp / "q.sqlite").string()});
    CHECK(openai.exit_code == 2);
    CHECK_THAT(openai.err, Catch::Contains("--base-url"));
    auto no_model =
        test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "openai", "--base-url",
                         "http://127.0.0.1:9/v1", "--data-dir", kDemoData, "--db", (tmp / "q.sqlite").string()});
    CHECK(no_model.exit_code == 2);
    CHECK_THAT(no_model.err, Catch::Contains("--model"));
    auto bad_url = test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "openai", "--base-url",
                                    "127.0.0.1:8000", "--model", "m", "--data-dir", kDemoData, "--db",
                                    (tmp / "q.sqlite").string()});
    CHECK(bad_url.exit_code == 2);
    CHECK_THAT(bad_url.err, Catch::Contains("http://"));
    auto bad_extra = test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "openai",
                                      "--base-url", "http://127.0.0.1:9/v1", "--model", "m", "--extra-body", "[1]",
                                      "--data-dir", kDemoData, "--db", (tmp / "q.sqlite").string()});
    CHECK(bad_extra.exit_code == 2);
    CHECK_THAT(bad_extra.err, Catch::Contains("--extra-body"));
    // Nothing listens on port 9: a network failure (exit 3), told before anything is stored.
    auto refused = test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "openai", "--base-url",
                                    "http://127.0.0.1:9/v1", "--model", "m", "--data-dir", kDemoData, "--db",
                                    (tmp / "q.sqlite").string()});
    CHECK(refused.exit_code == 3);
    CHECK_THAT(refused.err, Catch::Contains("127.0.0.1:9"));
    auto bare = test::run_qeval({"run", "--task", "math500", "--variant", "fp8", "--runner", "replay", "--data-dir",
                                 kDemoData, "--db", (tmp / "q.sqlite").string()});
    CHECK(bare.exit_code == 2);
    CHECK_THAT(bare.err, Catch::Contains("--responses"));
}
