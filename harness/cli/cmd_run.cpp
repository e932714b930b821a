// `qeval run --task T[,T...] --variant LABEL --runner openai --base-url URL --model NAME [--samples K] ...` (or
// `--runner replay --responses R.jsonl`): evaluate one variant, storing every response and verdict; the same command
// resumes. (The builtin runner comes with its issue.)
#include <iomanip>
#include <iostream>

#include "core/error.hpp"
#include "harness/app/run.hpp"
#include "harness/cli/commands.hpp"

namespace qeval::harness::cli {

namespace {
struct RunArgs {
    RunOptions options;
    std::vector<std::string> tasks;
    std::string responses, shard, release, start_date, end_date;
    std::vector<std::string> base_urls, stop;
    std::string model, endpoint, api_key_env, extra_body;
    int concurrency = 0, max_attempts = 0, top_k = -1;
    long idle_timeout = 0;
    double temperature = -1, top_p = -1, min_p = -1;
    int max_tokens = 0;
    bool json = false, quiet = false, stream = true;
};
} // namespace

void set_run_command(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand("run", "Evaluate one variant on tasks; store every response and verdict; resume");
    auto a = std::make_shared<RunArgs>();
    cmd->add_option("--task", a->tasks, "Tasks (comma list or repeated; `aime` = aime24,aime25)")->required();
    cmd->add_option("--variant", a->options.variant, "Label of the model configuration (fp8, nvfp4...)")->required();
    cmd->add_option("--runner", a->options.runner, "Runner: openai (endpoints) or replay (builtin: coming)")
        ->required();
    cmd->add_option("--base-url", a->base_urls, "openai: server URL ending in /v1 (repeat to spread over several)");
    cmd->add_option("--model", a->model, "openai: the served model name");
    cmd->add_option("--endpoint", a->endpoint, "openai: chat (default, /v1/chat/completions) or completions");
    cmd->add_option("--api-key-env", a->api_key_env,
                    "openai: environment variable holding the API key "
                    "(default OPENAI_API_KEY; never stored)");
    cmd->add_option("--concurrency", a->concurrency, "openai: requests in flight (default 64)");
    cmd->add_option("--max-attempts", a->max_attempts, "openai: tries per request, the first included (default 8)");
    cmd->add_option("--idle-timeout", a->idle_timeout,
                    "openai: seconds without data before a try is abandoned (default 120 streaming, 1800 not)");
    cmd->add_option("--extra-body", a->extra_body,
                    "openai: JSON object merged into each request body, e.g. '{\"chat_template_kwargs\": {...}}'");
    cmd->add_flag("--stream,!--no-stream", a->stream, "Stream responses (default) or not");
    cmd->add_option("--responses", a->responses, "replay: JSONL of {\"id\", \"sample\"?, \"response\"}");
    cmd->add_option("--samples", a->options.samples, "Samples per problem (default 1)");
    cmd->add_option("--limit", a->options.limit, "Only the first N problems (stable order)");
    cmd->add_option("--shard", a->shard, "i/n: every n-th problem starting at i");
    cmd->add_option("--seed", a->options.seed, "Run seed (GPQA permutation, per-sample seeds)");
    cmd->add_option("--prompt", a->options.prompt, "Prompt variant (default: the task's)");
    cmd->add_option("--temperature", a->temperature, "Sampling temperature");
    cmd->add_option("--top-p", a->top_p, "Nucleus sampling");
    cmd->add_option("--max-tokens", a->max_tokens, "Output token limit");
    cmd->add_option("--top-k", a->top_k, "Top-k sampling (vLLM, SGLang; not the OpenAI API)");
    cmd->add_option("--min-p", a->min_p, "Min-p sampling (vLLM, SGLang; not the OpenAI API)");
    cmd->add_option("--stop", a->stop, "Stop string (repeatable)");
    cmd->add_option("--release", a->release, "livecodebench: v1..v6");
    cmd->add_option("--start-date", a->start_date, "livecodebench: contest date from (YYYY-MM-DD, inclusive)");
    cmd->add_option("--end-date", a->end_date, "livecodebench: contest date to (YYYY-MM-DD, inclusive)");
    cmd->add_flag("--json", a->json, "Print the result as JSON");
    cmd->add_flag("--quiet", a->quiet, "No progress line");
    cmd->add_flag("--unsafe-no-sandbox", a->options.unsafe_no_sandbox,
                  "Code tasks: run generated programs WITHOUT the sandbox's namespaces (rlimits and seccomp stay); "
                  "recorded in the run");
    cmd->callback([&global, a] {
        RunOptions& o = a->options;
        o.tasks = a->tasks;
        o.data_dir = resolve_data_dir(global.data_dir);
        o.db = resolve_db(global.db);
        if (!a->responses.empty()) o.runner_settings["responses"] = a->responses;
        if (!a->base_urls.empty()) o.runner_settings["base_url"] = a->base_urls;
        if (!a->model.empty()) o.runner_settings["model"] = a->model;
        if (!a->endpoint.empty()) o.runner_settings["endpoint"] = a->endpoint;
        if (!a->api_key_env.empty()) o.runner_settings["api_key_env"] = a->api_key_env;
        if (a->concurrency != 0) o.runner_settings["concurrency"] = a->concurrency;
        if (a->max_attempts != 0) o.runner_settings["max_attempts"] = a->max_attempts;
        if (a->idle_timeout != 0) o.runner_settings["idle_timeout_s"] = a->idle_timeout;
        if (!a->extra_body.empty()) {
            core::Json extra = core::Json::parse(a->extra_body, nullptr, false);
            QEVAL_CHECK(extra.is_object(), qeval::ErrorCode::usage,
                        "--extra-body: expected a JSON object, got '" + a->extra_body + "'");
            o.runner_settings["extra_body"] = extra;
        }
        o.generation.stream = a->stream;
        if (a->top_k >= 0) o.generation.top_k = a->top_k;
        if (a->min_p >= 0) o.generation.min_p = a->min_p;
        o.generation.stop = a->stop;
        o.progress = !a->quiet;
        if (!a->shard.empty()) std::tie(o.shard_index, o.shard_count) = parse_shard(a->shard);
        if (a->temperature >= 0) o.generation.temperature = a->temperature;
        if (a->top_p >= 0) o.generation.top_p = a->top_p;
        if (a->max_tokens > 0) o.generation.max_tokens = a->max_tokens;
        if (!a->release.empty()) o.task_params["release"] = a->release;
        if (!a->start_date.empty()) o.task_params["start_date"] = a->start_date;
        if (!a->end_date.empty()) o.task_params["end_date"] = a->end_date;
        if (o.unsafe_no_sandbox)
            std::cerr << "warning: --unsafe-no-sandbox: generated code runs without isolation on this machine\n";
        auto results = run_tasks(o);
        core::Json out = core::Json::array();
        for (const auto& r : results) {
            out.push_back(r.to_json());
            if (a->json) continue;
            std::cout << "run " << r.run_id << " " << r.task << (r.resumed ? " (resumed)" : "") << ": " << r.stored
                      << " new responses stored";
            if (r.generate_s > 0)
                std::cout << " in " << std::fixed << std::setprecision(r.generate_s < 10 ? 2 : 1) << r.generate_s
                          << " s (" << std::setprecision(0) << static_cast<double>(r.stored) / r.generate_s << "/s)"
                          << std::defaultfloat << std::setprecision(6);
            std::cout << ", " << r.already_done << " already done";
            if (r.errors || r.truncated || r.retries)
                std::cout << " (" << r.errors << " errors, " << r.truncated << " truncated, " << r.retries
                          << " retries)";
            if (r.accuracy) std::cout << "; accuracy so far " << *r.accuracy * 100.0 << "%";
            std::cout << "\n";
        }
        if (a->json) std::cout << out.dump(2) << "\n";
    });
}

} // namespace qeval::harness::cli
