// MMLU-Pro: 12,032 questions in 14 categories with up to 10 options A-J (Wang et al. 2024, "MMLU-Pro: A More Robust
// and Challenging Multi-Task Language Understanding Benchmark"; Hugging Face TIGER-Lab/MMLU-Pro, splits test and
// validation). Prompt "cot-5shot" (default) is TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py: one user message with
// the category instruction, the 5 validation CoT examples of the same category in file order (format_example), then
// the question ending "Answer: Let's think step by step."; options equal to "N/A" are removed (preprocess).
// "0-shot": the simple-evals multiple-choice instruction widened to the question's letters (A-J), no examples.
// Extraction: the official chain (core/grading/choice.hpp). Results per category (metadata "category").
#include "core/data/jsonl.hpp"
#include "core/error.hpp"
#include "core/grading/choice.hpp"
#include "tasks/task_list.hpp"

namespace qeval::tasks {
namespace {

constexpr const char* kTest = "mmlu_pro/test.jsonl";
constexpr const char* kValidation = "mmlu_pro/validation.jsonl";
constexpr std::string_view kLetters = "ABCDEFGHIJ";

DataFiles locate(const std::filesystem::path& data_dir) {
    return locate_files(data_dir, {kTest, kValidation}, "mmlu_pro");
}

// One row -> Sample; "N/A" options dropped with the gold letter re-derived from answer_index. Returns a reason when
// the row cannot be used.
std::string to_sample(const Json& row, const core::RowRef& ref, Sample& s) {
    s.id = core::id_field(row, "question_id", ref);
    s.input = core::string_field(row, "question", ref);
    const Json& options = core::field(row, "options", ref);
    QEVAL_CHECK(options.is_array(), ErrorCode::input, ref.where() + ": field \"options\": expected a list");
    std::int64_t answer_index = core::int_field(row, "answer_index", ref);
    std::string answer = core::string_field(row, "answer", ref);
    if (answer_index < 0 || answer_index >= static_cast<std::int64_t>(options.size()) ||
        answer_index >= static_cast<std::int64_t>(kLetters.size()))
        return "answer_index " + std::to_string(answer_index) + " is outside the options";
    if (answer != std::string(1, kLetters[static_cast<std::size_t>(answer_index)]))
        return "answer \"" + answer + "\" disagrees with answer_index " + std::to_string(answer_index);
    for (std::size_t i = 0; i < options.size(); ++i) {
        QEVAL_CHECK(options[i].is_string(), ErrorCode::input,
                    ref.where() + ": options[" + std::to_string(i) + "]: expected a string");
        if (options[i] == "N/A") {
            if (static_cast<std::int64_t>(i) == answer_index) return "the correct option is \"N/A\"";
            continue;
        }
        if (static_cast<std::int64_t>(i) == answer_index) s.target = std::string(1, kLetters[s.choices.size()]);
        s.choices.push_back(options[i].get<std::string>());
    }
    s.metadata["category"] = core::string_field(row, "category", ref);
    if (row.contains("src")) s.metadata["src"] = row["src"];
    if (row.contains("cot_content") && row["cot_content"].is_string()) s.metadata["cot_content"] = row["cot_content"];
    return {};
}

Dataset load(const LoadOptions& options) {
    require_files(locate(options.data_dir), "mmlu_pro");
    Dataset ds;
    ds.task = "mmlu_pro";
    ds.files = {describe_file(options.data_dir, kTest), describe_file(options.data_dir, kValidation)};
    Json row;
    core::JsonlReader val(options.data_dir / kValidation);
    while (val.next(row)) {
        Sample ex;
        std::string why = to_sample(row, val.ref(), ex);
        QEVAL_CHECK(why.empty(), ErrorCode::input, val.ref().where() + ": few-shot example unusable: " + why);
        const std::string& cat = ex.metadata["category"].get_ref<const std::string&>();
        ds.shared["fewshot"][cat].push_back(Json{
            {"question", ex.input}, {"options", ex.choices}, {"cot_content", ex.metadata.value("cot_content", "")}});
    }
    core::JsonlReader test(options.data_dir / kTest);
    while (test.next(row)) {
        Sample s;
        if (std::string why = to_sample(row, test.ref(), s); !why.empty()) {
            ds.skipped.push_back({test.ref().where(), s.id, why});
            continue;
        }
        s.metadata.erase("cot_content");
        ds.samples.push_back(std::move(s));
    }
    ds.build_index();
    return ds;
}

// evaluate_from_api.py format_example: "Question: {q}\nOptions: A. o1\nB. o2\n...Answer: {cot}\n\n", where an
// empty cot becomes "Let's think step by step." and a leading "A: " is cut.
std::string format_example(const std::string& question, const Json& options, std::string cot) {
    if (cot.empty()) cot = "Let's think step by step.";
    if (cot.starts_with("A: ")) cot = cot.substr(3);
    std::string out = "Question: " + question + "\nOptions: ";
    for (std::size_t i = 0; i < options.size(); ++i)
        out += std::string(1, kLetters[i]) + ". " + options[i].get<std::string>() + "\n";
    return out + "Answer: " + cot + "\n\n";
}

std::vector<ChatMessage> render(const Sample& s, std::string_view prompt, const Dataset& ds) {
    if (prompt == "cot-5shot") {
        const std::string& cat = s.metadata.at("category").get_ref<const std::string&>();
        std::string text = "The following are multiple choice questions (with answers) about " + cat +
                           ". Think step by step and then output the answer in the format of \"The answer is (X)\" at "
                           "the end.\n\n";
        auto shots = ds.shared.find("fewshot");
        QEVAL_CHECK(shots != ds.shared.end() && shots->contains(cat), ErrorCode::input,
                    std::string(kValidation) + ": no few-shot examples for category \"" + cat + "\"");
        for (const Json& ex : (*shots)[cat])
            text += format_example(ex["question"], ex["options"], ex["cot_content"].get<std::string>());
        text += format_example(s.input, Json(s.choices), "");
        return {{"user", text}};
    }
    if (prompt == "0-shot") {
        std::string letters(kLetters.substr(0, s.choices.size()));
        std::string text = "Answer the following multiple choice question. The last line of your response should be "
                           "of the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of " +
                           letters + ". Think step by step before answering.\n\n" + s.input + "\n\n";
        for (std::size_t i = 0; i < s.choices.size(); ++i)
            text += std::string(1, kLetters[i]) + ") " + s.choices[i] + (i + 1 < s.choices.size() ? "\n" : "");
        return {{"user", text}};
    }
    throw_error(ErrorCode::usage, "mmlu_pro: prompt variant \"" + std::string(prompt) + "\" is not defined");
}

Score score(std::string_view answer, const Sample& s) {
    return score_choice(core::extract_choice_mmlu_pro(answer), s,
                        "no 'answer is (X)', no 'Answer: X' and no standalone letter A-J");
}

std::string set_gold(Sample& s, const Json& gold) {
    return set_gold_letter(s, gold, kLetters);
}

} // namespace

TaskSpec mmlu_pro_task() {
    TaskSpec t;
    t.name = "mmlu_pro";
    t.version = "1";
    t.description = "MMLU-Pro (Wang et al. 2024): 12,032 questions, 14 categories, up to 10 options";
    t.prompt_variants = {
        {"cot-5shot", "TIGER-AI-Lab/MMLU-Pro evaluate_from_api.py: 5 same-category CoT examples, 'The answer is (X)'"},
        {"0-shot", "no examples; 'Answer: $LETTER' with LETTER one of the question's letters (simple-evals style)"},
    };
    t.default_prompt = "cot-5shot";
    t.breakdowns = {"category"};
    t.locate = locate;
    t.load = load;
    t.render = render;
    t.score = score;
    t.set_gold = set_gold;
    return t;
}

} // namespace qeval::tasks
