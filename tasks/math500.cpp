// MATH-500: the 500-problem test subset of MATH (Hendrycks et al. 2021, "Measuring Mathematical Problem Solving With
// the MATH Dataset") chosen by Lightman et al. 2023, "Let's Verify Step by Step" (openai/prm800k
// prm800k/math_splits/test.jsonl; Hugging Face HuggingFaceH4/MATH-500, test.jsonl). Fields: problem, solution,
// answer, subject, level, unique_id. Prompt variants and scoring: tasks/math_common.hpp.
#include "core/data/jsonl.hpp"
#include "core/error.hpp"
#include "tasks/math_common.hpp"
#include "tasks/task_list.hpp"

namespace qeval::tasks {
namespace {

constexpr const char* kFile = "math500/test.jsonl";

DataFiles locate(const std::filesystem::path& data_dir) {
    return locate_files(data_dir, {kFile}, "math500");
}

Dataset load(const LoadOptions& options) {
    require_files(locate(options.data_dir), "math500");
    Dataset ds;
    ds.task = "math500";
    ds.files.push_back(describe_file(options.data_dir, kFile));
    core::JsonlReader reader(options.data_dir / kFile);
    Json row;
    while (reader.next(row)) {
        core::RowRef ref = reader.ref();
        Sample s;
        s.id = core::string_field(row, "unique_id", ref);
        s.input = core::string_field(row, "problem", ref);
        s.target = core::string_field(row, "answer", ref);
        if (s.target.empty()) {
            ds.skipped.push_back({ref.where(), s.id, "empty answer"});
            continue;
        }
        s.metadata["subject"] = core::string_field(row, "subject", ref);
        s.metadata["level"] = core::int_field(row, "level", ref);
        if (row.contains("solution") && row["solution"].is_string()) s.metadata["solution"] = row["solution"];
        ds.samples.push_back(std::move(s));
    }
    ds.build_index();
    return ds;
}

std::string set_gold(Sample& sample, const Json& gold) {
    if (!gold.is_string() && !gold.is_number()) return "gold must be a math answer string, got " + gold.dump();
    sample.target = gold.is_string() ? gold.get<std::string>() : gold.dump();
    return sample.target.empty() ? "gold is empty" : "";
}

} // namespace

TaskSpec math500_task() {
    TaskSpec t;
    t.name = "math500";
    t.version = "1";
    t.description = "MATH-500 (Lightman et al. 2023): 500 competition math problems, boxed answers";
    t.prompt_variants = math_prompt_variants();
    t.default_prompt = "deepseek-r1";
    t.breakdowns = {"subject", "level"};
    t.locate = locate;
    t.load = load;
    t.render = render_math_prompt;
    t.score = score_math;
    t.set_gold = set_gold;
    return t;
}

} // namespace qeval::tasks
