// See suite.hpp. The keys follow examples/nightly.toml (and examples/recipes.toml for the builtin runner's keys).
#include "harness/app/suite.hpp"

#include <algorithm>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "runners/runner.hpp"
#include "tasks/task_list.hpp"

namespace qeval::harness {

// The parsed file, kept whole: toml++ keeps a node's source line only in the tree it parsed (copies lose it).
struct Suite::Tables {
    std::filesystem::path dir; // the suite file's folder
    toml::table root;
    const toml::table* defaults = nullptr;
    std::map<std::string, const toml::table*> variants, tasks;
};

namespace {

namespace fs = std::filesystem;
namespace st = core::stats;

// Where a node is, as "FILE:LINE".
std::string at(const fs::path& file, const toml::source_region& where) {
    return file.string() + ":" + std::to_string(where.begin.line);
}

[[noreturn]] void bad(const fs::path& file, const toml::node& node, const std::string& what) {
    throw Error(ErrorCode::input, at(file, node.source()) + ": " + what);
}

// Which section a key may appear in.
enum Section : unsigned { kDefaults = 1, kTask = 2, kVariant = 4 };

struct Key {
    const char* name;
    unsigned sections;
    const char* expected; // for messages
};

// Every key a suite may hold under [defaults], [tasks.T] and [variants.V].
constexpr Key kKeys[] = {
    {"temperature", kDefaults | kTask | kVariant, "a number >= 0"},
    {"top_p", kDefaults | kTask | kVariant, "a number in (0, 1]"},
    {"top_k", kDefaults | kTask | kVariant, "an integer >= 0"},
    {"min_p", kDefaults | kTask | kVariant, "a number in [0, 1]"},
    {"max_tokens", kDefaults | kTask | kVariant, "an integer > 0"},
    {"stop", kDefaults | kTask | kVariant, "a string or an array of strings"},
    {"stream", kDefaults | kTask | kVariant, "true or false"},
    {"seed", kDefaults | kTask | kVariant, "an integer >= 0"},
    {"concurrency", kDefaults | kTask | kVariant, "an integer > 0"},
    {"max_attempts", kDefaults | kTask | kVariant, "an integer > 0"},
    {"idle_timeout", kDefaults | kTask | kVariant, "seconds, an integer > 0"},
    {"unsafe_no_sandbox", kDefaults | kTask | kVariant, "true or false (qeval run --unsafe-no-sandbox)"},
    {"samples", kDefaults | kTask, "an integer >= 1"},
    {"prompt", kDefaults | kTask, "a prompt variant's name (qeval tasks)"},
    {"limit", kDefaults | kTask, "an integer >= 0 (0: every problem)"},
    {"release", kTask, "a LiveCodeBench release, v1..v6"},
    {"start_date", kTask, "a date, YYYY-MM-DD"},
    {"end_date", kTask, "a date, YYYY-MM-DD"},
    {"baseline", kVariant, "true or false"},
    {"rerun", kVariant, "\"each-night\" or \"once\""},
    {"runner", kVariant, "a runner's name"},
    {"base_url", kVariant, "a URL or an array of URLs"},
    {"model", kVariant, "the served model's name"},
    {"endpoint", kVariant, "\"chat\" or \"completions\""},
    {"api_key_env", kVariant, "an environment variable's name"},
    {"extra_body", kVariant, "a table (merged into each request body)"},
    {"responses", kVariant, "a JSONL file (replay runner)"},
    {"model_dir", kVariant, "a checkpoint folder (builtin runner)"},
    {"recipe", kVariant, "a recipe name or file (builtin runner)"},
};

const Key* find_key(std::string_view name) {
    for (const auto& k : kKeys)
        if (name == k.name) return &k;
    return nullptr;
}

std::string allowed_keys(unsigned section) {
    std::string out;
    for (const auto& k : kKeys)
        if (k.sections & section) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
}

core::Json to_json(const toml::node& n) {
    if (auto t = n.as_table()) {
        core::Json out = core::Json::object();
        for (auto&& [k, v] : *t)
            out[std::string(k.str())] = to_json(v);
        return out;
    }
    if (auto a = n.as_array()) {
        core::Json out = core::Json::array();
        for (auto&& v : *a)
            out.push_back(to_json(v));
        return out;
    }
    if (auto v = n.as_string()) return v->get();
    if (auto v = n.as_integer()) return v->get();
    if (auto v = n.as_floating_point()) return v->get();
    if (auto v = n.as_boolean()) return v->get();
    std::stringstream text; // dates and times: as TOML writes them
    n.visit([&](auto&& v) { text << v; });
    return text.str();
}

// Typed reads that name the file, line and key on a wrong type or range.
struct Reader {
    const fs::path& file;
    std::string where; // "[tasks.math500]"

