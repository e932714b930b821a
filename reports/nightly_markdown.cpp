// `qeval nightly`'s Markdown (stdout and the .md report): the result line, the gates (inconclusive and failed ones
// listed by name), the runs made tonight, the night-over-night table, then the compare report's tables.
#include <algorithm>

#include "reports/format.hpp"
#include "reports/nightly_report.hpp"

namespace qeval::reports {

namespace st = core::stats;

std::size_t NightlyReport::count(st::GateVerdict v) const {
    return static_cast<std::size_t>(
        std::count_if(gates.begin(), gates.end(), [&](const NightlyGate& g) { return !g.error && g.verdict == v; }));
}

std::size_t NightlyReport::errors() const {
    return static_cast<std::size_t>(std::count_if(gates.begin(), gates.end(), [](const auto& g) { return g.error; }));
}

int NightlyReport::exit_code() const {
    if (count(st::GateVerdict::fail) > 0) return 1;
    int code = 0;
    for (const auto& r : runs)
        code = std::max(code, r.failure_exit_code);
    return code != 0 ? code : (errors() > 0 ? 3 : 0);
}

namespace {

std::string result_line(const NightlyReport& r) {
    const std::size_t fail = r.count(st::GateVerdict::fail), inconclusive = r.count(st::GateVerdict::inconclusive),
                      pass = r.count(st::GateVerdict::pass), errors = r.errors();
    std::string word = fail ? "FAIL" : errors ? "ERROR" : "PASS";
    return "**Result: " + word + "**: " + std::to_string(pass) + " passed, " + std::to_string(fail) + " failed, " +
           std::to_string(inconclusive) + " inconclusive, " + std::to_string(errors) + " not judged (of " +
           std::to_string(r.gates.size()) + " gates: candidate x task)\n\n";
}

std::string verdict_word(const std::optional<st::GateVerdict>& v) {
    return v ? std::string(st::to_string(*v)) : std::string("-");
}

void gates_table(const NightlyReport& r, std::string& out) {
    out += "### Gates\n\n| Candidate | Task | Against the baseline | Night over night | Verdict | Why |\n"
           "|---|---|---|---|---|---|\n";
    for (const auto& g : r.gates)
        out += "| " + cell(g.candidate) + " | " + cell(g.task) + " | " + verdict_word(g.retention) + " | " +
               verdict_word(g.regression) + (g.previous_night.empty() ? "" : " (vs " + cell(g.previous_night) + ")") +
               " | " + (g.error ? std::string("error") : std::string(st::to_string(g.verdict))) + " | " +
               cell(g.message) + " |\n";
    for (auto v : {st::GateVerdict::fail, st::GateVerdict::inconclusive}) {
        std::string names;
        for (const auto& g : r.gates)
            if (!g.error && g.verdict == v) names += (names.empty() ? "" : ", ") + cell(g.candidate + "/" + g.task);
        if (!names.empty())
            out += "\n" + std::string(v == st::GateVerdict::fail ? "Failed" : "Inconclusive") + ": " + names;
    }
    out += "\n\n";
}

void runs_table(const NightlyReport& r, std::string& out) {
    out +=
        "### Runs\n\n| Variant | Task | Night | Run | New responses | Already stored | Errors | Truncated | Accuracy "
        "(%) | Status |\n|---|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& x : r.runs)
        out += "| " + cell(x.variant) + " | " + cell(x.task) + " | " + (x.night.empty() ? "once" : cell(x.night)) +
               " | " + (x.run_id ? std::to_string(x.run_id) : "-") + " | " + std::to_string(x.stored) + " | " +
               std::to_string(x.already_done) + " | " + std::to_string(x.errors) + " | " + std::to_string(x.truncated) +
               " | " + (x.accuracy ? fmt(*x.accuracy * 100.0) : "-") + " | " +
               (x.failure.empty() ? std::string("ok") : "failed: " + cell(x.failure)) + " |\n";
    out += "\n";
}

void regression_table(const NightlyReport& r, std::string& out) {
    out += "### Night over night\n\n";
    if (r.regressions.empty()) {
        out += "No previous night to compare with.\n\n";
        return;
    }
    out += "| Variant | Task | n x k | Previous night (%) | Tonight (%) | Delta (points) | Flips +/- | p | Gate |\n"
           "|---|---|---|---|---|---|---|---|---|\n";
    for (const auto& rep : r.regressions)
        for (const auto& c : rep.candidates)
            for (const auto& t : c.tasks) {
                const st::TaskComparison& m = t.comparison;
                out += "| " + cell(c.label) + " | " + cell(t.task) + " | " + std::to_string(m.n_problems) + "x" +
                       std::to_string(m.candidate_samples) + " | " + with_interval(m.baseline.value, m.baseline.ci95) +
                       " | " + with_interval(m.candidate.value, m.candidate.ci95) + " | " +
                       with_interval(m.delta, m.delta_ci95) + " | +" + std::to_string(m.flips.gained.size()) + "/-" +
                       std::to_string(m.flips.lost.size()) + " | " + fmt(m.test.p_value, 3) + " | " +
                       (r.regression_max_drop_points ? std::string(st::to_string(t.verdict)) : "not gated") + " |\n";
            }
    out += "\n" + (r.regression_max_drop_points
                       ? "Night over night: " + gate_rule({0, r.regression_max_drop_points, st::GuardMode::points}) +
                             " (paired over problems, same variant).\n\n"
                       : std::string("Night over night is shown, not gated (no [gates.regression] in the suite).\n\n"));
}

} // namespace

std::string to_markdown(const NightlyReport& r) {
    std::string out = "# qeval nightly: " + cell(r.suite) + ", night " + cell(r.night) + "\n\n" + result_line(r);
    gates_table(r, out);
    if (!r.warnings.empty()) {
        out += "**Warnings**\n\n";
        for (const auto& w : r.warnings)
            out += "- " + cell(w) + "\n";
        out += "\n";
    }
    runs_table(r, out);
    regression_table(r, out);
    out += to_markdown(r.retention);
    return out;
}

} // namespace qeval::reports
