// `qeval nightly` end to end against fake servers with planted accuracies (made-up problems): runs what is missing
// and nothing twice, gates against the baseline and against the previous night, JUnit and the report files, one
// stored comparison per night, a baseline evaluated once needs no server, a dead candidate is an error and not a
// wrong answer; and suite files: every key checked, every error names the file, line and key.
#include <catch2/catch.hpp>

#include <optional>
#include <regex>

#include "core/error.hpp"
#include "fakes/fake_openai.hpp"
#include "harness/app/suite.hpp"
#include "harness/storage/db.hpp"
#include "test_util.hpp"

using namespace qeval;

namespace {

struct Servers {
    std::string baseline, same, worse, down;
};

// The suite: fp8 (the baseline, run once), "same" and "worse" candidates, optionally one whose server is down.
std::string suite_text(const Servers& s) {
    std::string out = R"(name = "nightly-test"
db = "state/nightly.sqlite"
report = "reports/{date}.html"
junit = "reports/{name}-{date}.xml"

[defaults]
temperature = 0.6
max_tokens = 256
concurrency = 8

[variants.fp8]
baseline = true
runner = "openai"
base_url = ")" + s.baseline +
                      R"("
model = "fake-model"

[variants.same]
runner = "openai"
base_url = [")" + s.same +
                      R"("]
model = "fake-model"

[variants.worse]
runner = "openai"
base_url = ")" + s.worse +
                      R"("
model = "fake-model"
)";
    if (!s.down.empty())
        out += "\n[variants.down]\nrunner = \"openai\"\nbase_url = \"" + s.down + "\"\nmodel = \"fake-model\"\n";
    out += R"(
[tasks.math500]
samples = 2

[gates]
min_retention = 95.0
[gates.regression]
max_drop_points = 2.0
)";
    return out;
}

std::unique_ptr<testing::FakeOpenAI> server(const std::filesystem::path& data, double accuracy) {
    testing::FakeOpenAIOptions fo;
    fo.accuracy = accuracy;
    fo.answer = testing::task_answerer("math500", data);
    return std::make_unique<testing::FakeOpenAI>(fo);
}

int count_rows(const std::filesystem::path& db, const std::string& sql) {
    harness::Database d(db);
    return static_cast<int>(d.query_int(sql));
}

// The gate row of one candidate in the Markdown: "| same | math500 | pass | - | pass | ...".
std::string gate_row(const std::string& markdown, const std::string& candidate) {
    std::smatch m;
    std::regex row("\\| " + candidate + " \\| math500 \\| ([^|]*)\\| ([^|]*)\\| ([^|]*)\\|");
    return std::regex_search(markdown, m, row) ? m[1].str() + "|" + m[2].str() + "|" + m[3].str() : "";
}

} // namespace

