// One `set_<name>_command` per subcommand (harness/cli/cmd_<name>.cpp): each declares its options on a CLI11
// subcommand and calls one library function. main.cpp registers them in one table.
#pragma once

#include <CLI/CLI.hpp>

#include "harness/app/settings.hpp"

namespace qeval::harness::cli {

// Set by a subcommand's callback: the process exit code (0 ok, 1 a gate failed, 2 usage/input, 3 runtime).
extern int g_exit_code;

void set_tasks_command(CLI::App& app, GlobalOptions& global);
void set_score_command(CLI::App& app, GlobalOptions& global);
void set_data_command(CLI::App& app, GlobalOptions& global);
void set_demo_command(CLI::App& app, GlobalOptions& global);
void set_run_command(CLI::App& app, GlobalOptions& global);
void set_runs_command(CLI::App& app, GlobalOptions& global);
void set_export_command(CLI::App& app, GlobalOptions& global);
void set_merge_command(CLI::App& app, GlobalOptions& global);
void set_compare_command(CLI::App& app, GlobalOptions& global);
void set_nightly_command(CLI::App& app, GlobalOptions& global);

} // namespace qeval::harness::cli
