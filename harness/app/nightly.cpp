// See nightly.hpp.
#include "harness/app/nightly.hpp"

#include <cctype>
#include <iostream>
#include <map>
#include <set>

#include "core/data/file.hpp"
#include "core/error.hpp"
#include "core/time.hpp"
#include "harness/app/compare.hpp"
#include "harness/app/run.hpp"
#include "harness/app/settings.hpp"
#include "harness/app/suite.hpp"
#include "harness/storage/run_store.hpp"
#include "reports/format.hpp"
#include "tasks/task_list.hpp"

namespace qeval::harness {
namespace {

namespace fs = std::filesystem;
namespace st = core::stats;
using RunKey = std::pair<std::string, std::string>; // (variant, task)

void check_night(const std::string& night) {
    bool ok = night.size() == 10 && night[4] == '-' && night[7] == '-';
    for (std::size_t i = 0; ok && i < night.size(); ++i)
        if (i != 4 && i != 7) ok = std::isdigit(static_cast<unsigned char>(night[i])) != 0;
    QEVAL_CHECK(ok, ErrorCode::usage, "--night \"" + night + "\": expected a date, YYYY-MM-DD");
}

// Runs (or resumes) every variant on every task; a failure is recorded on its row and the others go on.
std::map<RunKey, std::int64_t> run_all(const Suite& suite, const std::string& night, const fs::path& db,
                                       const fs::path& data_dir, bool progress, reports::NightlyReport& rep) {
    std::map<RunKey, std::int64_t> made;
    for (const auto& v : suite.variants) {
        std::string unreachable; // a network failure: the variant's other tasks are not tried again
        for (const auto& t : suite.tasks) {
            RunOptions o = suite.run_options(v, t, night);
            if (o.unsafe_no_sandbox && tasks::find_task(t.name).runs_code)
                std::cerr << "warning: " << v.label << "/" << t.name
                          << ": unsafe_no_sandbox: generated code runs without isolation on this machine\n";
            o.db = db;
            o.data_dir = data_dir;
            o.progress = progress;
            reports::NightlyRun row;
            row.variant = v.label;
            row.task = t.name;
            row.night = o.night;
            if (!unreachable.empty()) {
                row.failure = "not tried: " + unreachable;
                row.failure_exit_code = exit_code_for(ErrorCode::network);
            } else
                try {
                    const RunResult r = run_tasks(o).front();
                    row.run_id = r.run_id;
                    row.resumed = r.resumed;
                    row.stored = r.stored;
                    row.already_done = r.already_done;
                    row.errors = r.errors;
                    row.truncated = r.truncated;
                    row.accuracy = r.accuracy;
                    made[{v.label, t.name}] = r.run_id;
                } catch (const Error& e) {
                    row.failure = e.what();
                    row.failure_exit_code = exit_code_for(e.code());
                    if (e.code() == ErrorCode::network) unreachable = e.what();
                } catch (const std::exception& e) {
                    row.failure = e.what();
                    row.failure_exit_code = exit_code_for(ErrorCode::runtime);
                }
            std::cerr << "nightly: " << v.label << "/" << t.name << " (" << (o.night.empty() ? "once" : o.night)
                      << "): ";
            if (!row.failure.empty())
                std::cerr << "FAILED: " << row.failure << "\n";
            else
                std::cerr << "run " << row.run_id << ", " << row.stored << " new responses, " << row.already_done
                          << " already stored" << (row.errors ? ", " + std::to_string(row.errors) + " errors" : "")
                          << "\n";
            if (row.errors > 0)
                rep.warnings.push_back(v.label + "/" + t.name + ": " + std::to_string(row.errors) +
                                       " requests failed after every retry (left out of the comparison; the next "
                                       "`qeval nightly` the same night asks again)");
            rep.runs.push_back(std::move(row));
        }
    }
    return made;
}

// The newest earlier night's runs of (variant, task) made with the same settings as tonight's run.
std::pair<std::string, std::vector<std::int64_t>> previous_night(RunStore& store, const std::string& variant,
                                                                 const std::string& task, std::int64_t tonight,
                                                                 const std::string& night) {
    auto runs = store.find_runs({std::nullopt, variant, task});
    core::Json key;
    for (const auto& r : runs)
        if (r.id == tonight) key = comparable_settings(r);
    auto night_of = [](const RunRecord& r) {
        auto it = r.settings.find("night");
        return it != r.settings.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    std::string best;
    for (const auto& r : runs) {
        const std::string n = night_of(r);
        if (!n.empty() && n < night && n > best && comparable_settings(r) == key) best = n;
    }
    std::vector<std::int64_t> ids;
    for (const auto& r : runs)
        if (!best.empty() && night_of(r) == best && comparable_settings(r) == key) ids.push_back(r.id);
    return {best, ids};
}

const reports::TaskReport* find_task(const reports::CompareReport& r, const std::string& label,
                                     const std::string& task) {
    for (const auto& c : r.candidates)
        if (c.label == label)
            for (const auto& t : c.tasks)
                if (t.task == task) return &t;
    return nullptr;
}

std::string failure_of(const reports::NightlyReport& rep, const std::string& variant, const std::string& task) {
    for (const auto& r : rep.runs)
        if (r.variant == variant && r.task == task && !r.failure.empty()) return r.failure;
    return "";
}

void judge(const Suite& suite, const std::map<RunKey, std::string>& prev_nights, reports::NightlyReport& rep) {
    const std::string& base = suite.baseline().label;
    for (std::size_t i = 1; i < suite.variants.size(); ++i) {
        const std::string& label = suite.variants[i].label;
        for (const auto& t : suite.tasks) {
            reports::NightlyGate g;
            g.candidate = label;
            g.task = t.name;
            const st::GateOptions& gate = reports::gate_for(rep.retention, t.name);
            if (const auto* tr = find_task(rep.retention, label, t.name)) {
                const st::TaskComparison& m = tr->comparison;
                g.retention = tr->verdict;
                g.message = "retention (%) " + reports::with_interval(m.retention, m.retention_ci95) +
                            ", delta (points) " + reports::with_interval(m.delta, m.delta_ci95) + " over " +
                            std::to_string(m.n_problems) + " problems (gate: min retention " +
                            reports::fmt(gate.min_retention) + "%" +
                            (gate.max_drop_points ? ", max drop " + reports::fmt(*gate.max_drop_points) + " points " +
                                                        std::string(st::to_string(gate.mode))
                                                  : std::string()) +
                            ")";
            } else {
                g.error = true;
                std::string why = failure_of(rep, base, t.name);
                if (!why.empty())
                    why = "the baseline's run failed: " + why;
                else if (why = failure_of(rep, label, t.name); !why.empty())
                    why = "the candidate's run failed: " + why;
                else
                    why = "no comparison (see the warnings)";
                g.message = why;
            }
            if (auto it = prev_nights.find({label, t.name}); it != prev_nights.end()) {
                g.previous_night = it->second;
                for (const auto& reg : rep.regressions)
                    if (const auto* tr = find_task(reg, label, t.name)) {
                        if (suite.regression_max_drop_points) g.regression = tr->verdict;
                        g.message += "; night over night (points) " +
                                     reports::with_interval(tr->comparison.delta, tr->comparison.delta_ci95) + " vs " +
                                     it->second +
                                     (suite.regression_max_drop_points
                                          ? " (max drop " + reports::fmt(*suite.regression_max_drop_points) + ")"
                                          : std::string(" (not gated)"));
                    }
            }
            using V = st::GateVerdict;
            if (g.error)
                g.verdict = V::inconclusive;
            else if (g.retention == V::fail || g.regression == V::fail)
                g.verdict = V::fail;
            else if (g.retention == V::pass && (!g.regression || g.regression == V::pass))
                g.verdict = V::pass;
            else
                g.verdict = V::inconclusive;
            rep.gates.push_back(std::move(g));
        }
    }
}

} // namespace

NightlyResult run_nightly(const NightlyOptions& o) {
    const Suite suite = load_suite(o.suite);
    const std::string night = o.night.empty() ? core::utc_now_iso().substr(0, 10) : o.night;
    check_night(night);
    const fs::path db = !o.db.empty() ? fs::path(o.db) : suite.db ? *suite.db : resolve_db("");
    const fs::path data_dir = !o.data_dir.empty() ? fs::path(o.data_dir)
                              : suite.data_dir    ? *suite.data_dir
                                                  : resolve_data_dir("");
    if (db.has_parent_path()) std::filesystem::create_directories(db.parent_path());
    NightlyResult result;
    reports::NightlyReport& rep = result.report;
    rep.suite = suite.name;
    rep.night = night;
    rep.created_at = core::utc_now_iso();
    rep.regression_max_drop_points = suite.regression_max_drop_points;

    const auto made = run_all(suite, night, db, data_dir, o.progress, rep);

    // Tonight against the baseline: exactly the runs made or resumed above.
    std::set<std::int64_t> baseline_ids, candidate_ids;
    CompareOptions co;
    co.db = db;
    co.baseline = suite.baseline().label;
    co.gate = suite.gate;
    co.task_gates = suite.task_gates;
    co.stats.resamples = suite.resamples;
    co.details = true;
    co.night = night;
    for (const auto& [key, id] : made)
        (key.first == co.baseline ? baseline_ids : candidate_ids).insert(id);
    for (const auto& t : suite.tasks)
        if (made.count({co.baseline, t.name})) co.tasks.push_back(t.name);
    for (std::size_t i = 1; i < suite.variants.size(); ++i)
        for (const auto& t : suite.tasks)
            if (made.count({suite.variants[i].label, t.name})) {
                co.candidates.push_back(suite.variants[i].label);
                break;
            }
    co.select_runs = [&](bool baseline_side, const RunRecord& r) {
        return (baseline_side ? baseline_ids : candidate_ids).count(r.id) > 0;
    };
    rep.retention.baseline = co.baseline;
    rep.retention.gate = co.gate;
    rep.retention.task_gates = co.task_gates;
    if (!co.tasks.empty() && !co.candidates.empty()) rep.retention = compare_variants(co);

    // Each candidate run each night against its own previous night (same settings).
    std::map<RunKey, std::string> prev_nights;
    if (fs::exists(db)) {
        auto store = RunStore::open(db);
        for (std::size_t i = 1; i < suite.variants.size(); ++i) {
            const auto& v = suite.variants[i];
            if (!v.each_night) continue;
            std::set<std::int64_t> before, tonight;
            CompareOptions rc;
            for (const auto& t : suite.tasks) {
                auto it = made.find({v.label, t.name});
                if (it == made.end()) continue;
                auto [prev, ids] = previous_night(*store, v.label, t.name, it->second, night);
                if (prev.empty()) continue;
                prev_nights[{v.label, t.name}] = prev;
                before.insert(ids.begin(), ids.end());
                tonight.insert(it->second);
                rc.tasks.push_back(t.name);
            }
            if (rc.tasks.empty()) continue;
            rc.db = db;
            rc.baseline = v.label;
            rc.baseline_title = v.label + " (previous night)";
            rc.candidates = {v.label};
            rc.stats.resamples = suite.resamples;
            rc.night = night;
            if (suite.regression_max_drop_points)
                rc.gate = {suite.gate.min_retention, suite.regression_max_drop_points, st::GuardMode::points};
            else
                rc.gate = suite.gate;
            rc.select_runs = [&](bool baseline_side, const RunRecord& r) {
                return (baseline_side ? before : tonight).count(r.id) > 0;
            };
            rep.regressions.push_back(compare_variants(rc));
        }
    }
    judge(suite, prev_nights, rep);

    auto write = [&](const fs::path& path, const std::string& text) {
        if (path.has_parent_path()) fs::create_directories(path.parent_path());
        core::write_file_atomic(path, text);
        result.written.push_back(path);
    };
    fs::path report = !o.report.empty()       ? fs::path(o.report)
                      : !suite.report.empty() ? suite_path(suite, suite.report, night)
                                              : fs::path();
    if (!report.empty()) {
        if (report.extension() != ".md") write(report, reports::to_html(rep));
        write(fs::path(report).replace_extension(".md"), reports::to_markdown(rep));
    }
    fs::path junit = !o.junit.empty()       ? fs::path(o.junit)
                     : !suite.junit.empty() ? suite_path(suite, suite.junit, night)
                                            : fs::path();
    if (!junit.empty()) write(junit, reports::to_junit(rep));
    return result;
}

} // namespace qeval::harness