    std::string key_at(const Key& k) const { return "\"" + std::string(k.name) + "\" in " + where; }
    [[noreturn]] void wrong(const toml::node& n, const Key& k) const {
        bad(file, n, key_at(k) + ": expected " + k.expected);
    }
    std::string text(const toml::node& n, const Key& k) const {
        if (!n.is_string() || n.as_string()->get().empty()) wrong(n, k);
        return n.as_string()->get();
    }
    double number(const toml::node& n, const Key& k, double lo, double hi, bool lo_open = false) const {
        auto v = n.value<double>();
        if (!v || (n.is_boolean()) || *v < lo || *v > hi || (lo_open && *v == lo)) wrong(n, k);
        return *v;
    }
    std::int64_t integer(const toml::node& n, const Key& k, std::int64_t lo) const {
        if (!n.is_integer() || n.as_integer()->get() < lo) wrong(n, k);
        return n.as_integer()->get();
    }
    bool boolean(const toml::node& n, const Key& k) const {
        if (!n.is_boolean()) wrong(n, k);
        return n.as_boolean()->get();
    }
    std::vector<std::string> strings(const toml::node& n, const Key& k) const {
        if (n.is_string()) return {n.as_string()->get()};
        std::vector<std::string> out;
        if (!n.is_array()) wrong(n, k);
        for (auto&& e : *n.as_array()) {
            if (!e.is_string()) wrong(e, k);
            out.push_back(e.as_string()->get());
        }
        return out;
    }
};

// Applies one section's keys to a run's options. Every key is checked even when the section is only validated.
void apply(const toml::table& t, unsigned section, const Reader& r, const fs::path& dir, RunOptions& o) {
    for (auto&& [name, node] : t) {
        const Key* k = find_key(name.str());
        if (!k || !(k->sections & section))
            throw Error(ErrorCode::input, at(r.file, name.source()) + ": unknown key \"" + std::string(name.str()) +
                                              "\" in " + r.where + " (expected one of: " + allowed_keys(section) + ")");
        const std::string_view key = k->name;
        core::GenerateConfig& g = o.generation;
        core::Json& rs = o.runner_settings;
        if (key == "temperature")
            g.temperature = r.number(node, *k, 0, 1e9);
        else if (key == "top_p")
            g.top_p = r.number(node, *k, 0, 1, true);
        else if (key == "top_k")
            g.top_k = static_cast<int>(r.integer(node, *k, 0));
        else if (key == "min_p")
            g.min_p = r.number(node, *k, 0, 1);
        else if (key == "max_tokens")
            g.max_tokens = static_cast<int>(r.integer(node, *k, 1));
        else if (key == "stop")
            g.stop = r.strings(node, *k);
        else if (key == "stream")
            g.stream = r.boolean(node, *k);
        else if (key == "seed")
            o.seed = static_cast<std::uint64_t>(r.integer(node, *k, 0));
        else if (key == "concurrency")
            rs["concurrency"] = r.integer(node, *k, 1);
        else if (key == "max_attempts")
            rs["max_attempts"] = r.integer(node, *k, 1);
        else if (key == "idle_timeout")
            rs["idle_timeout_s"] = r.integer(node, *k, 1);
        else if (key == "unsafe_no_sandbox")
            o.unsafe_no_sandbox = r.boolean(node, *k);
        else if (key == "samples")
            o.samples = static_cast<int>(r.integer(node, *k, 1));
        else if (key == "prompt")
            o.prompt = r.text(node, *k);
        else if (key == "limit")
            o.limit = static_cast<std::size_t>(r.integer(node, *k, 0));
        else if (key == "release" || key == "start_date" || key == "end_date")
            o.task_params[std::string(key)] = r.text(node, *k);
        else if (key == "runner")
            o.runner = r.text(node, *k);
        else if (key == "base_url")
            rs["base_url"] = r.strings(node, *k);
        else if (key == "model" || key == "endpoint" || key == "api_key_env" || key == "recipe")
            rs[std::string(key)] = r.text(node, *k);
        else if (key == "responses" || key == "model_dir")
            rs[std::string(key)] = (dir / r.text(node, *k)).lexically_normal().string();
        else if (key == "extra_body") {
            if (!node.is_table()) r.wrong(node, *k);
            rs["extra_body"] = to_json(node);
        } else if (key == "baseline")
            r.boolean(node, *k); // read by load_suite
        else if (key == "rerun") {
            std::string v = r.text(node, *k);
            if (v != "each-night" && v != "once") r.wrong(node, *k);
        }
    }
}

const toml::table& table_at(const fs::path& file, const toml::table& parent, std::string_view key) {
    const toml::node* n = parent.get(key);
    if (!n->is_table()) bad(file, *n, "\"" + std::string(key) + "\": expected a table ([" + std::string(key) + "])");
    return *n->as_table();
}

st::GateOptions read_gate(const fs::path& file, const toml::table& t, const std::string& where, st::GateOptions g,
                          bool allow_tasks) {
    static constexpr Key kMin{"min_retention", 0, "a percentage in (0, 200]"};
    static constexpr Key kDrop{"max_drop_points", 0, "points, a number >= 0"};
    static constexpr Key kGuard{"guard", 0, "\"either\" or \"both\""};
    Reader r{file, where};
    for (auto&& [name, node] : t) {
        if (name.str() == "min_retention")
            g.min_retention = r.number(node, kMin, 0, 200, true);
        else if (name.str() == "max_drop_points")
            g.max_drop_points = r.number(node, kDrop, 0, 100);
        else if (name.str() == "guard") {
            auto mode = st::guard_mode_from_string(r.text(node, kGuard));
            if (!mode || *mode == st::GuardMode::points) r.wrong(node, kGuard);
            g.mode = *mode;
        } else if (!(allow_tasks && (name.str() == "tasks" || name.str() == "regression")))
            throw Error(ErrorCode::input, at(file, name.source()) + ": unknown key \"" + std::string(name.str()) +
                                              "\" in " + where + " (expected min_retention, max_drop_points, guard" +
                                              (allow_tasks ? ", [gates.tasks.T], [gates.regression])" : ")"));
    }
    return g;
}

std::string check_task_name(const fs::path& file, const toml::node& where, const std::string& name) {
    std::string known;
    for (const auto& t : tasks::all_tasks()) {
        if (t.name == name) return name;
        known += (known.empty() ? "" : ", ") + t.name;
    }
    bad(file, where, "[tasks." + name + "]: no such task (known: " + known + ")");
}

} // namespace

Suite load_suite(const fs::path& file) {
    QEVAL_CHECK(fs::exists(file), ErrorCode::not_found, file.string() + ": no such suite file");
    auto tables = std::make_shared<Suite::Tables>();
    try {
        tables->root = toml::parse_file(file.string());
    } catch (const toml::parse_error& e) {
        throw Error(ErrorCode::input, file.string() + ":" + std::to_string(e.source().begin.line) + ":" +
                                          std::to_string(e.source().begin.column) + ": " +
                                          std::string(e.description()));
    }
    const toml::table& root = tables->root;
    Suite s;
    s.file = file;
    tables->dir = file.parent_path().empty() ? fs::path(".") : file.parent_path();
    s.name = file.stem().string();
    Reader top{file, "the suite's top level"};
    for (auto&& [name, node] : root) {
        const std::string key(name.str());
        static constexpr Key kPath{"", 0, "a path (a string)"};
        if (key == "name")
            s.name = top.text(node, {"name", 0, "a string"});
        else if (key == "db")
            s.db = tables->dir / top.text(node, kPath);
        else if (key == "report")
            s.report = top.text(node, kPath);
        else if (key == "junit")
            s.junit = top.text(node, kPath);
        else if (key == "data_dir")
            s.data_dir = tables->dir / top.text(node, kPath);
        else if (key == "resamples")
            s.resamples = static_cast<int>(top.integer(node, {"resamples", 0, ">= 100"}, 100));
        else if (key == "defaults")
            tables->defaults = &table_at(file, root, key);
        else if (key == "variants" || key == "tasks") {
            for (auto&& [label, sub] : table_at(file, root, key)) {
                if (!sub.is_table()) bad(file, sub, "[" + key + "." + std::string(label.str()) + "]: expected a table");
                (key == "variants" ? tables->variants : tables->tasks)[std::string(label.str())] = sub.as_table();
                if (key == "variants") {
                    SuiteVariant v;
                    v.label = label.str();
                    v.line = static_cast<int>(sub.source().begin.line);
                    const toml::table& t = *sub.as_table();
                    v.baseline = t["baseline"].value<bool>().value_or(false);
                    v.each_night =
                        t["rerun"].value<std::string>().value_or(v.baseline ? "once" : "each-night") == "each-night";
                    s.variants.push_back(v);
                } else {
                    s.tasks.push_back({check_task_name(file, sub, std::string(label.str())),
                                       static_cast<int>(sub.source().begin.line)});
                }
            }
        } else if (key == "gates") {
            const toml::table& g = table_at(file, root, key);
            s.gate = read_gate(file, g, "[gates]", s.gate, true);
            if (auto* per = g.get("tasks")) {
                if (!per->is_table()) bad(file, *per, "[gates.tasks]: expected tables [gates.tasks.T]");
                for (auto&& [task, t] : *per->as_table()) {
                    const std::string where = "[gates.tasks." + std::string(task.str()) + "]";
                    if (!t.is_table()) bad(file, t, where + ": expected a table");
                    s.task_gates[check_task_name(file, t, std::string(task.str()))] =
                        read_gate(file, *t.as_table(), where, s.gate, false);
                }
            }
            if (auto* reg = g.get("regression")) {
                if (!reg->is_table()) bad(file, *reg, "[gates.regression]: expected a table");
                for (auto&& [k, v] : *reg->as_table()) {
                    if (k.str() != "max_drop_points")
                        throw Error(ErrorCode::input, at(file, k.source()) + ": unknown key \"" + std::string(k.str()) +
                                                          "\" in [gates.regression] (expected max_drop_points)");
                    s.regression_max_drop_points =
                        Reader{file, "[gates.regression]"}.number(v, {"max_drop_points", 0, "points, >= 0"}, 0, 100);
                }
            }
        } else {
            throw Error(ErrorCode::input, at(file, name.source()) + ": unknown key \"" + key +
                                              "\" (expected name, db, report, junit, data_dir, resamples, "
                                              "[defaults], [variants.V], [tasks.T], [gates])");
        }
    }
    QEVAL_CHECK(!s.variants.empty(), ErrorCode::input, file.string() + ": no [variants.V] tables");
    QEVAL_CHECK(!s.tasks.empty(), ErrorCode::input, file.string() + ": no [tasks.T] tables");
    auto n_baselines = std::count_if(s.variants.begin(), s.variants.end(), [](const auto& v) { return v.baseline; });
    QEVAL_CHECK(n_baselines == 1, ErrorCode::input,
                file.string() + ": expected exactly one variant with baseline = true, found " +
                    std::to_string(n_baselines));
    QEVAL_CHECK(s.variants.size() >= 2, ErrorCode::input,
                file.string() + ": expected at least one candidate variant beside the baseline");
    // File order (toml++ tables are sorted by key), the baseline first.
    std::sort(s.variants.begin(), s.variants.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    std::sort(s.tasks.begin(), s.tasks.end(), [](const auto& a, const auto& b) { return a.line < b.line; });
    std::stable_partition(s.variants.begin(), s.variants.end(), [](const auto& v) { return v.baseline; });
    for (const auto& [task, g] : s.task_gates)
        QEVAL_CHECK(std::any_of(s.tasks.begin(), s.tasks.end(), [&](const auto& t) { return t.name == task; }),
                    ErrorCode::input,
                    file.string() + ": [gates.tasks." + task + "] names a task the suite does not run");
    s.tables = tables;

    // Check every (variant, task) combination's keys now, so a typo fails before any request is sent.
    const auto runners = runners::runner_names();
    for (const auto& v : s.variants) {
        for (const auto& t : s.tasks) {
            RunOptions o = s.run_options(v, t, "");
            const tasks::TaskSpec& spec = tasks::find_task(t.name);
            if (!o.prompt.empty()) {
                try {
                    tasks::check_prompt(spec, o.prompt);
                } catch (const Error& e) {
                    throw Error(ErrorCode::input, file.string() + ":" + std::to_string(t.line) + ": [tasks." + t.name +
                                                      "] prompt: no such prompt variant: " + e.what());
                }
            }
            if (std::find(runners.begin(), runners.end(), o.runner) == runners.end())
                throw Error(ErrorCode::input,
                            file.string() + ":" + std::to_string(v.line) + ": [variants." + v.label + "] runner \"" +
                                o.runner +
                                "\" is not available in this build (available: " + core::join(runners, ", ") + ")");
        }
    }
    return s;
}

RunOptions Suite::run_options(const SuiteVariant& variant, const SuiteTask& task, const std::string& night) const {
    RunOptions o;
    o.variant = variant.label;
    o.tasks = {task.name};
    o.runner = "";
    if (tables->defaults) apply(*tables->defaults, kDefaults, {file, "[defaults]"}, tables->dir, o);
    apply(*tables->tasks.at(task.name), kTask, {file, "[tasks." + task.name + "]"}, tables->dir, o);
    apply(*tables->variants.at(variant.label), kVariant, {file, "[variants." + variant.label + "]"}, tables->dir, o);
    if (o.runner.empty())
        throw Error(ErrorCode::input, file.string() + ":" + std::to_string(variant.line) + ": [variants." +
                                          variant.label + "] has no runner (expected runner = \"openai\", ...)");
    if (variant.each_night) o.night = night;
    return o;
}

fs::path suite_path(const Suite& suite, const std::string& pattern, const std::string& night) {
    std::string out = pattern;
    for (const auto& [from, to] : {std::pair<std::string, std::string>{"{date}", night}, {"{name}", suite.name}})
        for (auto at = out.find(from); at != std::string::npos; at = out.find(from, at + to.size()))
            out.replace(at, from.size(), to);
    fs::path p(out);
    return p.is_absolute() ? p : (suite.tables->dir / p).lexically_normal();
}

} // namespace qeval::harness
