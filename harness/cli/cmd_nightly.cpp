// `qeval nightly --suite FILE.toml [--db F] [--junit FILE] [--report FILE] [--night YYYY-MM-DD] [--quiet]`: run what
// is missing, compare each candidate with the baseline and with its previous night, write the report and JUnit,
// print the Markdown; exit 1 when a gate fails (harness/app/nightly.hpp).
#include <iostream>

#include "harness/app/nightly.hpp"
#include "harness/cli/commands.hpp"

namespace qeval::harness::cli {

namespace {
struct NightlyArgs {
    NightlyOptions options;
    bool quiet = false;
};
} // namespace

void set_nightly_command(CLI::App& app, GlobalOptions& global) {
    auto* cmd =
        app.add_subcommand("nightly", "Run a suite's missing runs, compare, gate, report (exit 1: a gate failed)");
    auto a = std::make_shared<NightlyArgs>();
    cmd->add_option("--suite", a->options.suite, "The suite file (TOML; see examples/nightly.toml)")->required();
    cmd->add_option("--junit", a->options.junit, "Write JUnit XML here (default: the suite's junit, if any)");
    cmd->add_option("--report", a->options.report,
                    "Write the report here, FILE.html (and FILE.md beside it) or FILE.md (default: the suite's)");
    cmd->add_option("--night", a->options.night,
                    "The night, YYYY-MM-DD (default: today, UTC): re-run or re-judge a past night");
    cmd->add_flag("--quiet", a->quiet, "No progress lines while requests run");
    cmd->callback([&global, a] {
        NightlyOptions o = a->options;
        o.db = global.db;
        o.data_dir = global.data_dir;
        o.progress = !a->quiet;
        NightlyResult result = run_nightly(o);
        std::cout << reports::to_markdown(result.report);
        for (const auto& p : result.written)
            std::cerr << "wrote " << p.string() << "\n";
        g_exit_code = result.report.exit_code();
    });
}

} // namespace qeval::harness::cli
