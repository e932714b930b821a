// GPQA Diamond: 198 graduate-level science questions (Rein et al. 2023, "GPQA: A Graduate-Level Google-Proof Q&A
// Benchmark"; Hugging Face Idavidrein/gpqa, gpqa_diamond.csv, gated). The CSV has no letters: the four options
// [Correct, Incorrect 1-3] are shuffled per question with a permutation seeded by derive_seed(question id, run
// seed) — the same exam on every machine and build — and the permutation is stored with the sample.
// Prompt "simple-evals" (default): openai/simple-evals common.py QUERY_TEMPLATE_MULTICHOICE. "nemo-aai": NeMo-Skills
// prompt/config/eval/aai/mcq-4choices.yaml (Artificial Analysis style). Extraction: core/grading/choice.hpp.
// Option texts are stripped of surrounding whitespace (as lm-evaluation-harness's gpqa preprocess does).
#include "core/data/csv.hpp"
#include "core/data/file.hpp"
#include "core/error.hpp"
#include "core/grading/choice.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"
#include "core/text.hpp"
#include "tasks/task_list.hpp"

namespace qeval::tasks {
namespace {

constexpr const char* kFile = "gpqa/gpqa_diamond.csv.gz";
constexpr const char* kLetters = "ABCD";

DataFiles locate(const std::filesystem::path& data_dir) {
    return locate_files(data_dir, {kFile}, "gpqa_diamond");
}

std::size_t require_column(const core::CsvTable& t, std::string_view name) {
    auto c = t.column(name);
    QEVAL_CHECK(c.has_value(), ErrorCode::input, std::string(kFile) + ": no column \"" + std::string(name) + "\"");
    return *c;
}

Dataset load(const LoadOptions& options) {
    require_files(locate(options.data_dir), "gpqa_diamond");
    Dataset ds;
    ds.task = "gpqa_diamond";
    ds.files.push_back(describe_file(options.data_dir, kFile));
    core::CsvTable table = core::parse_csv(core::read_file(options.data_dir / kFile), kFile);
    const std::size_t c_id = require_column(table, "Record ID"), c_q = require_column(table, "Question");
    const std::size_t c_answers[4] = {
        require_column(table, "Correct Answer"), require_column(table, "Incorrect Answer 1"),
        require_column(table, "Incorrect Answer 2"), require_column(table, "Incorrect Answer 3")};
    auto c_domain = table.column("High-level domain"), c_sub = table.column("Subdomain");
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        std::string where = std::string(kFile) + ":" + std::to_string(table.row_lines[r]);
        Sample s;
        s.id = std::string(core::trim(row[c_id]));
        s.input = std::string(core::trim(row[c_q]));
        std::string originals[4];
        bool complete = !s.id.empty() && !s.input.empty();
        for (int k = 0; k < 4; ++k) {
            originals[k] = std::string(core::trim(row[c_answers[k]]));
            complete = complete && !originals[k].empty();
        }
        if (!complete) {
            ds.skipped.push_back({where, s.id, "empty id, question or answer option"});
            continue;
        }
        std::vector<int> perm = core::seeded_permutation(4, core::derive_seed("gpqa_diamond:" + s.id, options.seed));
        for (int i = 0; i < 4; ++i) {
            s.choices.push_back(originals[perm[static_cast<std::size_t>(i)]]);
            if (perm[static_cast<std::size_t>(i)] == 0) s.target = std::string(1, kLetters[i]);
        }
        s.metadata["permutation"] = perm; // position i shows original option perm[i] (0 = correct)
        s.metadata["seed"] = options.seed;
        if (c_domain) s.metadata["domain"] = row[*c_domain];
        if (c_sub) s.metadata["subdomain"] = row[*c_sub];
        ds.samples.push_back(std::move(s));
    }
    ds.build_index();
    return ds;
}

std::string options_block(const Sample& s) {
    std::string out;
    for (std::size_t i = 0; i < s.choices.size(); ++i)
        out += std::string(1, kLetters[i]) + ") " + s.choices[i] + "\n";
    if (!out.empty()) out.pop_back();
    return out;
}

std::vector<ChatMessage> render(const Sample& s, std::string_view prompt, const Dataset&) {
    if (prompt == "simple-evals")
        return {{"user", "Answer the following multiple choice question. The last line of your response should be of "
                         "the following format: 'Answer: $LETTER' (without quotes) where LETTER is one of ABCD. Think "
                         "step by step before answering.\n\n" +
                             s.input + "\n\n" + options_block(s)}};
    if (prompt == "nemo-aai")
        return {{"user", "Answer the following multiple choice question. The last line of your response should be in "
                         "the following format: 'Answer: A/B/C/D' (e.g. 'Answer: A').\n\n" +
                             s.input + "\n\n" + options_block(s)}};
    throw_error(ErrorCode::usage, "gpqa_diamond: prompt variant \"" + std::string(prompt) + "\" is not defined");
}

Score score(std::string_view answer, const Sample& s) {
    return score_choice(core::extract_choice_gpqa(answer), s, "no 'Answer: X' line and no boxed letter");
}

std::string set_gold(Sample& s, const Json& gold) {
    return set_gold_letter(s, gold, kLetters);
}

} // namespace

TaskSpec gpqa_diamond_task() {
    TaskSpec t;
    t.name = "gpqa_diamond";
    t.version = "1";
    t.description = "GPQA Diamond (Rein et al. 2023): 198 four-option science questions, options shuffled per seed";
    t.prompt_variants = {
        {"simple-evals", "openai/simple-evals QUERY_TEMPLATE_MULTICHOICE ('Answer: $LETTER', think step by step)"},
        {"nemo-aai", "NeMo-Skills eval/aai/mcq-4choices ('Answer: A/B/C/D' on the last line)"},
    };
    t.default_prompt = "simple-evals";
    t.breakdowns = {"domain"}; // Physics, Chemistry, Biology (High-level domain)
    t.locate = locate;
    t.load = load;
    t.render = render;
    t.score = score;
    t.set_gold = set_gold;
    return t;
}

} // namespace qeval::tasks
