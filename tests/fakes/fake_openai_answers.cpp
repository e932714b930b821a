// task_answerer (see fake_openai.hpp): a qeval task's dataset rendered with each of its prompt variants, the last
// user message of each problem mapped to the answer the task's scorer grades correct (or a wrong one).
#include <memory>
#include <unordered_map>

#include "core/error.hpp"
#include "tasks/task_list.hpp"
#include "tests/fakes/fake_openai.hpp"

namespace qeval::testing {
namespace {

// Lower case, no digit, no box, no "answer is": nothing for any extractor to find (MMLU-Pro's fallback takes a
// standalone capital A-J, so not even an "I").
constexpr const char* kNoAnswer = "sorry, no idea about this one.";

enum class Style { math, gpqa, mmlu_pro };

struct Gold {
    std::string target;  // the gold answer (a math string or a letter)
    std::size_t choices; // number of options (choice tasks)
};

std::string answer_for(Style style, const Gold& gold, bool correct) {
    if (style == Style::math)
        return correct ? "Let me work through it.\nThe final answer is $\\boxed{" + gold.target + "}$."
                       : "Let me work through it.\nThe final answer is $\\boxed{-99999.125}$.";
    char letter = gold.target.empty() ? 'A' : gold.target[0];
    if (!correct && gold.choices > 1) letter = static_cast<char>('A' + (letter - 'A' + 1) % gold.choices);
    if (style == Style::gpqa) return "Comparing the options.\n\nAnswer: " + std::string(1, letter);
    return "Let's think step by step. The answer is (" + std::string(1, letter) + ").";
}

} // namespace

std::function<std::string(const std::string&, bool)>
task_answerer(const std::string& task, const std::filesystem::path& data_dir, std::uint64_t seed) {
    if (task.find(',') != std::string::npos) { // "math500,gpqa_diamond": one server answering several tasks
        std::vector<std::function<std::string(const std::string&, bool)>> each;
        for (std::size_t at = 0; at <= task.size();) {
            const std::size_t comma = std::min(task.find(',', at), task.size());
            each.push_back(task_answerer(task.substr(at, comma - at), data_dir, seed));
            at = comma + 1;
        }
        return [each](const std::string& prompt, bool correct) -> std::string {
            for (const auto& answer : each)
                if (std::string a = answer(prompt, correct); a != kNoAnswer) return a;
            return kNoAnswer;
        };
    }
    const tasks::TaskSpec& spec = tasks::find_task(task);
    Style style;
    if (task == "math500" || task == "aime24" || task == "aime25")
        style = Style::math;
    else if (task == "gpqa_diamond")
        style = Style::gpqa;
    else if (task == "mmlu_pro")
        style = Style::mmlu_pro;
    else
        throw_error(ErrorCode::usage, "task_answerer: no gold answers to give for task \"" + task + "\"");

    tasks::Dataset ds = spec.load({data_dir, seed, {}});
    auto golds = std::make_shared<std::unordered_map<std::string, Gold>>();
    for (const auto& sample : ds.samples) {
        for (const auto& variant : spec.prompt_variants) {
            auto messages = spec.render(sample, variant.name, ds);
            for (auto m = messages.rbegin(); m != messages.rend(); ++m) {
                if (m->role != "user") continue;
                golds->emplace(m->content, Gold{sample.target, sample.choices.size()});
                break;
            }
        }
    }
    return [golds, style](const std::string& prompt, bool correct) -> std::string {
        auto it = golds->find(prompt);
        return it == golds->end() ? kNoAnswer : answer_for(style, it->second, correct);
    };
}

} // namespace qeval::testing
