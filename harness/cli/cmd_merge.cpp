// `qeval merge OUT.sqlite IN.sqlite... [--json]`: combine run databases (shards of a job array) into OUT
// (harness/storage/merge.hpp); inputs are read-only. The summary goes to stdout.
#include <iostream>

#include "harness/cli/commands.hpp"
#include "harness/storage/merge.hpp"

namespace qeval::harness::cli {

namespace {
struct MergeArgs {
    std::string out;
    std::vector<std::string> inputs;
    bool json = false;
};
} // namespace

void set_merge_command(CLI::App& app, GlobalOptions& /*global*/) {
    auto* cmd = app.add_subcommand("merge", "Combine run databases (e.g. the shards of a job array) into OUT");
    auto a = std::make_shared<MergeArgs>();
    cmd->add_option("out", a->out, "Database to merge into (created when absent)")->required();
    cmd->add_option("inputs", a->inputs, "Databases to merge from (read-only, never modified)")->required();
    cmd->add_flag("--json", a->json, "Print the summary as JSON");
    cmd->footer("A run is matched by fingerprint: new runs are copied (new ids), samples of a known run are merged; "
                "a (problem, sample) pair already present is kept, unless it is a failed request and the input has "
                "a result. Merging the same input twice changes nothing.");
    cmd->callback([a] {
        std::vector<std::filesystem::path> inputs(a->inputs.begin(), a->inputs.end());
        MergeResult result = merge_databases(a->out, inputs);
        std::cout << (a->json ? result.to_json().dump(2) + "\n" : result.to_text());
    });
}

} // namespace qeval::harness::cli
