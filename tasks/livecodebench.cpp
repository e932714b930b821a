// LiveCodeBench code generation (Jain et al. 2024, "LiveCodeBench: Holistic and Contamination Free Evaluation of
// Large Language Models for Code"; Hugging Face livecodebench/code_generation_lite, release_v1..v6 = test.jsonl ..
// test6.jsonl cumulatively; or qeval's problems_release_v6.jsonl with public tests only). Rows, tests and prompts
// follow lcb_runner: benchmarks/code_generation.py (fields; private tests = json, else
// base64 -> zlib -> pickle -> json; metadata.func_name), prompts/code_generation.py (SYSTEM_MESSAGE_GENERIC,
// get_generic_question_template_answer), utils/extraction_utils.py (last fenced block), and the inclusive
// start/end date filter of load_code_generation_dataset. Executing code is core/sandbox's job.
#include "tasks/livecodebench.hpp"

#include "core/data/jsonl.hpp"
#include "core/data/pickle.hpp"
#include "core/error.hpp"
#include "core/grading/extract.hpp"
#include "core/regex.hpp"
#include "core/sandbox/sandbox.hpp"
#include "tasks/livecodebench_exec.hpp"
#include "tasks/task_list.hpp"

namespace qeval::tasks {
namespace fs = std::filesystem;
namespace {

constexpr const char* kSingleFile = "livecodebench/problems_release_v6.jsonl";

constexpr const char* kSystemGeneric =
    "You are an expert Python programmer. You will be given a question (problem specification) and will generate a "
    "correct Python program that matches the specification and passes all tests.";
constexpr const char* kFormatStarter = "You will use the following starter code to write the solution to the problem "
                                       "and enclose your code within delimiters.";
constexpr const char* kFormatStdin =
    "Read the inputs from stdin solve the problem and write the answer to stdout (do not directly test on the sample "
    "inputs). Enclose your code within delimiters as follows. Ensure that when the python program runs, it reads the "
    "inputs, runs the algorithm and writes output to STDOUT.";

// release "vN" / "release_vN" -> N (1..6)
int release_number(std::string release) {
    if (release.starts_with("release_")) release = release.substr(8);
    QEVAL_CHECK(release.size() == 2 && release[0] == 'v' && release[1] >= '1' && release[1] <= '6', ErrorCode::usage,
                "livecodebench: release \"" + release + "\" is not one of v1..v6");
    return release[1] - '0';
}

std::vector<std::string> release_files(int n) {
    std::vector<std::string> files{"livecodebench/test.jsonl"};
    for (int k = 2; k <= n; ++k)
        files.push_back("livecodebench/test" + std::to_string(k) + ".jsonl");
    return files;
}

// The code_generation_lite files when present, else qeval's single v6 file.
DataFiles locate_release(const fs::path& data_dir, int release) {
    DataFiles lite =
        locate_files(data_dir, release_files(release), "livecodebench --release v" + std::to_string(release));
    if (lite.missing.empty()) return lite;
    if (release == 6 && fs::is_regular_file(data_dir / kSingleFile)) return {{kSingleFile}, {}};
    return lite;
}

DataFiles locate(const fs::path& data_dir) {
    return locate_release(data_dir, 6);
}

std::string param(const LoadOptions& o, const std::string& key, std::string fallback = {}) {
    auto it = o.params.find(key);
    return it == o.params.end() ? fallback : it->second;
}

// "YYYY-MM-DD" -> "YYYY-MM-DDT00:00:00" (lcb_runner compares datetimes at midnight, both bounds inclusive)
std::string date_bound(const std::string& key, const std::string& value) {
    static const core::Regex kDate(R"(^\d{4}-\d{2}-\d{2}$)");
    QEVAL_CHECK(kDate.search(value).has_value(), ErrorCode::usage,
                "livecodebench: " + key + " \"" + value + "\": expected YYYY-MM-DD");
    return value + "T00:00:00";
}

std::string optional_string(const Json& row, const char* key) {
    auto it = row.find(key);
    return it != row.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// func_name from metadata (HF rows) or from the starter code's `def name(` (qeval's v6 file has no metadata).
std::string func_name_of(const Json& row, const std::string& starter, const core::RowRef& ref) {
    if (std::string meta = optional_string(row, "metadata"); !meta.empty()) {
        Json m = Json::parse(meta, nullptr, false);
        QEVAL_CHECK(m.is_object(), ErrorCode::input,
                    ref.where() + ": field \"metadata\": expected a JSON object string");
        if (m.contains("func_name") && m["func_name"].is_string()) return m["func_name"];
    }
    static const core::Regex kDef(R"(def\s+([A-Za-z_]\w*)\s*\()");
    auto m = kDef.search(starter);
    return m ? std::string(m->group(1)) : std::string();
}

// Reads one row into s; returns a reason when it cannot be used (no tests).
std::string to_sample(const Json& row, const core::RowRef& ref, Sample& s) {
    s.id = core::id_field(row, "question_id", ref);
    s.input = core::string_field(row, "question_content", ref);
    std::string starter = optional_string(row, "starter_code");
    std::string date = core::string_field(row, "contest_date", ref);
    s.metadata = {{"title", optional_string(row, "question_title")},  {"platform", optional_string(row, "platform")},
                  {"contest_id", optional_string(row, "contest_id")}, {"contest_date", date},
                  {"difficulty", optional_string(row, "difficulty")}, {"starter_code", starter},
                  {"func_name", func_name_of(row, starter, ref)}};
    std::string pub = optional_string(row, "public_test_cases"), priv = optional_string(row, "private_test_cases");
    Json pub_tests = pub.empty() ? Json::array() : Json::parse(pub, nullptr, false);
    QEVAL_CHECK(pub_tests.is_array(), ErrorCode::input,
                ref.where() + ": public_test_cases: expected a JSON list string");
    s.metadata["public_tests"] = std::move(pub_tests);
    s.metadata["private_tests_encoded"] = priv;
    s.metadata["where"] = ref.where();
    if (s.metadata["public_tests"].empty() && priv.empty())
        return "no tests (public_test_cases and private_test_cases empty)";
    return {};
}

Dataset load(const LoadOptions& options) {
    int release = release_number(param(options, "release", "v6"));
    DataFiles files = locate_release(options.data_dir, release);
    require_files(files, "livecodebench");
    std::string start = param(options, "start_date"), end = param(options, "end_date");
    if (!start.empty()) start = date_bound("start_date", start);
    if (!end.empty()) end = date_bound("end_date", end);
    Dataset ds;
    ds.task = "livecodebench";
    Json row;
    for (const auto& rel : files.found) {
        ds.files.push_back(describe_file(options.data_dir, rel));
        core::JsonlReader reader(options.data_dir / rel);
        while (reader.next(row)) {
            Sample s;
            std::string why = to_sample(row, reader.ref(), s);
            const std::string& date = s.metadata["contest_date"].get_ref<const std::string&>();
            if ((!start.empty() && date < start) || (!end.empty() && date > end)) continue; // outside the window
            if (!why.empty()) {
                ds.skipped.push_back({reader.ref().where(), s.id, why});
                continue;
            }
            ds.samples.push_back(std::move(s));
        }
    }
    ds.build_index();
    return ds;
}

std::vector<ChatMessage> render(const Sample& s, std::string_view prompt, const Dataset&) {
    const std::string& starter = s.metadata.at("starter_code").get_ref<const std::string&>();
    std::string body = "### Question:\n" + s.input + "\n\n";
    if (!starter.empty())
        body += std::string("### Format: ") + kFormatStarter + "\n```python\n" + starter + "\n```\n\n";
    else
        body += std::string("### Format: ") + kFormatStdin + "\n```python\n# YOUR CODE HERE\n```\n\n";
    body += "### Answer: (use the provided format with backticks)\n\n";
    if (prompt == "lcb-generic") return {{"system", kSystemGeneric}, {"user", body}};
    if (prompt == "lcb-single-user") return {{"user", std::string(kSystemGeneric) + "\n\n" + body}};
    throw_error(ErrorCode::usage, "livecodebench: prompt variant \"" + std::string(prompt) + "\" is not defined");
}

// The program runs in core/sandbox with qeval's driver (livecodebench_exec.hpp); when the sandbox cannot be set up
// here the verdict is `error` with the reason: code is never run unsandboxed.
Score score(std::string_view answer, const Sample& s) {
    auto code = core::last_fenced_code(answer);
    if (!code) return no_answer("fewer than two ``` fences");
    std::string why;
    if (!core::sandbox::available(&why))
        return make_score(Verdict::error, *code, "sandbox",
                          "the code sandbox cannot be set up on this machine (" + why + "); the code was not run");
    const std::vector<CodeTest> tests = livecodebench_tests(s);
    const lcb::Grade g = lcb::grade(*code, tests, s.metadata.value("func_name", std::string()));
    if (g.sandbox_failed) return make_score(Verdict::error, *code, "sandbox", "sandbox error: " + g.sandbox_error);
    Score sc = make_score(g.passed ? Verdict::correct : Verdict::incorrect, *code, "tests",
                          g.passed ? "all " + std::to_string(tests.size()) + " tests passed" : g.message);
    Json verdicts = Json::array();
    for (auto v : g.tests)
        verdicts.push_back(lcb::to_string(v));
    sc.details["tests"] = tests.size();
    sc.details["passed"] = std::count(g.tests.begin(), g.tests.end(), lcb::TestVerdict::pass);
    sc.details["verdicts"] = verdicts;
    sc.details["official"] = g.official;
    sc.details["cpu_seconds"] = g.cpu_seconds;
    if (g.reruns) sc.details["reruns"] = g.reruns;
    if (core::sandbox::unsafe_no_isolation()) sc.details["unsafe_no_sandbox"] = true;
    return sc;
}

std::vector<CodeTest> parse_tests(const Json& list, const std::string& where) {
    QEVAL_CHECK(list.is_array(), ErrorCode::input, where + ": tests: expected a list");
    std::vector<CodeTest> out;
    for (const Json& t : list) {
        QEVAL_CHECK(t.is_object() && t.contains("input") && t.contains("output") && t.contains("testtype") &&
                        t["input"].is_string() && t["output"].is_string() && t["testtype"].is_string(),
                    ErrorCode::input, where + ": a test is not {\"input\", \"output\", \"testtype\"} strings");
        CodeTest c{t["input"], t["output"], t["testtype"]};
        QEVAL_CHECK(c.testtype == "stdin" || c.testtype == "functional", ErrorCode::input,
                    where + ": testtype \"" + c.testtype + "\" is not stdin or functional");
        out.push_back(std::move(c));
    }
    return out;
}

} // namespace

std::vector<CodeTest> livecodebench_tests(const Sample& s) {
    std::string where = s.metadata.value("where", s.id);
    std::vector<CodeTest> tests = parse_tests(s.metadata.at("public_tests"), where);
    const std::string& priv = s.metadata.at("private_tests_encoded").get_ref<const std::string&>();
    if (!priv.empty()) {
        std::vector<CodeTest> more = parse_tests(Json::parse(core::decode_lcb_private_tests(priv)), where);
        tests.insert(tests.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
    }
    return tests;
}

TaskSpec livecodebench_task() {
    TaskSpec t;
    t.name = "livecodebench";
    t.version = "1";
    t.description = "LiveCodeBench code generation (release v1-v6, contest-date windows), code_generation_lite format";
    t.prompt_variants = {
        {"lcb-generic", "lcb_runner OpenAIChat style: system SYSTEM_MESSAGE_GENERIC, user generic question template"},
        {"lcb-single-user", "lcb_runner OpenAIReasonPreview style: system text and template in one user message"},
    };
    t.default_prompt = "lcb-generic";
    t.breakdowns = {"difficulty", "platform"};
    t.runs_code = true;
    t.locate = locate;
    t.load = load;
    t.render = render;
    t.score = score;
    t.set_gold = nullptr; // graded by tests, not by a gold answer
    return t;
}

} // namespace qeval::tasks