TEST_CASE("qeval nightly runs what is missing, gates against baseline and previous night, writes JUnit",
          "[harness][nightly]") {
    test::TempDir tmp;
    const auto data = test::write_made_up_math500(tmp, 120);
    auto good = server(data, 0.8);
    auto bad = server(data, 0.45);
    const auto suite = tmp / "suite.toml";
    const auto db = tmp / "state/nightly.sqlite";
    auto nightly = [&](const std::string& night) {
        return test::run_qeval(
            {"nightly", "--suite", suite.string(), "--night", night, "--quiet", "--data-dir", data.string()},
            {{"QEVAL_HTTP_BACKOFF_MS", "5"}, {"QEVAL_HTTP_ATTEMPTS", "2"}});
    };

    // Night 1: "same" answers as the baseline does (one server), "worse" has collapsed.
    test::write_text(suite, suite_text({good->base_url(), good->base_url(), bad->base_url(), ""}));
    auto r = nightly("2026-11-23");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    CHECK(gate_row(r.out, "same") == "pass |- |pass ");
    CHECK(gate_row(r.out, "worse") == "fail |- |fail ");
    CHECK_THAT(r.out, Catch::Contains("Failed: worse/math500") && Catch::Contains("No previous night"));
    const std::string junit = test::read_text(tmp / "reports/nightly-test-2026-11-23.xml");
    CHECK_THAT(junit, Catch::Contains("tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
    CHECK_THAT(junit, Catch::Contains("classname=\"qeval.nightly.nightly-test.worse\" name=\"math500\"") &&
                          Catch::Contains("<failure type=\"gate\""));
    CHECK(std::filesystem::exists(tmp / "reports/2026-11-23.html"));
    CHECK(std::filesystem::exists(tmp / "reports/2026-11-23.md"));
    CHECK(count_rows(db, "SELECT COUNT(*) FROM runs") == 3);
    CHECK(count_rows(db, "SELECT COUNT(*) FROM runs WHERE variant = 'fp8' AND settings NOT LIKE '%night%'") == 1);
    CHECK(count_rows(db, "SELECT COUNT(*) FROM samples") == 3 * 120 * 2);
    const int stored = count_rows(db, "SELECT COUNT(*) FROM comparisons");
    CHECK(stored == 4); // (same, worse) x (math500, average)

    // The same night again: nothing is asked again, and the night's comparisons are replaced, not added.
    const std::int64_t requests = good->stats().requests + bad->stats().requests;
    r = nightly("2026-11-23");
    REQUIRE(r.exit_code == 1);
    CHECK(good->stats().requests + bad->stats().requests == requests);
    CHECK(count_rows(db, "SELECT COUNT(*) FROM runs") == 3);
    CHECK(count_rows(db, "SELECT COUNT(*) FROM comparisons") == stored);

    // Night 2: the baseline's server is gone (it was evaluated once: nothing to ask), "same" now serves what
    // "worse" does: it fails against the baseline and against its own previous night; "worse" did not move.
    const std::string gone = good->base_url();
    good.reset();
    test::write_text(suite, suite_text({gone, bad->base_url(), bad->base_url(), ""}));
    r = nightly("2026-11-24");
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 1);
    CHECK(gate_row(r.out, "same") == "fail |fail (vs 2026-11-23) |fail ");
    CHECK(gate_row(r.out, "worse") == "fail |pass (vs 2026-11-23) |fail ");
    CHECK(count_rows(db, "SELECT COUNT(*) FROM runs") == 5);
    CHECK(count_rows(db, "SELECT COUNT(*) FROM comparisons WHERE night = '2026-11-24' AND "
                         "baseline = 'same (previous night)' AND task = 'math500' AND verdict = 'fail'") == 1);
    const auto history = test::run_qeval({"compare", "--history", "same", "--task", "math500", "--db", db.string()});
    CHECK_THAT(history.out, Catch::Contains("| 2026-11-23 | fp8 | math500 |") &&
                                Catch::Contains("| 2026-11-24 | same (previous night) | math500 |"));

    // Night 3: "same" is back to the baseline's answers and a new candidate's server is down. Its gate is an
    // error (not a wrong answer), nothing failed, so the exit code is the run's: 3.
    good = server(data, 0.8);
    auto dead = server(data, 0.8);
    const std::string dead_url = dead->base_url();
    dead.reset();
    test::write_text(suite, suite_text({gone, good->base_url(), good->base_url(), dead_url}));
    r = nightly("2026-11-25");
    INFO(r.out << r.err);
    CHECK(r.exit_code == 3);
    CHECK(gate_row(r.out, "same") == "pass |pass (vs 2026-11-24) |pass ");
    CHECK(gate_row(r.out, "down") == "- |- |error ");
    CHECK_THAT(r.out, Catch::Contains("the candidate's run failed: GET " + dead_url + "/models"));
    CHECK_THAT(test::read_text(tmp / "reports/nightly-test-2026-11-25.xml"),
               Catch::Contains("errors=\"1\"") && Catch::Contains("<error type=\"run\""));
    CHECK(count_rows(db, "SELECT COUNT(*) FROM samples s JOIN runs r ON r.id = s.run_id WHERE r.variant = 'down' "
                         "AND s.verdict <> 'error'") == 0);
}

namespace {

// Loads `text` as a suite file; returns the input error's message ("" when it loaded).
std::string suite_error(const test::TempDir& tmp, const std::string& text) {
    test::write_text(tmp / "s.toml", text);
    try {
        harness::load_suite(tmp / "s.toml");
    } catch (const Error& e) {
        CHECK(e.code() == ErrorCode::input);
        return e.what();
    }
    return "";
}

const std::string kMinimal = R"([variants.a]
baseline = true
runner = "replay"
responses = "a.jsonl"
[variants.b]
runner = "replay"
responses = "b.jsonl"
[tasks.math500]
)";

} // namespace

