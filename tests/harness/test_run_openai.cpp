// `qeval run --runner openai` end to end against the fake server: planted accuracy comes out of the stored run,
// faults never lose or duplicate a sample, an error is stored as an error and a resume asks for it again, and a run
// SIGKILLed at random moments 20 times and resumed each time ends with exactly the verdicts of an uninterrupted run.
#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <random>
#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/types.hpp"
#include "fakes/fake_openai.hpp"
#include "harness/storage/db.hpp"
#include "test_util.hpp"

using namespace qeval;
using core::Json;
using testing::FakeOpenAI;
using testing::FakeOpenAIOptions;
using testing::Fault;

namespace {

std::vector<std::string> run_args(const std::filesystem::path& data, const std::filesystem::path& db,
                                  const FakeOpenAI& fake, const std::string& variant, int samples,
                                  std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run",
                                     "--task",
                                     "math500",
                                     "--variant",
                                     variant,
                                     "--runner",
                                     "openai",
                                     "--base-url",
                                     fake.base_url(),
                                     "--model",
                                     "fake-model",
                                     "--samples",
                                     std::to_string(samples),
                                     "--temperature",
                                     "0.6",
                                     "--json",
                                     "--quiet",
                                     "--data-dir",
                                     data.string(),
                                     "--db",
                                     db.string()};
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

const std::map<std::string, std::string> kFastRetries = {{"QEVAL_HTTP_BACKOFF_MS", "5"}};

// (problem, sample) -> verdict, and the number of rows, from a database file.
struct Stored {
    std::map<std::pair<std::string, int>, std::string> verdicts;
    std::int64_t rows = 0;
    std::string integrity;
};

Stored read_db(const std::filesystem::path& db, const std::string& variant) {
    harness::Database d(db);
    Stored s;
    auto st = d.prepare("SELECT s.problem_id, s.sample_index, s.verdict FROM samples s JOIN runs r ON r.id = s.run_id "
                        "WHERE r.variant = ?1");
    st.bind_text(1, variant);
    while (st.step()) {
        s.verdicts[{st.column_text(0), static_cast<int>(st.column_int(1))}] = st.column_text(2);
        ++s.rows;
    }
    auto ic = d.prepare("PRAGMA integrity_check");
    if (ic.step()) s.integrity = ic.column_text(0);
    return s;
}

double accuracy_of(const Stored& s) {
    int correct = 0;
    for (const auto& [k, v] : s.verdicts)
        correct += v == "correct";
    return s.verdicts.empty() ? 0 : static_cast<double>(correct) / static_cast<double>(s.verdicts.size());
}

// Starts qeval with `args` in its own process; returns the pid (stdout/stderr to /dev/null).
pid_t spawn_qeval(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
    pid_t pid = fork();
    if (pid == 0) {
        for (const auto& [k, v] : env)
            setenv(k.c_str(), v.c_str(), 1);
        int null = open("/dev/null", O_RDWR);
        dup2(null, 1);
        dup2(null, 2);
        std::vector<char*> argv;
        std::string bin = QEVAL_BINARY;
        argv.push_back(bin.data());
        std::vector<std::string> copy = args;
        for (auto& a : copy)
            argv.push_back(a.data());
        argv.push_back(nullptr);
        execv(bin.c_str(), argv.data());
        _exit(127);
    }
    return pid;
}

} // namespace

TEST_CASE("qeval run openai stores a run whose accuracy is the planted accuracy", "[harness][run][openai]") {
    test::TempDir tmp;
    auto data = test::write_made_up_math500(tmp, 200);
    FakeOpenAIOptions fo;
    fo.accuracy = 0.7;
    fo.reasoning_chunks = 2;
    fo.answer = testing::task_answerer("math500", data);
    FakeOpenAI fake(fo);
    auto db = tmp / "q.sqlite";
    auto r = test::run_qeval(run_args(data, db, fake, "fp8", 4), kFastRetries);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Json j = Json::parse(r.out);
    CHECK(j[0]["stored"] == 800);
    CHECK(j[0]["errors"] == 0);
    Stored s = read_db(db, "fp8");
    CHECK(s.rows == 800);
    // 800 draws at p = 0.7: the standard error is 1.6 points; 5 standard errors is a bug, not chance.
    CHECK(std::abs(accuracy_of(s) - 0.7) < 0.08);
    CHECK(std::abs(j[0]["accuracy"].get<double>() - 100.0 * accuracy_of(s)) < 1e-9);
    auto exported = test::run_qeval({"export", "--variant", "fp8", "--db", db.string()});
    REQUIRE(exported.exit_code == 0);
    Json first = Json::parse(exported.out.substr(0, exported.out.find('\n')));
    CHECK_FALSE(first["reasoning"].get<std::string>().empty());
    CHECK(first["finish_reason"] == "stop");
    CHECK(first["completion_tokens"].get<int>() > 0);
    // Streaming is the default; --no-stream asks for whole responses; the settings reach the wire.
    Json sent = Json::parse(fake.last_request());
    CHECK(sent["stream"] == true);
    CHECK(sent["stream_options"]["include_usage"] == true);
    CHECK(sent["temperature"] == 0.6);
    CHECK(sent["model"] == "fake-model");
    CHECK(sent["seed"].is_number_integer());
    auto plain = test::run_qeval(
        run_args(data, db, fake, "fp8-plain", 1, {"--no-stream", "--limit", "5", "--top-k", "20"}), kFastRetries);
    INFO(plain.err);
    REQUIRE(plain.exit_code == 0);
    sent = Json::parse(fake.last_request());
    CHECK(sent["stream"] == false);
    CHECK_FALSE(sent.contains("stream_options"));
    CHECK(sent["top_k"] == 20);
    auto streamed =
        test::run_qeval(run_args(data, db, fake, "fp8-streamed", 1, {"--stream", "--limit", "5"}), kFastRetries);
    REQUIRE(streamed.exit_code == 0);
    CHECK(Json::parse(fake.last_request())["stream"] == true);
}

