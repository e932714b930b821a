// `qeval nightly`'s HTML report: one self-contained page, the nightly summary (result, gates, runs, night over
// night) above the compare report's sections (charts, tables, trend, flipped problems). Everything from the data
// is escaped once (esc).
#include "reports/format.hpp"
#include "reports/nightly_report.hpp"

namespace qeval::reports {
namespace {

namespace st = core::stats;

std::string td(const std::string& content, const char* cls = "") {
    return std::string("<td") + (*cls ? std::string(" class=\"") + cls + "\"" : "") + ">" + content + "</td>";
}

std::string verdict_td(const std::optional<st::GateVerdict>& v, bool error = false) {
    if (error) return "<td class=\"l v fail\">error</td>";
    if (!v) return "<td class=\"l muted\">-</td>";
    const std::string w(st::to_string(*v));
    return "<td class=\"l v " + w + "\">" + w + "</td>";
}

std::string summary(const NightlyReport& r) {
    const std::size_t fail = r.count(st::GateVerdict::fail), errors = r.errors();
    const char* cls = fail ? "fail" : errors ? "fail" : "pass";
    std::string out = "<p class=\"gate\"><b>Result: <span class=\"v " + std::string(cls) + "\">" +
                      (fail     ? "FAIL"
                       : errors ? "ERROR"
                                : "PASS") +
                      "</span></b> &#8212; " + std::to_string(r.count(st::GateVerdict::pass)) + " passed, " +
                      std::to_string(fail) + " failed, " + std::to_string(r.count(st::GateVerdict::inconclusive)) +
                      " inconclusive, " + std::to_string(errors) + " not judged.</p>\n";
    out += "<h2>Gates</h2>\n<div class=\"scroll\"><table class=\"numbers\"><tr><th class=\"l\">candidate</th><th "
           "class=\"l\">task</th><th class=\"l\">against the baseline</th><th class=\"l\">night over night</th><th "
           "class=\"l\">verdict</th><th class=\"l\">why</th></tr>\n";
    for (const auto& g : r.gates)
        out += "<tr>" + td(esc(g.candidate), "l") + td(esc(g.task), "l") + verdict_td(g.retention) +
               verdict_td(g.regression) + verdict_td(g.verdict, g.error) + td(esc(g.message), "l") + "</tr>\n";
    out += "</table></div>\n";
    if (!r.warnings.empty()) {
        out += "<div class=\"warnings\"><b>Warnings</b>\n<ul>\n";
        for (const auto& w : r.warnings)
            out += "<li>" + esc(w) + "</li>\n";
        out += "</ul></div>\n";
    }
    out += "<h2>Runs</h2>\n<div class=\"scroll\"><table class=\"numbers\"><tr><th class=\"l\">variant</th><th "
           "class=\"l\">task</th><th>night</th><th>run</th><th>new responses</th><th>already stored</th>"
           "<th>errors</th><th>truncated</th><th>accuracy %</th><th class=\"l\">status</th></tr>\n";
    for (const auto& x : r.runs)
        out += "<tr>" + td(esc(x.variant), "l") + td(esc(x.task), "l") + td(x.night.empty() ? "once" : esc(x.night)) +
               td(x.run_id ? std::to_string(x.run_id) : "-") + td(std::to_string(x.stored)) +
               td(std::to_string(x.already_done)) + td(std::to_string(x.errors)) + td(std::to_string(x.truncated)) +
               td(x.accuracy ? fmt(*x.accuracy * 100.0) : "-") +
               (x.failure.empty() ? td("ok", "l") : "<td class=\"l v fail\">failed: " + esc(x.failure) + "</td>") +
               "</tr>\n";
    out += "</table></div>\n<h2>Night over night</h2>\n";
    if (r.regressions.empty()) return out + "<p class=\"muted\">No previous night to compare with.</p>\n";
    out += "<div class=\"scroll\"><table class=\"numbers\"><tr><th class=\"l\">variant</th><th class=\"l\">task</th>"
           "<th>n &#215; k</th><th>previous night %</th><th>tonight %</th><th>delta points</th><th>flips "
           "+/&#8722;</th><th>p</th><th class=\"l\">gate</th></tr>\n";
    for (const auto& rep : r.regressions)
        for (const auto& c : rep.candidates)
            for (const auto& t : c.tasks) {
                const st::TaskComparison& m = t.comparison;
                out += "<tr>" + td(esc(c.label), "l") + td(esc(t.task), "l") +
                       td(std::to_string(m.n_problems) + "&#215;" + std::to_string(m.candidate_samples)) +
                       td(with_interval(m.baseline.value, m.baseline.ci95)) +
                       td(with_interval(m.candidate.value, m.candidate.ci95)) +
                       td(with_interval(m.delta, m.delta_ci95)) +
                       td("+" + std::to_string(m.flips.gained.size()) + " / &#8722;" +
                          std::to_string(m.flips.lost.size())) +
                       td(fmt(m.test.p_value, 3)) +
                       (r.regression_max_drop_points ? verdict_td(t.verdict) : td("not gated", "l muted")) + "</tr>\n";
            }
    out += "</table></div>\n";
    if (r.regression_max_drop_points)
        out += "<p class=\"muted\">Night over night: " +
               esc(gate_rule({0, r.regression_max_drop_points, st::GuardMode::points})) +
               " (paired over problems, same variant).</p>\n";
    return out;
}

} // namespace

std::string to_html(const NightlyReport& r) {
    return html_page("qeval nightly: " + esc(r.suite) + ", night " + esc(r.night),
                     summary(r) + "<h2>Against the baseline: " + esc(r.retention.baseline) + "</h2>\n" +
                         compare_html_body(r.retention));
}

} // namespace qeval::reports
