// The one table of runners. "builtin" (the MoE runner) is named in design.md and comes with its issue; asking for it
// today is a clear usage error, not a silent fallback.
#include "core/error.hpp"
#include "core/text.hpp"
#include "runners/openai/openai_runner.hpp"
#include "runners/replay/replay_runner.hpp"
#include "runners/runner.hpp"

namespace qeval::runners {
namespace {

struct Entry {
    const char* name;
    std::unique_ptr<Runner> (*make)(const core::Json& settings);
};

std::unique_ptr<Runner> make_replay(const core::Json& settings) {
    QEVAL_CHECK(settings.contains("responses") && settings["responses"].is_string(), ErrorCode::usage,
                "runner replay needs --responses FILE (JSONL of {\"id\", \"sample\"?, \"response\"})");
    return std::make_unique<ReplayRunner>(settings["responses"].get<std::string>());
}

std::unique_ptr<Runner> make_openai(const core::Json& settings) {
    return std::make_unique<OpenAIRunner>(OpenAISettings::from_json(settings));
}

constexpr Entry kRunners[] = {
    {"openai", make_openai},
    {"replay", make_replay},
};

} // namespace

std::vector<std::string> runner_names() {
    std::vector<std::string> out;
    for (const auto& e : kRunners)
        out.push_back(e.name);
    return out;
}

std::unique_ptr<Runner> make_runner(const std::string& name, const core::Json& settings) {
    for (const auto& e : kRunners)
        if (name == e.name) return e.make(settings);
    throw_error(ErrorCode::usage, "runner \"" + name + "\" is not available in this build (available: " +
                                      core::join(runner_names(), ", ") + "; builtin comes with its issue)");
}

} // namespace qeval::runners
