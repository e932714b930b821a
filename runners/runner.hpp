// The runner interface: something that turns chat requests into ModelOutputs (an OpenAI-compatible endpoint, canned
// responses, the built-in MoE model). A runner receives all pending requests of a run and reports each result as it
// completes, so it can choose its own concurrency; a failed request is a ModelOutput with `error`, never an
// exception. runner_list.cpp is the one table of runners.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/types.hpp"

namespace qeval::runners {

struct GenerateRequest {
    std::string problem_id;
    int sample_index = 0;
    std::vector<core::ChatMessage> messages;
    core::GenerateConfig config; // config.seed is this sample's own seed
};

using OnResult = std::function<void(const GenerateRequest&, core::ModelOutput)>;

class Runner {
public:
    virtual ~Runner() = default;
    // What produced the responses (part of a run's fingerprint): "replay:<sha256 of the file>", "openai:<url>/<model>".
    virtual std::string identity() const = 0;
    // Stored with the run, not hashed: endpoint URLs, served model names, recipe...
    virtual core::Json provenance() const { return core::Json::object(); }
    // Called once before the first run() that has requests: checks that can fail (a dead server, a model that is not
    // served) go here, so a run with nothing left to generate never needs its server (a baseline evaluated once).
    virtual void prepare() {}
    // Generates every request and calls on_result once per request, as each finishes, with the element of `requests`
    // itself (the harness keeps its address until run() has returned and the results are stored).
    virtual void run(const std::vector<GenerateRequest>& requests, const OnResult& on_result) = 0;
};

// Runner settings from the command line or a suite file: {"runner": "replay", "responses": "file.jsonl"} ...
std::unique_ptr<Runner> make_runner(const std::string& name, const core::Json& settings);
std::vector<std::string> runner_names();

} // namespace qeval::runners
