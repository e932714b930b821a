// A benchmark as qeval sees it: a TaskSpec (name, version, prompt variants, data files) with three functions:
// load (dataset rows -> Samples, every unusable row reported with its reason), render (Sample -> chat messages for a
// prompt variant) and score (answer text -> Score). One file per task builds its TaskSpec; task_list.cpp holds the
// only registry table.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/grading/choice.hpp"
#include "core/types.hpp"

namespace qeval::tasks {

using core::ChatMessage;
using core::Json;
using core::Sample;
using core::Score;
using core::Verdict;

struct PromptVariant {
    std::string name;
    std::string description; // where it comes from
};

struct LoadOptions {
    std::filesystem::path data_dir;
    std::uint64_t seed = 0;                    // the run seed (GPQA's option permutation)
    std::map<std::string, std::string> params; // task parameters: release, start_date, end_date (LiveCodeBench)
};

struct SkippedRow {
    std::string where;  // file:line
    std::string id;     // the row's id when it had one
    std::string reason; // why it cannot be used
};

struct DataFileInfo {
    std::string path; // relative to the data dir
    std::string sha256;
};

struct Dataset {
    std::string task;
    std::vector<Sample> samples;
    std::vector<SkippedRow> skipped;
    std::vector<DataFileInfo> files;
    Json shared = Json::object(); // data every prompt may use (MMLU-Pro few-shot examples per category)

    const Sample* find(std::string_view id) const;
    void build_index(); // after samples are final; throws Error(input) on a duplicate id
private:
    std::unordered_map<std::string, std::size_t> index_;
};

// Which data files a task needs in a data dir: those found, and for each missing one what to do.
struct DataFiles {
    std::vector<std::string> found;   // relative paths
    std::vector<std::string> missing; // "math500/test.jsonl (run `qeval data pull math500`)"
};

struct TaskSpec {
    std::string name;
    std::string version; // changes whenever prompts, extraction or grading change
    std::string description;
    std::vector<PromptVariant> prompt_variants;
    std::string default_prompt;
    // Sample metadata keys that accuracy is broken down by in reports (MATH subject and level, MMLU-Pro category...).
    std::vector<std::string> breakdowns;
    // Grading executes code (in the sandbox): a grade mostly waits for a child process, so `qeval run` grades with
    // one thread per core instead of one per core beyond the first.
    bool runs_code = false;
    DataFiles (*locate)(const std::filesystem::path& data_dir) = nullptr;
    Dataset (*load)(const LoadOptions& options) = nullptr;
    std::vector<ChatMessage> (*render)(const Sample& sample, std::string_view prompt, const Dataset& dataset) = nullptr;
    // Grades the answer text (reasoning already split off) against sample.target.
    Score (*score)(std::string_view answer, const Sample& sample) = nullptr;
    // Turns a user-supplied gold (`qeval score` lines with "gold") into sample.target; nullptr: not supported.
    // Returns an error message when the gold has the wrong form ("" when fine).
    std::string (*set_gold)(Sample& sample, const Json& gold) = nullptr;

    bool has_prompt(std::string_view name) const;
};

// The whole grading path for one response: split_reasoning, then the task's score. An unfinished <think> block
// is no_answer; an empty response is no_answer.
Score score_response(const TaskSpec& task, std::string_view response, const Sample& sample);

// Checks that a prompt variant exists; throws Error(usage) listing the task's variants otherwise.
void check_prompt(const TaskSpec& task, std::string_view prompt);

// ---- helpers shared by the task files ----------------------------------------------------------------------------
// Files that must all be present; `pull_name` goes into the hint.
DataFiles locate_files(const std::filesystem::path& data_dir, const std::vector<std::string>& rel_paths,
                       std::string_view pull_name);
// Throws Error(input) naming every missing file and the command that fetches it.
void require_files(const DataFiles& files, std::string_view task);
DataFileInfo describe_file(const std::filesystem::path& data_dir, const std::string& rel_path);

Score make_score(Verdict verdict, std::string extracted, std::string stage, std::string explanation = {});
Score no_answer(std::string explanation);
// Score for choice tasks: the extracted letter against sample.target (stage "choice", details.method), or
// no_answer with `why_none` when nothing was extracted.
Score score_choice(const std::optional<core::ChoiceExtraction>& choice, const Sample& sample, std::string why_none);
// Gold for choice tasks: one letter within `letters`.
std::string set_gold_letter(Sample& sample, const Json& gold, std::string_view letters);

} // namespace qeval::tasks
