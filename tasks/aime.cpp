// AIME 2024 and AIME 2025 (American Invitational Mathematics Examination, I and II, 15 problems each; answers are
// integers 0-999). Data: MathArena (eth-sri/matharena) problems and answers, as `qeval data pull` writes them
// (aime/aime24.jsonl, aime/aime25.jsonl: id "2024-I-1", year, contest, problem_idx, problem, answer int).
// Same prompts as MATH-500 (tasks/math_common.hpp). Grading: the extracted answer is an integer equal to the gold
// ("033" = 33); an answer that is not written as an integer goes to the math grader against the gold's digits.
#include "core/data/jsonl.hpp"
#include "core/error.hpp"
#include "core/grading/extract.hpp"
#include "core/grading/math.hpp"
#include "tasks/math_common.hpp"
#include "tasks/task_list.hpp"

namespace qeval::tasks {
namespace {

template <int Year> constexpr const char* kFile = Year == 2024 ? "aime/aime24.jsonl" : "aime/aime25.jsonl";

template <int Year> DataFiles locate(const std::filesystem::path& data_dir) {
    return locate_files(data_dir, {kFile<Year>}, Year == 2024 ? "aime24" : "aime25");
}

template <int Year> Dataset load(const LoadOptions& options) {
    const std::string task = Year == 2024 ? "aime24" : "aime25";
    require_files(locate<Year>(options.data_dir), task);
    Dataset ds;
    ds.task = task;
    ds.files.push_back(describe_file(options.data_dir, kFile<Year>));
    core::JsonlReader reader(options.data_dir / kFile<Year>);
    Json row;
    while (reader.next(row)) {
        core::RowRef ref = reader.ref();
        Sample s;
        s.id = core::id_field(row, "id", ref);
        s.input = core::string_field(row, "problem", ref);
        std::int64_t answer = core::int_field(row, "answer", ref);
        if (answer < 0 || answer > 999) {
            ds.skipped.push_back({ref.where(), s.id, "answer " + std::to_string(answer) + " is not in 0-999"});
            continue;
        }
        s.target = std::to_string(answer);
        for (const char* key : {"year", "contest", "problem_idx"})
            if (row.contains(key)) s.metadata[key] = row[key];
        ds.samples.push_back(std::move(s));
    }
    ds.build_index();
    return ds;
}

Score score_integer(std::string_view answer, const Sample& sample) {
    auto extracted = core::extract_math_answer(answer);
    if (!extracted) return no_answer("no \\boxed{} answer and no \"final answer is\" line");
    Score s;
    if (auto value = core::parse_integer_answer(extracted->answer)) {
        bool equal = std::to_string(*value) == sample.target;
        s = make_score(equal ? Verdict::correct : Verdict::incorrect, extracted->answer, "integer",
                       equal ? "" : "integer " + std::to_string(*value) + " vs gold " + sample.target);
    } else {
        core::MathGrade grade = core::grade_math(extracted->answer, sample.target);
        s = make_score(grade.equivalent ? Verdict::correct : Verdict::incorrect, extracted->answer, grade.stage,
                       "not written as an integer; " + grade.explanation);
    }
    s.details["method"] = extracted->method;
    return s;
}

std::string set_gold(Sample& sample, const Json& gold) {
    std::optional<long long> v;
    if (gold.is_number_integer()) v = gold.get<long long>();
    if (gold.is_string()) v = core::parse_integer_answer(gold.get<std::string>());
    if (!v) return "gold must be an integer (AIME answers are 0-999), got " + gold.dump();
    sample.target = std::to_string(*v);
    return {};
}

template <int Year> TaskSpec make_task() {
    TaskSpec t;
    t.name = Year == 2024 ? "aime24" : "aime25";
    t.version = "1";
    t.description = std::string("AIME ") + std::to_string(Year) + " I and II: 30 problems, integer answers 0-999";
    t.prompt_variants = math_prompt_variants();
    t.default_prompt = "deepseek-r1";
    t.breakdowns = {"year", "contest"}; // one year per task; contest I or II
    t.locate = locate<Year>;
    t.load = load<Year>;
    t.render = render_math_prompt;
    t.score = score_integer;
    t.set_gold = set_gold;
    return t;
}

} // namespace

TaskSpec aime24_task() {
    return make_task<2024>();
}
TaskSpec aime25_task() {
    return make_task<2025>();
}

} // namespace qeval::tasks