TEST_CASE("qeval run openai stores failed requests as errors and a resume asks for them again",
          "[harness][run][openai]") {
    test::TempDir tmp;
    auto data = test::write_made_up_math500(tmp, 20);
    auto db = tmp / "q.sqlite";
    FakeOpenAIOptions fo;
    fo.answer = testing::task_answerer("math500", data);
    fo.fault_rate[Fault::status_500] = 0.5;
    fo.faulty_attempts = 2; // with 2 attempts allowed, about half the requests fail twice
    {
        FakeOpenAI fake(fo);
        auto env = kFastRetries;
        env["QEVAL_HTTP_ATTEMPTS"] = "2";
        auto r = test::run_qeval(run_args(data, db, fake, "fp8", 2), env);
        INFO(r.err);
        REQUIRE(r.exit_code == 0);
        Json j = Json::parse(r.out);
        CHECK(j[0]["errors"].get<int>() > 0);
        Stored s = read_db(db, "fp8");
        CHECK(s.rows == 40);
        int errors = 0;
        for (const auto& [k, v] : s.verdicts)
            errors += v == "error";
        CHECK(errors == j[0]["errors"].get<int>());
        // Errors are not wrong answers: the accuracy is over answered samples only, and they were all right.
        CHECK(j[0]["accuracy"].get<double>() == Approx(100.0));
    }
    fo.fault_rate.clear();
    FakeOpenAI healthy(fo);
    auto r = test::run_qeval(run_args(data, db, healthy, "fp8", 2), kFastRetries);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    Json j = Json::parse(r.out);
    CHECK(j[0]["resumed"] == true);
    CHECK(j[0]["errors"] == 0);
    CHECK(j[0]["requested"].get<int>() == healthy.stats().requests); // only the failed ones were asked again
    Stored s = read_db(db, "fp8");
    CHECK(s.rows == 40);
    for (const auto& [k, v] : s.verdicts)
        CHECK(v == "correct");
}

TEST_CASE("qeval run openai killed 20 times at random moments ends as an uninterrupted run",
          "[harness][run][openai][kill]") {
    test::TempDir tmp;
    auto data = test::write_made_up_math500(tmp, 100);
    FakeOpenAIOptions fo;
    fo.accuracy = 0.5;
    fo.latency_ms = 10;
    fo.content_chunks = 6;
    fo.answer = testing::task_answerer("math500", data);
    fo.fault_rate[Fault::status_503] = 0.03;
    fo.fault_rate[Fault::cut_stream] = 0.03;
    fo.fault_rate[Fault::reset] = 0.02;
    fo.retry_after_s = 0;
    FakeOpenAI fake(fo);
    const int samples = 4; // 400 (problem, sample) pairs

    auto reference_db = tmp / "reference.sqlite";
    auto ref = test::run_qeval(run_args(data, reference_db, fake, "fp8", samples), kFastRetries);
    INFO(ref.err);
    REQUIRE(ref.exit_code == 0);
    Stored expected = read_db(reference_db, "fp8");
    REQUIRE(expected.rows == 400);

    auto db = tmp / "killed.sqlite";
    auto args = run_args(data, db, fake, "fp8", samples, {"--concurrency", "8"});
    std::mt19937 rng(20261124);
    std::uniform_int_distribution<int> delay_ms(20, 400);
    std::vector<std::int64_t> rows_after_kill;
    for (int kill_no = 0; kill_no < 20; ++kill_no) {
        pid_t pid = spawn_qeval(args, kFastRetries);
        REQUIRE(pid > 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(rng)));
        ::kill(pid, SIGKILL);
        int status = 0;
        REQUIRE(waitpid(pid, &status, 0) == pid);
        if (std::filesystem::exists(db)) rows_after_kill.push_back(read_db(db, "fp8").rows);
    }
    // The 21st start finishes the run.
    auto last = test::run_qeval(args, kFastRetries);
    INFO(last.err);
    REQUIRE(last.exit_code == 0);
    CHECK(Json::parse(last.out)[0]["resumed"] == true);
    Stored got = read_db(db, "fp8");
    CHECK(got.integrity == "ok");
    CHECK(got.rows == 400); // every pair once: (run, problem, sample) is the key, and nothing is missing
    CHECK(got.verdicts == expected.verdicts);
    // The kills really landed mid-run: progress grew between kills, and not all in the first start.
    REQUIRE_FALSE(rows_after_kill.empty());
    CHECK(std::is_sorted(rows_after_kill.begin(), rows_after_kill.end()));
    CHECK(rows_after_kill.front() < 400);
    auto runs = test::run_qeval({"runs", "--json", "--db", db.string()});
    REQUIRE(runs.exit_code == 0);
    Json listed = Json::parse(runs.out);
    REQUIRE(listed.size() == 1);
    CHECK(listed[0]["status"] == "done");
    CHECK(listed[0]["samples_done"] == 400);
}
