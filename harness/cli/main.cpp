// qeval's entry point: registers the subcommands from one table and maps every failure to its exit code in the one
// try/catch (design.md: 0 ok, 1 a gate failed, 2 usage or input error, 3 runtime failure).
#include <iostream>

#include "core/error.hpp"
#include "harness/cli/commands.hpp"
#include "qeval/version.hpp"

namespace qeval::harness::cli {

int g_exit_code = 0;

namespace {
using SetCommand = void (*)(CLI::App&, GlobalOptions&);
constexpr SetCommand kCommands[] = {
    set_tasks_command,  set_data_command,  set_score_command,   set_run_command,     set_runs_command,
    set_export_command, set_merge_command, set_compare_command, set_nightly_command, set_demo_command,
};
} // namespace

int run(int argc, char** argv) {
    CLI::App app{"qeval: how much accuracy a quantized LLM keeps"};
    app.require_subcommand(1);
    app.fallthrough(); // global options may follow the subcommand: `qeval tasks --data-dir D`
    app.set_version_flag("--version", std::string(kVersion) + " (" + kGitCommit + ")");
    GlobalOptions global;
    app.add_option("--data-dir", global.data_dir, "Data directory (default: $QEVAL_DATA_DIR or ~/.cache/qeval/data)");
    app.add_option("--db", global.db, "SQLite database (default: $QEVAL_DB or ./qeval.sqlite)");
    for (SetCommand set : kCommands)
        set(app, global);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e); // prints help / the parse error
        return rc == 0 ? 0 : 2;
    } catch (const Error& e) {
        std::cerr << "qeval: " << to_string(e.code()) << " error: " << e.what() << "\n";
        return exit_code_for(e.code());
    } catch (const std::exception& e) {
        std::cerr << "qeval: internal error: " << e.what() << "\n";
        return 3;
    }
    return g_exit_code;
}

} // namespace qeval::harness::cli

int main(int argc, char** argv) {
    return qeval::harness::cli::run(argc, argv);
}