TEST_CASE("nightly suite files: every key is checked and errors name the line", "[harness][nightly]") {
    test::TempDir tmp;
    CHECK(suite_error(tmp, kMinimal).empty());
    CHECK_THAT(suite_error(tmp, kMinimal + "samples = \"four\"\n"),
               Catch::Contains("s.toml:9:") && Catch::Contains("\"samples\" in [tasks.math500]") &&
                   Catch::Contains("an integer >= 1"));
    CHECK_THAT(suite_error(tmp, kMinimal + "temprature = 0.6\n"), Catch::Contains("s.toml:9:") &&
                                                                      Catch::Contains("unknown key \"temprature\"") &&
                                                                      Catch::Contains("temperature"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[tasks.math5000]\n"),
               Catch::Contains("s.toml:9:") && Catch::Contains("no such task") && Catch::Contains("math500"));
    CHECK_THAT(suite_error(tmp, "[variants.a]\nbaseline = true\nrunner = \"replay\"\n[tasks.math500]\n"),
               Catch::Contains("at least one candidate"));
    CHECK_THAT(suite_error(tmp, "[variants.a]\nrunner = \"replay\"\n[variants.b]\nrunner = \"replay\"\n"
                                "[tasks.math500]\n"),
               Catch::Contains("exactly one variant with baseline = true, found 0"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[variants.c]\nrunner = \"builtin\"\nmodel_dir = \"/m\"\n"),
               Catch::Contains("s.toml:9:") && Catch::Contains("runner \"builtin\" is not available"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[gates]\nmin_retention = -3\n"),
               Catch::Contains("s.toml:10:") && Catch::Contains("min_retention"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[gates.tasks.aime24]\nmin_retention = 95\n"),
               Catch::Contains("[gates.tasks.aime24] names a task the suite does not run"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[gates]\nguard = \"sometimes\"\n"),
               Catch::Contains("s.toml:10:") && Catch::Contains("\"either\" or \"both\""));
    CHECK_THAT(suite_error(tmp, kMinimal + "[gates.regression]\nmin_retention = 99\n"),
               Catch::Contains("s.toml:10:") && Catch::Contains("expected max_drop_points"));
    CHECK_THAT(suite_error(tmp, kMinimal + "prompt = \"cot-5shot\"\n"), Catch::Contains("s.toml:8:") &&
                                                                            Catch::Contains("no such prompt variant") &&
                                                                            Catch::Contains("deepseek-r1"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[defaults]\nrunner = \"openai\"\n"),
               Catch::Contains("unknown key \"runner\" in [defaults]"));
    CHECK_THAT(suite_error(tmp, kMinimal + "name = = \"x\"\n"), Catch::Contains("s.toml:9:"));
    CHECK_THAT(suite_error(tmp, kMinimal + "unsafe_no_sandbox = \"yes\"\n"), Catch::Contains("s.toml:9:") &&
                                                                                 Catch::Contains("unsafe_no_sandbox") &&
                                                                                 Catch::Contains("true or false"));
    CHECK_THAT(suite_error(tmp, kMinimal + "[variants.b.extra_body]\nchat_template_kwargs = 3\n[variants.b.x]\n"),
               Catch::Contains("unknown key \"x\" in [variants.b]"));

    // Through the command: an input error is exit 2 and names the file.
    test::write_text(tmp / "bad.toml", kMinimal + "top_p = 1.5\n");
    auto r = test::run_qeval({"nightly", "--suite", (tmp / "bad.toml").string(), "--db", (tmp / "q.sqlite").string()});
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.err, Catch::Contains("bad.toml:9:") && Catch::Contains("top_p"));
    CHECK_FALSE(std::filesystem::exists(tmp / "q.sqlite")); // nothing was run
}

TEST_CASE("nightly suite settings layer defaults, then the task, then the variant", "[harness][nightly]") {
    test::TempDir tmp;
    test::write_text(tmp / "s.toml", R"(report = "out/{name}/{date}.html"
[defaults]
temperature = 0.6
max_tokens = 100
seed = 3
samples = 2
[variants.base]
baseline = true
runner = "openai"
base_url = "http://h:1/v1"
model = "m"
extra_body = { chat_template_kwargs = { thinking = true } }
[variants.cand]
runner = "openai"
base_url = ["http://h:2/v1", "http://h:3/v1"]
model = "m"
temperature = 0.0
stop = ["</answer>"]
[tasks.math500]
max_tokens = 300
samples = 4
limit = 10
[tasks.aime24]
unsafe_no_sandbox = true
)");
    const harness::Suite s = harness::load_suite(tmp / "s.toml");
    REQUIRE(s.variants.size() == 2);
    CHECK(s.name == "s");
    CHECK(s.baseline().label == "base");
    CHECK_FALSE(s.baseline().each_night);
    CHECK(s.variants[1].each_night);
    REQUIRE(s.tasks.size() == 2);
    CHECK(s.tasks[0].name == "math500"); // file order
    auto base = s.run_options(s.variants[0], s.tasks[0], "2026-11-24");
    CHECK(base.night.empty()); // run once
    CHECK(base.generation.temperature == 0.6);
    CHECK(base.generation.max_tokens == 300);
    CHECK(base.samples == 4);
    CHECK(base.limit == 10);
    CHECK(base.seed == 3);
    CHECK(base.runner_settings["base_url"] == core::Json::array({"http://h:1/v1"}));
    CHECK(base.runner_settings["extra_body"]["chat_template_kwargs"]["thinking"] == true);
    auto cand = s.run_options(s.variants[1], s.tasks[1], "2026-11-24");
    CHECK(cand.night == "2026-11-24");
    CHECK(cand.generation.temperature == 0.0); // the variant's own
    CHECK(cand.generation.max_tokens == 100);  // aime24 sets none: the default
    CHECK(cand.samples == 2);
    CHECK(cand.generation.stop == std::vector<std::string>{"</answer>"});
    CHECK(cand.runner_settings["base_url"].size() == 2);
    CHECK(cand.unsafe_no_sandbox); // aime24's own
    CHECK_FALSE(base.unsafe_no_sandbox);
    CHECK(harness::suite_path(s, s.report, "2026-11-24") == tmp / "out/s/2026-11-24.html");
}

TEST_CASE("the example suite file loads with every key it shows", "[harness][nightly]") {
    const harness::Suite s =
        harness::load_suite(std::filesystem::path(QEVAL_TEST_DATA) / "../../examples/nightly.toml");
    CHECK(s.name == "deepseek-r1-0528-fp4");
    REQUIRE(s.variants.size() == 3);
    CHECK(s.baseline().label == "fp8");
    CHECK(s.variants[1].label == "nvfp4");
    REQUIRE(s.tasks.size() == 6);
    CHECK(s.tasks[5].name == "livecodebench");
    CHECK(s.gate.min_retention == 98.0);
    CHECK(s.task_gates.at("aime24").min_retention == 95.0);
    CHECK(s.regression_max_drop_points == 2.0);
    auto o = s.run_options(s.variants[0], s.tasks[5], "2026-11-24");
    CHECK(o.samples == 4);
    CHECK(o.task_params.at("release") == "v6");
    CHECK(o.generation.max_tokens == 32768);
    CHECK(o.runner_settings["base_url"].size() == 2);
    CHECK(o.runner_settings["api_key_env"] == "FP8_API_KEY");
    auto mmlu = s.run_options(s.variants[2], s.tasks[4], "2026-11-24");
    CHECK(mmlu.prompt == "cot-5shot");
    CHECK(mmlu.night == "2026-11-24");
}
