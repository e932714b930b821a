// `qeval score --task T --in R.jsonl [--out V.jsonl] [--json] [--seed S]`: grade responses with a task's grader.
// Verdict lines go to stdout or --out; the summary goes to the other stream, so the two never mix.
// `qeval score --run ID | --variant LABEL [--task T] [--allow-data-change] [--json]`: re-grade responses stored in
// the database with today's grader (harness/app/rescore.hpp); one summary per run on stdout.
#include <fstream>
#include <iostream>

#include "core/error.hpp"
#include "core/sandbox/sandbox.hpp"
#include "harness/app/rescore.hpp"
#include "harness/app/score.hpp"
#include "harness/cli/commands.hpp"

namespace qeval::harness::cli {

namespace {
struct ScoreArgs {
    ScoreOptions options;
    std::string in, out, variant;
    std::int64_t run = 0;
    bool json = false, allow_data_change = false, unsafe = false;
    CLI::Option *in_opt = nullptr, *out_opt = nullptr, *seed_opt = nullptr, *task_opt = nullptr, *run_opt = nullptr,
                *variant_opt = nullptr;
};

void score_file(ScoreArgs& a) {
    QEVAL_CHECK(a.task_opt->count(), ErrorCode::usage, "qeval score --in: --task T is required");
    ScoreSummary summary;
    if (a.out.empty()) {
        summary = score_stream(a.options, a.in, std::cout);
    } else {
        std::ofstream out(a.out, std::ios::trunc);
        QEVAL_CHECK(out.good(), ErrorCode::storage, a.out + ": cannot open for writing");
        summary = score_stream(a.options, a.in, out);
    }
    std::ostream& summary_stream = a.out.empty() ? std::cerr : std::cout;
    summary_stream << (a.json ? summary.to_json().dump() + "\n" : summary.to_text());
}

void score_stored(ScoreArgs& a, const GlobalOptions& global) {
    QEVAL_CHECK(!a.out_opt->count() && !a.seed_opt->count(), ErrorCode::usage,
                "qeval score: --out and --seed go with --in; a stored run re-grades with its own seed");
    QEVAL_CHECK(!(a.run_opt->count() && a.task_opt->count()), ErrorCode::usage,
                "qeval score: --task goes with --in or --variant, not with --run");
    RescoreOptions o;
    if (a.run_opt->count()) o.filter.run_id = a.run;
    o.filter.variant = a.variant;
    o.filter.task = a.options.task;
    o.db = resolve_db(global.db);
    o.data_dir = resolve_data_dir(global.data_dir);
    o.allow_data_change = a.allow_data_change;
    auto results = rescore_runs(o);
    core::Json out = core::Json::array();
    for (const auto& r : results) {
        if (a.json)
            out.push_back(r.to_json());
        else
            std::cout << r.to_text();
    }
    if (a.json) std::cout << out.dump(2) << "\n";
}
} // namespace

void set_score_command(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand(
        "score", "Grade responses ({\"id\", \"response\", \"gold\"?} per line), or re-grade stored runs");
    auto a = std::make_shared<ScoreArgs>();
    a->task_opt =
        cmd->add_option("--task", a->options.task, "Task whose grader to use (with --variant: only this task)");
    a->in_opt = cmd->add_option("--in", a->in, "Input JSONL (\"-\" for stdin is not supported; give a file)");
    a->out_opt = cmd->add_option("--out", a->out, "Write verdict lines here instead of stdout");
    a->seed_opt =
        cmd->add_option("--seed", a->options.seed, "Run seed the responses were generated with (GPQA permutation)");
    a->run_opt = cmd->add_option("--run", a->run, "Re-grade the stored responses of this run (see `qeval runs`)");
    a->variant_opt = cmd->add_option("--variant", a->variant, "Re-grade every stored run of this variant");
    cmd->add_flag("--allow-data-change", a->allow_data_change,
                  "Re-grade stored runs even when the data files differ from the ones the run used");
    cmd->add_option("--jobs", a->options.jobs,
                    "Lines graded at once (default 1; 0: one per core; code tasks run one sandbox per job)");
    cmd->add_flag("--unsafe-no-sandbox", a->unsafe,
                  "Code tasks: run programs WITHOUT the sandbox's namespaces (rlimits and seccomp stay)");
    cmd->add_flag("--json", a->json, "Summary as JSON");
    cmd->callback([&global, a] {
        if (a->unsafe) {
            std::cerr << "warning: --unsafe-no-sandbox: generated code runs without isolation on this machine\n";
            core::sandbox::set_unsafe_no_isolation(true);
        }
        std::size_t modes = a->in_opt->count() + a->run_opt->count() + a->variant_opt->count();
        QEVAL_CHECK(modes == 1, ErrorCode::usage,
                    "qeval score: give one of --task T --in R.jsonl, --run ID, or --variant LABEL [--task T]");
        if (a->in_opt->count()) {
            QEVAL_CHECK(!a->allow_data_change, ErrorCode::usage,
                        "qeval score: --allow-data-change goes with --run or --variant");
            a->options.data_dir = resolve_data_dir(global.data_dir);
            score_file(*a);
        } else {
            score_stored(*a, global);
        }
    });
}

} // namespace qeval::harness::cli
