// rescore_runs (see rescore.hpp). Two phases: first every selected run is planned (task found, data set loaded
// with the run's seed and task parameters, data hashes compared with the run's provenance), so a refusal happens
// before anything is written; then each run's samples stream from one connection while the new grades are written
// in batches through a second one (WAL: the reader keeps its snapshot, the writer commits beside it).
#include "harness/app/rescore.hpp"

#include <iomanip>
#include <memory>
#include <sstream>

#include "core/error.hpp"
#include "tasks/task_list.hpp"

namespace qeval::harness {
namespace {

namespace fs = std::filesystem;
using core::Json;

constexpr std::size_t kBatch = 64;
constexpr const char* kVerdicts[] = {"correct", "incorrect", "no_answer", "error"};

struct Plan {
    RunRecord run;
    const tasks::TaskSpec* task = nullptr;
    std::shared_ptr<const tasks::Dataset> data;
    std::vector<std::string> data_changes;
};

std::string run_name(const fs::path& db, const RunRecord& run) {
    return db.string() + ": run " + std::to_string(run.id) + " (" + run.variant + "/" + run.task + ")";
}

// The data set as the run saw it: its seed (GPQA's option order) and task parameters (LiveCodeBench's release and
// dates), from the settings `qeval run` stored.
tasks::LoadOptions load_options(const fs::path& db, const RunRecord& run, const fs::path& data_dir) {
    tasks::LoadOptions o;
    o.data_dir = data_dir;
    const Json& s = run.settings;
    if (auto seed = s.find("seed"); seed != s.end()) {
        QEVAL_CHECK(seed->is_number_unsigned(), ErrorCode::storage,
                    run_name(db, run) + ": settings.seed must be a non-negative integer, found " + seed->dump());
        o.seed = seed->get<std::uint64_t>();
    }
    if (auto params = s.find("params"); params != s.end() && !params->is_null()) {
        QEVAL_CHECK(params->is_object(), ErrorCode::storage,
                    run_name(db, run) + ": settings.params must be an object of strings, found " + params->dump());
        for (const auto& [key, value] : params->items()) {
            QEVAL_CHECK(value.is_string(), ErrorCode::storage,
                        run_name(db, run) + ": settings.params." + key + " must be a string, found " + value.dump());
            o.params[key] = value.get<std::string>();
        }
    }
    return o;
}

// Files whose content differs from what the run recorded (provenance.data = [{"path", "sha256"}]).
std::vector<std::string> data_changes(const RunRecord& run, const tasks::Dataset& ds, const fs::path& data_dir) {
    auto data = run.provenance.find("data");
    if (data == run.provenance.end() || !data->is_array())
        return {"the run records no data hashes (provenance.data), so the data cannot be checked"};
    std::map<std::string, std::string> stored, now;
    for (const Json& f : *data)
        if (f.is_object() && f.contains("path") && f["path"].is_string())
            stored[f["path"].get<std::string>()] = f.value("sha256", std::string());
    for (const auto& f : ds.files)
        now[f.path] = f.sha256;
    std::vector<std::string> out;
    for (const auto& [path, sha] : stored) {
        auto it = now.find(path);
        std::string file = (data_dir / path).string();
        if (it == now.end())
            out.push_back(file + ": read by the run, not read now");
        else if (it->second != sha)
            out.push_back(file + ": sha256 " + sha.substr(0, 16) + "... when the run was made, " +
                          it->second.substr(0, 16) + "... now");
    }
    for (const auto& [path, sha] : now)
        if (!stored.count(path)) out.push_back((data_dir / path).string() + ": read now, not read by the run");
    return out;
}

std::vector<Plan> plan_runs(RunStore& store, const RescoreOptions& o) {
    std::vector<RunRecord> runs = store.find_runs(o.filter);
    QEVAL_CHECK(!runs.empty(), ErrorCode::not_found,
                o.db.string() + ": no runs of variant \"" + o.filter.variant + "\"" +
                    (o.filter.task.empty() ? "" : " and task \"" + o.filter.task + "\"") + " (see `qeval runs`)");
    std::map<std::string, std::shared_ptr<const tasks::Dataset>> loaded; // shards of one task share one load
    std::vector<Plan> plans;
    std::string refused;
    for (RunRecord& run : runs) {
        Plan p;
        p.task = &tasks::find_task(run.task);
        tasks::LoadOptions lo = load_options(o.db, run, o.data_dir);
        std::string key = run.task + "#" + std::to_string(lo.seed) + "#" + Json(lo.params).dump();
        auto& data = loaded[key];
        if (!data) data = std::make_shared<const tasks::Dataset>(p.task->load(lo));
        p.data = data;
        p.data_changes = data_changes(run, *data, o.data_dir);
        if (!p.data_changes.empty() && !o.allow_data_change) {
            refused += "\n" + run_name(o.db, run) + ": the data changed since the run was made:";
            for (const auto& c : p.data_changes)
                refused += "\n  " + c;
        }
        p.run = std::move(run);
        plans.push_back(std::move(p));
    }
    QEVAL_CHECK(refused.empty(), ErrorCode::input,
                "refusing to re-grade: the stored responses were graded against other data" + refused +
                    "\nrestore the data the runs used, or pass --allow-data-change to grade against today's data");
    return plans;
}

// avg@k as `qeval runs` computes it: per problem, the fraction of its non-error samples that are correct.
struct Tally {
    std::map<std::string, std::pair<int, int>> by_problem; // (non-error samples, correct)
    void add(const std::string& problem, core::Verdict v) {
        if (v == core::Verdict::error) return;
        auto& [n, correct] = by_problem[problem];
        ++n;
        correct += v == core::Verdict::correct;
    }
    std::optional<double> accuracy() const {
        if (by_problem.empty()) return std::nullopt;
        double sum = 0;
        for (const auto& [id, nc] : by_problem)
            sum += static_cast<double>(nc.second) / nc.first;
        return sum / static_cast<double>(by_problem.size());
    }
};

RescoreResult regrade(const Plan& p, RunStore& reader, RunStore& writer) {
    RescoreResult r;
    r.run_id = p.run.id;
    r.variant = p.run.variant;
    r.task = p.run.task;
    r.task_version_stored = p.run.task_version;
    r.task_version_now = p.task->version;
    r.data_changes = p.data_changes;
    Tally before, after;
    std::vector<GradeUpdate> batch;
    auto flush = [&] {
        if (!batch.empty()) writer.update_grades(p.run.id, batch);
        batch.clear();
    };
    reader.for_each_sample({p.run.id, "", ""}, [&](const SampleRecord& rec) {
        const StoredSample& s = rec.sample;
        const core::Verdict old = s.score.verdict;
        core::Verdict now = old;
        ++r.samples;
        if (!s.output.error.empty()) {
            ++r.request_errors; // nothing to grade: `qeval run` asks again when resumed
        } else if (const core::Sample* problem = p.data->find(s.problem_id)) {
            core::Score score = tasks::score_response(*p.task, s.output.text, *problem);
            now = score.verdict;
            ++r.regraded;
            if (now != old) {
                ++r.changed;
                ++r.transitions[std::string(core::to_string(old)) + " -> " + std::string(core::to_string(now))];
            }
            batch.push_back({s.problem_id, s.sample_index, std::move(score)});
            if (batch.size() >= kBatch) flush();
        } else {
            ++r.missing_problems; // only with --allow-data-change: the grade stays as it was
        }
        ++r.before[std::string(core::to_string(old))];
        ++r.after[std::string(core::to_string(now))];
        before.add(s.problem_id, old);
        after.add(s.problem_id, now);
    });
    flush();
    r.accuracy_before = before.accuracy();
    r.accuracy_after = after.accuracy();
    return r;
}

Json counts_json(const std::map<std::string, std::size_t>& counts) {
    Json j = Json::object();
    for (const char* v : kVerdicts)
        j[v] = counts.count(v) ? counts.at(v) : 0;
    return j;
}

Json percent_or_null(const std::optional<double>& a) {
    return a ? Json(*a * 100.0) : Json(nullptr);
}

std::string percent_text(const std::optional<double>& a) {
    if (!a) return "-";
    std::ostringstream os;
    os << std::fixed << std::setprecision(2) << *a * 100.0 << "%";
    return os.str();
}

std::string counts_text(const std::map<std::string, std::size_t>& counts) {
    std::string out;
    for (const char* v : kVerdicts)
        out += (out.empty() ? "" : ", ") + std::string(v) + " " +
               std::to_string(counts.count(v) ? counts.at(v) : std::size_t{0});
    return out;
}

} // namespace

Json RescoreResult::to_json() const {
    return Json{{"run", run_id},
                {"variant", variant},
                {"task", task},
                {"task_version", {{"stored", task_version_stored}, {"now", task_version_now}}},
                {"samples", samples},
                {"regraded", regraded},
                {"request_errors", request_errors},
                {"missing_problems", missing_problems},
                {"changed", changed},
                {"transitions", transitions},
                {"before", {{"counts", counts_json(before)}, {"accuracy", percent_or_null(accuracy_before)}}},
                {"after", {{"counts", counts_json(after)}, {"accuracy", percent_or_null(accuracy_after)}}},
                {"data_changes", data_changes}};
}

std::string RescoreResult::to_text() const {
    std::ostringstream os;
    os << "run " << run_id << " " << variant << "/" << task << ": " << regraded << " of " << samples
       << " samples re-graded";
    if (request_errors) os << " (" << request_errors << " failed requests left for `qeval run` to ask again)";
    os << ", " << changed << " verdicts changed";
    if (!transitions.empty()) {
        std::string list;
        for (const auto& [what, n] : transitions)
            list += (list.empty() ? "" : ", ") + what + " " + std::to_string(n);
        os << " (" << list << ")";
    }
    os << "; accuracy " << percent_text(accuracy_before) << " -> " << percent_text(accuracy_after) << "\n";
    os << "  before: " << counts_text(before) << "\n  after:  " << counts_text(after) << "\n";
    if (task_version_stored != task_version_now)
        os << "  grader: task version " << task_version_stored << " when the run was made, " << task_version_now
           << " now\n";
    for (const auto& c : data_changes)
        os << "  data changed (--allow-data-change): " << c << "\n";
    if (missing_problems)
        os << "  " << missing_problems << " samples of problems no longer in the data kept their stored grades\n";
    return os.str();
}

std::vector<RescoreResult> rescore_runs(const RescoreOptions& o) {
    QEVAL_CHECK(o.filter.run_id || !o.filter.variant.empty(), ErrorCode::usage,
                "qeval score: give --run ID or --variant LABEL (or --task T --in R.jsonl)");
    QEVAL_CHECK(fs::is_regular_file(o.db), ErrorCode::not_found,
                o.db.string() + ": no such database (pass --db or set QEVAL_DB)");
    auto reader = RunStore::open(o.db);
    auto writer = RunStore::open(o.db);
    std::vector<Plan> plans = plan_runs(*reader, o);
    std::vector<RescoreResult> out;
    for (const Plan& p : plans)
        out.push_back(regrade(p, *reader, *writer));
    return out;
}

} // namespace qeval::harness
