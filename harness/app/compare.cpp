// See compare.hpp.
#include "harness/app/compare.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <set>

#include "core/error.hpp"
#include "core/time.hpp"
#include "harness/storage/comparisons.hpp"
#include "harness/storage/run_store.hpp"
#include "qeval/version.hpp"
#include "reports/format.hpp"
#include "tasks/task_list.hpp"

namespace qeval::harness {
namespace {

namespace st = core::stats;

// One variant's samples of one task, and the runs they came from.
struct Side {
    std::vector<st::SampleRow> rows;
    std::vector<RunRecord> runs;
    int shadowed = 0; // (problem, sample) pairs also held by a newer run
};

Side load_side(RunStore& store, const std::string& variant, const std::string& task, const CompareOptions& o,
               bool baseline_side) {
    Side side;
    side.runs = store.find_runs({std::nullopt, variant, task});
    if (o.select_runs) std::erase_if(side.runs, [&](const RunRecord& r) { return !o.select_runs(baseline_side, r); });
    std::set<std::pair<std::string, int>> seen;
    if (side.runs.size() == 1) { // the common case: nothing can be shadowed
        side.rows = store.score_rows(side.runs.front().id);
        return side;
    }
    for (auto it = side.runs.rbegin(); it != side.runs.rend(); ++it) // newest first
        for (auto& row : store.score_rows(it->id)) {
            if (!seen.emplace(row.problem_id, row.sample_index).second) {
                ++side.shadowed;
                continue;
            }
            side.rows.push_back(std::move(row));
        }
    return side;
}

void check_comparable(const std::string& task, const std::string& base_label, const Side& base,
                      const std::string& cand_label, const Side& cand, std::vector<std::string>& warnings) {
    std::set<std::string> base_kinds, cand_kinds;
    for (const auto& r : base.runs)
        base_kinds.insert(comparable_settings(r).dump());
    for (const auto& r : cand.runs)
        cand_kinds.insert(comparable_settings(r).dump());
    if (base_kinds.size() > 1)
        warnings.push_back(task + ": " + base_label + " has runs with different settings; combined, newest first");
    if (cand_kinds.size() > 1)
        warnings.push_back(task + ": " + cand_label + " has runs with different settings; combined, newest first");
    if (base_kinds != cand_kinds) {
        core::Json b = comparable_settings(base.runs.back()), c = comparable_settings(cand.runs.back());
        std::string what;
        for (const auto& key : {"settings", "task_version", "data"})
            if (b[key] != c[key]) what += std::string(what.empty() ? "" : ", ") + key;
        if (b["settings"] != c["settings"])
            for (const auto& [k, v] : b["settings"].items())
                if (c["settings"].value(k, core::Json()) != v)
                    what += " (" + k + ": " + v.dump() + " vs " + c["settings"].value(k, core::Json()).dump() + ")";
        warnings.push_back(task + ": " + cand_label + " was not run like " + base_label + ": " +
                           (what.empty() ? "settings differ" : what + " differ"));
    }
    if (base.shadowed + cand.shadowed > 0)
        warnings.push_back(task + ": " + std::to_string(base.shadowed + cand.shadowed) +
                           " samples held by more than one run; the newest run's were used");
}

// Accuracy by each axis the baseline's data set stored (problem_groups, written by `qeval run`); axes with fewer
// than two values among the paired problems are left out.
std::vector<reports::Breakdown> breakdown(RunStore& store, const std::string& task, const Side& base,
                                          const std::vector<st::ProblemScore>& bp,
                                          const std::vector<st::ProblemScore>& cp) {
    std::vector<reports::Breakdown> out;
    const RunRecord& newest = base.runs.back();
    const auto groups = store.groups(task, RunStore::data_key(newest.provenance.value("data", core::Json())));
    for (const auto& [axis, values] : groups) {
        std::vector<st::ProblemScore> labelled = bp;
        for (auto& p : labelled) {
            auto it = values.find(p.id);
            p.category = it == values.end() ? "(unknown)" : it->second;
        }
        auto rows = st::compare_by_category({task, labelled, cp});
        if (rows.size() >= 2) out.push_back({axis, std::move(rows)});
    }
    return out;
}

// One stored row per (candidate, task) and per average, with the JSON row and how it was computed.
void save(RunStore& store, const reports::CompareReport& report, const CompareOptions& o) {
    const core::Json json = reports::to_json(report);
    const std::string now = core::utc_now_iso();
    const core::Json how = {{"gate", json["gate"]},           {"task_gates", json["task_gates"]},
                            {"resamples", o.stats.resamples}, {"seed", o.stats.seed},
                            {"qeval_version", kVersion},      {"qeval_commit", kGitCommit}};
    std::vector<ComparisonRecord> records;
    for (std::size_t c = 0; c < report.candidates.size(); ++c) {
        const auto& cand = report.candidates[c];
        for (std::size_t t = 0; t < cand.tasks.size(); ++t) {
            const auto& m = cand.tasks[t].comparison;
            ComparisonRecord r{0,
                               now,
                               report.baseline,
                               cand.label,
                               cand.tasks[t].task,
                               cand.tasks[t].baseline_runs,
                               cand.tasks[t].candidate_runs,
                               m.n_problems,
                               std::max(m.baseline_samples, m.candidate_samples),
                               m.baseline.value,
                               m.candidate.value,
                               m.retention,
                               m.retention_ci95.lo,
                               m.retention_ci95.hi,
                               m.delta,
                               m.delta_ci95.lo,
                               m.delta_ci95.hi,
                               static_cast<int>(m.flips.gained.size()),
                               static_cast<int>(m.flips.lost.size()),
                               std::string(st::to_string(cand.tasks[t].verdict)),
                               how,
                               o.night};
            r.details["row"] = json["candidates"][c]["tasks"][t];
            records.push_back(std::move(r));
        }
        const auto& a = cand.average;
        ComparisonRecord avg{0,
                             now,
                             report.baseline,
                             cand.label,
                             "average",
                             {},
                             {},
                             a.baseline.n_problems,
                             0,
                             a.baseline.value,
                             a.candidate.value,
                             a.retention,
                             a.retention_ci95.lo,
                             a.retention_ci95.hi,
                             a.delta,
                             a.delta_ci95.lo,
                             a.delta_ci95.hi,
                             0,
                             0,
                             std::string(st::to_string(cand.average_verdict)),
                             how,
                             o.night};
        avg.details["row"] = json["candidates"][c]["average"];
        records.push_back(std::move(avg));
    }
    save_comparisons(store.database(), records);
}

// A stored sample of `problem` from the newest of `runs` that has it: the first whose correctness matches what the
// majority of that side did (`solved`), so the example agrees with the flip it illustrates; else the first.
std::optional<StoredSample> example_sample(RunStore& store, const std::vector<std::int64_t>& runs,
                                           const std::string& problem, bool solved) {
    for (auto it = runs.rbegin(); it != runs.rend(); ++it) {
        auto samples = store.problem_samples(*it, problem);
        if (samples.empty()) continue;
        for (const auto& s : samples)
            if ((s.score.verdict == core::Verdict::correct) == solved) return s;
        return samples.front();
    }
    return std::nullopt;
}

constexpr std::size_t kFlippedPerTask = 50;

void add_details(RunStore& store, reports::CompareReport& report) {
    for (auto& cand : report.candidates) {
        for (const auto& t : cand.tasks) {
            const auto& lost = t.comparison.flips.lost;
            const auto& gained = t.comparison.flips.gained;
            // Both kinds shown: half the rows each, the unused half of one going to the other.
            std::size_t room_for_lost =
                gained.size() >= kFlippedPerTask / 2 ? kFlippedPerTask / 2 : kFlippedPerTask - gained.size();
            std::size_t n_lost = std::min(lost.size(), room_for_lost);
            std::size_t n_gained = std::min(gained.size(), kFlippedPerTask - n_lost);
            for (bool is_gained : {false, true}) {
                const auto& ids = is_gained ? gained : lost;
                for (std::size_t i = 0; i < (is_gained ? n_gained : n_lost); ++i) {
                    reports::FlippedProblem f;
                    f.task = t.task;
                    f.problem_id = ids[i];
                    f.gained = is_gained;
                    if (auto b = example_sample(store, t.baseline_runs, ids[i], !is_gained)) {
                        f.baseline_response = b->output.text;
                        f.baseline_extracted = b->score.extracted;
                        f.baseline_verdict = std::string(core::to_string(b->score.verdict));
                    }
                    if (auto c = example_sample(store, t.candidate_runs, ids[i], is_gained)) {
                        f.candidate_response = c->output.text;
                        f.candidate_extracted = c->score.extracted;
                        f.candidate_verdict = std::string(core::to_string(c->score.verdict));
                    }
                    cand.flipped.push_back(std::move(f));
                }
            }
            for (const auto& r : comparison_history(store.database(), cand.label, t.task))
                if (r.baseline == report.baseline)
                    cand.trend[t.task].push_back({r.night.empty() ? r.created_at : r.night,
                                                  r.retention,
                                                  {r.retention_lo, r.retention_hi},
                                                  r.verdict});
        }
    }
}

} // namespace

core::Json comparable_settings(const RunRecord& run) {
    core::Json s = run.settings;
    s.erase("shard");
    s.erase("limit");
    s.erase("night");
    return {{"settings", s}, {"task_version", run.task_version}, {"data", run.provenance.value("data", core::Json())}};
}

reports::CompareReport compare_variants(const CompareOptions& o) {
    QEVAL_CHECK(!o.baseline.empty(), ErrorCode::usage, "qeval compare: --baseline LABEL is required");
    QEVAL_CHECK(!o.candidates.empty(), ErrorCode::usage, "qeval compare: at least one --candidate LABEL is required");
    QEVAL_CHECK(std::filesystem::exists(o.db), ErrorCode::not_found, o.db.string() + ": no such database");
    auto store = RunStore::open(o.db);
    reports::CompareReport report;
    report.baseline = o.baseline_title.empty() ? o.baseline : o.baseline_title;
    report.gate = o.gate;
    report.task_gates = o.task_gates;
    report.resamples = o.stats.resamples;

    std::vector<std::string> tasks;
    for (const auto& t : tasks::resolve_tasks(o.tasks))
        tasks.push_back(t->name);
    if (tasks.empty()) {
        std::set<std::string> seen;
        for (const auto& r : store->find_runs({std::nullopt, o.baseline, ""}))
            if (seen.insert(r.task).second) tasks.push_back(r.task);
    }
    QEVAL_CHECK(!tasks.empty(), ErrorCode::not_found,
                o.db.string() + ": no runs of baseline \"" + o.baseline + "\" (see qeval runs)");

    std::map<std::string, Side> baseline;
    for (const auto& task : tasks) {
        Side side = load_side(*store, o.baseline, task, o, true);
        if (side.runs.empty())
            report.warnings.push_back(task + ": no runs of baseline " + o.baseline + "; left out");
        else
            baseline.emplace(task, std::move(side));
    }
    for (const auto& label : o.candidates) {
        reports::CandidateReport cand;
        cand.label = label;
        std::vector<std::vector<st::ProblemScore>> keep; // the spans in `paired` point into these
        std::vector<st::PairedTask> paired;
        std::vector<std::pair<st::RunSummary, st::RunSummary>> summaries;
        std::vector<std::pair<std::vector<std::int64_t>, std::vector<std::int64_t>>> run_ids;
        std::vector<std::vector<reports::Breakdown>> breakdowns;
        keep.reserve(2 * baseline.size());
        for (const auto& task : tasks) {
            auto b = baseline.find(task);
            if (b == baseline.end()) continue;
            Side side = load_side(*store, label, task, o, false);
            if (side.runs.empty()) {
                report.warnings.push_back(task + ": no runs of candidate " + label + "; left out");
                continue;
            }
            check_comparable(task, report.baseline, b->second, label, side, report.warnings);
            keep.push_back(st::score_problems(b->second.rows));
            keep.push_back(st::score_problems(side.rows));
            const auto& bp = keep[keep.size() - 2];
            const auto& cp = keep.back();
            paired.push_back({task, bp, cp});
            breakdowns.push_back(breakdown(*store, task, b->second, bp, cp));
            summaries.emplace_back(st::summarize(bp), st::summarize(cp));
            run_ids.emplace_back();
            for (const auto& r : b->second.runs)
                run_ids.back().first.push_back(r.id);
            for (const auto& r : side.runs)
                run_ids.back().second.push_back(r.id);
        }
        st::SuiteComparison suite = st::compare_suite(paired, o.stats);
        for (std::size_t i = 0; i < suite.tasks.size(); ++i) {
            reports::TaskReport t;
            t.task = paired[i].task;
            t.baseline_runs = run_ids[i].first;
            t.candidate_runs = run_ids[i].second;
            t.baseline = summaries[i].first;
            t.candidate = summaries[i].second;
            t.comparison = std::move(suite.tasks[i]);
            t.verdict = st::gate(t.comparison, reports::gate_for(report, t.task));
            t.breakdowns = std::move(breakdowns[i]);
            cand.tasks.push_back(std::move(t));
        }
        cand.average = suite.average;
        cand.average_verdict = st::gate(cand.average, o.gate);
        report.candidates.push_back(std::move(cand));
    }
    if (o.store) save(*store, report, o);
    if (o.details) add_details(*store, report);
    return report;
}

std::string comparison_history_text(const std::filesystem::path& db, const std::string& candidate,
                                    const std::string& task, bool json) {
    QEVAL_CHECK(std::filesystem::exists(db), ErrorCode::not_found, db.string() + ": no such database");
    auto store = RunStore::open(db);
    auto rows = comparison_history(store->database(), candidate, task);
    QEVAL_CHECK(!rows.empty(), ErrorCode::not_found,
                db.string() + ": no stored comparisons of candidate \"" + candidate + "\"" +
                    (task.empty() ? "" : " on " + task) + " (qeval compare stores each one it computes)");
    if (json) {
        core::Json out = core::Json::array();
        for (const auto& r : rows)
            out.push_back(r.details.value("row", core::Json::object()));
        for (std::size_t i = 0; i < rows.size(); ++i) {
            out[i]["created_at"] = rows[i].created_at;
            out[i]["baseline"] = rows[i].baseline;
            out[i]["candidate"] = rows[i].candidate;
            out[i]["task"] = rows[i].task;
            out[i]["night"] = rows[i].night.empty() ? core::Json() : core::Json(rows[i].night);
        }
        return out.dump(2, ' ', false, core::Json::error_handler_t::replace) + "\n";
    }
    auto num = [](double x) { return reports::fmt(x); };
    std::string out = "| When (UTC) | Night | Baseline | Task | n x k | Retention (%) | Delta (points) | Gate |\n"
                      "|---|---|---|---|---|---|---|---|\n";
    for (const auto& r : rows)
        out += "| " + r.created_at + " | " + (r.night.empty() ? "-" : r.night) + " | " + r.baseline + " | " + r.task +
               " | " + std::to_string(r.n_problems) + "x" + std::to_string(r.samples_per_problem) + " | " +
               num(r.retention) + " [" + num(r.retention_lo) + ", " + num(r.retention_hi) + "] | " + num(r.delta) +
               " [" + num(r.delta_lo) + ", " + num(r.delta_hi) + "] | " + r.verdict + " |\n";
    return out;
}

} // namespace qeval::harness
