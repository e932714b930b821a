// qeval_fake_openai: the fake OpenAI-compatible server (tests/fakes/fake_openai.hpp) as a process, for benchmarks
// and manual tests of the endpoint runner. Prints "listening on <base url>" once it accepts connections, serves until
// SIGINT or SIGTERM, then prints its stats as one JSON line.
#include <signal.h>

#include <CLI/CLI.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>

#include "core/error.hpp"
#include "tests/fakes/fake_openai.hpp"

namespace {

using qeval::testing::FakeOpenAIOptions;
using qeval::testing::Fault;

void write_port_file(const std::filesystem::path& path, int port) {
    std::filesystem::path tmp = path;
    tmp += ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << port << "\n";
        QEVAL_CHECK(out.good(), qeval::ErrorCode::storage, "cannot write " + tmp.string());
    }
    std::filesystem::rename(tmp, path);
}

std::map<Fault, double> parse_faults(const std::vector<std::string>& specs) {
    std::map<Fault, double> out;
    for (const auto& spec : specs) {
        auto eq = spec.find('=');
        auto fault = qeval::testing::fault_from_string(spec.substr(0, eq));
        QEVAL_CHECK(eq != std::string::npos && fault, qeval::ErrorCode::usage,
                    "--fault " + spec +
                        ": expected KIND=RATE with KIND one of 429, 500, 503, reset, cut, "
                        "stream_error, hang, garbage, 400, 401, 404, 422");
        try {
            out[*fault] = std::stod(spec.substr(eq + 1));
        } catch (const std::exception&) {
            qeval::throw_error(qeval::ErrorCode::usage, "--fault " + spec + ": RATE is not a number");
        }
    }
    return out;
}

int serve(FakeOpenAIOptions options, const std::string& port_file, bool per_key) {
    // Block the stop signals in every thread (the server's threads inherit the mask) and wait for them here.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    qeval::testing::FakeOpenAI server(std::move(options));
    if (!port_file.empty()) write_port_file(port_file, server.port());
    std::cout << "listening on " << server.base_url() << std::endl;
    int signal = 0;
    sigwait(&signals, &signal);
    server.stop();
    std::cout << qeval::testing::stats_to_json(server.stats(), per_key).dump() << std::endl;
    return 0;
}

} // namespace

int main(int argc, char** argv) {
    CLI::App app{"A fake OpenAI-compatible server (vLLM's shapes) with deterministic answers and injected faults"};
    FakeOpenAIOptions o;
    std::string port_file, task, data_dir;
    std::vector<std::string> faults;
    bool per_key = false;
    std::map<std::string, qeval::testing::FakeEngine> engines{{"httplib", qeval::testing::FakeEngine::httplib},
                                                              {"epoll", qeval::testing::FakeEngine::epoll}};
    app.add_option("--engine", o.engine,
                   "httplib (a thread per connection, every fault; default) or epoll (event loops, little CPU, "
                   "no faults, latency or chunk delays: for benchmarks)")
        ->transform(CLI::CheckedTransformer(engines, CLI::ignore_case));
    app.add_option("--event-loops", o.event_loops, "epoll engine: event loop threads")->capture_default_str();
    app.add_option("--host", o.host, "address to listen on")->capture_default_str();
    app.add_option("--port", o.port, "port (0: an ephemeral one)")->capture_default_str();
    app.add_option("--port-file", port_file, "write the port number here once listening (tmp + rename)");
    app.add_option("--model", o.model, "the served model name; others get 404")->capture_default_str();
    app.add_option("--api-key", o.api_key, "require \"Authorization: Bearer KEY\"");
    app.add_option("--latency-ms", o.latency_ms, "delay before each response starts")->capture_default_str();
    app.add_option("--chunk-delay-us", o.chunk_delay_us, "delay between SSE events")->capture_default_str();
    app.add_option("--chunks", o.content_chunks, "content deltas per answer")->capture_default_str();
    app.add_option("--reasoning-chunks", o.reasoning_chunks, "reasoning deltas first")->capture_default_str();
    app.add_option("--reasoning-field", o.reasoning_field, "reasoning_content or reasoning")->capture_default_str();
    app.add_option("--accuracy", o.accuracy, "P(correct answer) per request key")->capture_default_str();
    app.add_option("--length-rate", o.length_rate, "P(finish_reason length) per request key")->capture_default_str();
    app.add_option("--fault", faults,
                   "KIND=RATE, repeatable: 429 500 503 reset cut stream_error hang garbage 400 "
                   "401 404 422");
    app.add_option("--faulty-attempts", o.faulty_attempts, "faults only on the first N attempts of a request")
        ->capture_default_str();
    app.add_option("--retry-after", o.retry_after_s, "Retry-After seconds on 429 and 503")->capture_default_str();
    app.add_option("--hang-ms", o.hang_ms, "how long a hung request hangs")->capture_default_str();
    app.add_option("--threads", o.threads, "httplib engine: worker threads (one per open connection)")
        ->capture_default_str();
    app.add_option("--seed", o.seed, "mixed into every draw")->capture_default_str();
    app.add_option("--keep-alive-s", o.keep_alive_timeout_s, "idle keep-alive timeout")->capture_default_str();
    app.add_option("--task", task, "answer this qeval task's prompts with its gold (needs --data-dir)");
    app.add_option("--data-dir", data_dir, "the task's data dir (e.g. examples/demo-data)");
    app.add_flag("--stats-per-key", per_key, "include attempts and completions per request key in the stats line");
    try {
        app.parse(argc, argv);
        o.fault_rate = parse_faults(faults);
        QEVAL_CHECK(task.empty() == data_dir.empty(), qeval::ErrorCode::usage, "--task and --data-dir go together");
        if (!task.empty()) o.answer = qeval::testing::task_answerer(task, data_dir, o.seed);
        return serve(std::move(o), port_file, per_key);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const qeval::Error& e) {
        std::cerr << "qeval_fake_openai: " << e.what() << "\n";
        return qeval::exit_code_for(e.code());
    } catch (const std::exception& e) {
        std::cerr << "qeval_fake_openai: " << e.what() << "\n";
        return 3;
    }
}
