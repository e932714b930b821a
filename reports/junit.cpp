// `qeval nightly --junit FILE`: JUnit XML as Jenkins, GitLab and GitHub test reporters read it. One <testcase> per
// candidate x task (classname "qeval.nightly.<suite>.<candidate>", name the task): a failed gate is <failure>, a
// candidate x task that could not be judged (its run failed) is <error>, an inconclusive one is <skipped> (CI shows
// it apart without failing the build, as `qeval nightly` exits 0 for it). The verdict's numbers go in the message
// and in <system-out>. Every string is escaped for XML (esc: & < > " ' and control characters).
#include "reports/format.hpp"
#include "reports/nightly_report.hpp"

namespace qeval::reports {

namespace st = core::stats;

std::string to_junit(const NightlyReport& r) {
    const std::size_t tests = r.gates.size(), failures = r.count(st::GateVerdict::fail), errors = r.errors(),
                      skipped = r.count(st::GateVerdict::inconclusive);
    const std::string counts = " tests=\"" + std::to_string(tests) + "\" failures=\"" + std::to_string(failures) +
                               "\" errors=\"" + std::to_string(errors) + "\" skipped=\"" + std::to_string(skipped) +
                               "\"";
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"qeval nightly\"" + counts +
                      ">\n  <testsuite name=\"" + esc("qeval nightly: " + r.suite + " (" + r.night + ")") + "\"" +
                      counts + " timestamp=\"" + esc(r.created_at) + "\">\n";
    for (const auto& g : r.gates) {
        out += "    <testcase classname=\"" + esc("qeval.nightly." + r.suite + "." + g.candidate) + "\" name=\"" +
               esc(g.task) + "\" time=\"0\">\n";
        const std::string message = esc(g.message);
        if (g.error)
            out += "      <error type=\"run\" message=\"" + message + "\"/>\n";
        else if (g.verdict == st::GateVerdict::fail)
            out += "      <failure type=\"gate\" message=\"" + message + "\">" + message + "</failure>\n";
        else if (g.verdict == st::GateVerdict::inconclusive)
            out += "      <skipped message=\"" + esc("inconclusive: " + g.message) + "\"/>\n";
        out += "      <system-out>" +
               esc("against the baseline: " + (g.retention ? std::string(st::to_string(*g.retention)) : "-") +
                   "; night over night: " + (g.regression ? std::string(st::to_string(*g.regression)) : "-") +
                   (g.previous_night.empty() ? "" : " (vs " + g.previous_night + ")") + "; " + g.message) +
               "</system-out>\n    </testcase>\n";
    }
    return out + "  </testsuite>\n</testsuites>\n";
}

} // namespace qeval::reports
