// `qeval compare --baseline LABEL --candidate LABEL [--candidate LABEL...] [--task T...] [--db F]
// [--format md|csv|json|html] [--out FILE] [--min-retention P] [--max-drop-points X] [--guard either|both]
// [--resamples N] [--seed S] [--night YYYY-MM-DD] [--no-store]`: retention of each candidate against the baseline, with
// paired intervals; every comparison is stored. `qeval compare --history LABEL [--task T] [--format md|json]`: a
// candidate's stored retention over time.
#include <iostream>

#include "core/data/file.hpp"
#include "core/error.hpp"
#include "harness/app/compare.hpp"
#include "harness/cli/commands.hpp"

namespace qeval::harness::cli {

namespace {
struct CompareArgs {
    CompareOptions options;
    std::string format = "md", out, guard = "either", history, night;
    double max_drop = -1;
    bool no_store = false;
};
} // namespace

void set_compare_command(CLI::App& app, GlobalOptions& global) {
    auto* cmd = app.add_subcommand("compare", "Retention of candidates against a baseline, with paired intervals");
    auto a = std::make_shared<CompareArgs>();
    cmd->add_option("--baseline", a->options.baseline, "The baseline variant's label");
    cmd->add_option("--candidate", a->options.candidates, "A candidate variant's label (repeatable)");
    cmd->add_option("--history", a->history, "Print this candidate's stored comparisons over time instead");
    cmd->add_flag("--no-store", a->no_store, "Do not record this comparison in the database");
    cmd->add_option("--task", a->options.tasks, "Tasks (default: every task the baseline has runs for)");
    cmd->add_option("--format", a->format, "md (default), csv, json or html (one self-contained page)");
    cmd->add_option("--out", a->out, "Write the report to FILE instead of stdout");
    cmd->add_option("--min-retention", a->options.gate.min_retention, "Gate: retention threshold in percent (98)");
    cmd->add_option("--max-drop-points", a->max_drop, "Gate guard: allowed drop in points (none)");
    cmd->add_option("--guard", a->guard, "either (default: the looser of the two passes) or both");
    cmd->add_option("--resamples", a->options.stats.resamples, "Bootstrap resamples (10000)");
    cmd->add_option("--seed", a->options.stats.seed, "Bootstrap and permutation seed");
    cmd->add_option("--night", a->night,
                    "Only that night's runs of variants run each night by `qeval nightly` (YYYY-MM-DD), and runs "
                    "made once");
    cmd->callback([&global, a] {
        CompareOptions o = a->options;
        o.db = resolve_db(global.db);
        if (!a->history.empty()) {
            QEVAL_CHECK(a->format == "md" || a->format == "json", ErrorCode::usage,
                        "--history: --format md or json, not \"" + a->format + "\"");
            QEVAL_CHECK(o.tasks.size() <= 1, ErrorCode::usage, "--history: at most one --task");
            std::cout << comparison_history_text(o.db, a->history, o.tasks.empty() ? "" : o.tasks.front(),
                                                 a->format == "json");
            return;
        }
        o.store = !a->no_store;
        o.details = a->format == "html";
        QEVAL_CHECK(a->format == "md" || a->format == "csv" || a->format == "json" || a->format == "html",
                    ErrorCode::usage, "--format \"" + a->format + "\": expected md, csv, json or html");
        QEVAL_CHECK(a->guard == "either" || a->guard == "both", ErrorCode::usage,
                    "--guard \"" + a->guard + "\": expected either or both");
        QEVAL_CHECK(o.stats.resamples >= 100, ErrorCode::usage, "--resamples: at least 100");
        if (a->max_drop >= 0) o.gate.max_drop_points = a->max_drop;
        o.gate.mode = a->guard == "both" ? core::stats::GuardMode::both : core::stats::GuardMode::either;
        if (!a->night.empty()) {
            const std::string night = a->night;
            o.select_runs = [night](bool, const RunRecord& r) {
                auto it = r.settings.find("night");
                return it == r.settings.end() || (it->is_string() && it->get<std::string>() == night);
            };
        }
        reports::CompareReport report = compare_variants(o);
        std::string text =
            a->format == "json"
                ? reports::to_json(report).dump(2, ' ', false, core::Json::error_handler_t::replace) + "\n"
            : a->format == "csv"  ? reports::to_csv(report)
            : a->format == "html" ? reports::to_html(report)
                                  : reports::to_markdown(report);
        if (a->out.empty()) {
            std::cout << text;
        } else {
            core::write_file_atomic(a->out, text);
            std::cerr << "wrote " << a->out << "\n";
        }
        for (const auto& w : report.warnings)
            std::cerr << "warning: " << w << "\n";
    });
}

} // namespace qeval::harness::cli
