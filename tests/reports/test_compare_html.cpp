// The HTML compare report on reports built by hand: the page's parts (charts, table, trend, flipped problems), its
// robustness (n/a and clipped intervals never reach an SVG coordinate) and hostile strings, which go through every
// renderer (HTML escaped, Markdown cells, CSV quoting that round-trips, JSON). QEVAL_HTML_OUT=FILE writes the sample
// page to FILE (tools/screenshot_report.sh uses it with SOURCE=test), QEVAL_HTML_OUT_HOSTILE=FILE the hostile one.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <regex>

#include "core/data/csv.hpp"
#include "core/data/file.hpp"
#include "core/text.hpp"
#include "reports/compare_report.hpp"
#include "reports/nightly_report.hpp"
#include "reports/report_builders.hpp"

using namespace qeval;
namespace st = core::stats;

namespace {

using test::estimate;
using test::summary;

// Every way out of a text node, an attribute, a <pre>, a CDATA section or a comment, and invalid UTF-8 ("\xC3("
// is a lead byte without its continuation, "\xFF" is never UTF-8), a control character, a table pipe and a newline.
const std::string kHostile = std::string("<script>alert(1)</script> </textarea> </pre> \"quotes' & amps ]]> <!-- ") +
                             "\xC3\x28" + " " + "\xFF" + " \x01 a|b\nc";

reports::TaskReport task(const std::string& name, int n, int k, double base, double cand, st::Interval retention_ci,
                         st::GateVerdict verdict) {
    reports::TaskReport t;
    t.task = name;
    t.baseline = summary(n, k, base, 1.2, 2.0, 3100, 2.0);
    t.candidate = summary(n, k, cand, 2.4, 3.1, 3350, 2.0);
    st::TaskComparison& m = t.comparison;
    m.task = name;
    m.n_problems = n;
    m.baseline_samples = m.candidate_samples = k;
    m.baseline = estimate(n, base, 3.0);
    m.candidate = estimate(n, cand, 3.1);
    m.retention = 100 * cand / base;
    m.retention_ci95 = retention_ci;
    m.delta = cand - base;
    m.delta_ci95 = {m.delta - 1.5, m.delta + 1.5};
    m.flips.gained = {"p1"};
    m.flips.lost = {"p2", "p3"};
    m.test = {st::PairedTestMethod::sign_flip_exact, m.delta, 0.0234, 40};
    t.verdict = verdict;
    return t;
}

reports::TrendPoint point(const std::string& date, double retention, double half, const std::string& verdict) {
    return {date + "T03:00:00Z", retention, {retention - half, retention + half}, verdict};
}

reports::FlippedProblem flip(const std::string& task, const std::string& id, bool gained) {
    reports::FlippedProblem f;
    f.task = task;
    f.problem_id = id;
    f.gained = gained;
    f.baseline_response = "Let x = 2.\nThen 2x = 4, so the answer is \\boxed{4}.";
    f.candidate_response = "Let x = 3.\nThen 2x = 6, so the answer is \\boxed{6}.";
    f.baseline_extracted = gained ? "6" : "4";
    f.candidate_extracted = gained ? "4" : "6";
    f.baseline_verdict = gained ? "incorrect" : "correct";
    f.candidate_verdict = gained ? "correct" : "incorrect";
    return f;
}

// Two tasks, one candidate; math500 has five stored comparisons, gpqa_diamond one (no history yet).
reports::CompareReport sample_report() {
    reports::CompareReport r;
    r.baseline = "bf16";
    r.gate.min_retention = 98;
    r.gate.max_drop_points = 1.0;
    reports::CandidateReport c;
    c.label = "nvfp4";
    c.tasks = {task("math500", 500, 4, 80.0, 78.4, {96.1, 99.9}, st::GateVerdict::inconclusive),
               task("gpqa_diamond", 198, 8, 62.0, 62.5, {98.2, 103.4}, st::GateVerdict::pass)};
    c.average.n_tasks = 2;
    c.average.baseline = estimate(698, 71.0, 2.1);
    c.average.candidate = estimate(698, 70.45, 2.2);
    c.average.retention = 99.2;
    c.average.retention_ci95 = {97.6, 100.9};
    c.average.delta = -0.55;
    c.average.delta_ci95 = {-1.7, 0.6};
    c.average_verdict = st::GateVerdict::inconclusive;
    c.trend["math500"] = {point("2026-11-20", 99.1, 1.8, "pass"), point("2026-11-21", 98.7, 1.9, "inconclusive"),
                          point("2026-11-22", 96.0, 1.7, "fail"), point("2026-11-23", 98.9, 1.6, "pass"),
                          point("2026-11-24", 98.0, 1.9, "inconclusive")};
    c.trend["gpqa_diamond"] = {point("2026-11-24", 100.8, 2.6, "pass")};
    c.flipped = {flip("math500", "math500/test/algebra/17.json", true), flip("math500", "p2", false),
                 flip("gpqa_diamond", "rec7Qx", false)};
    r.candidates.push_back(c);
    r.warnings = {"gpqa_diamond: nvfp4 was not run like bf16: settings (max_tokens: 32768 vs 16384) differ"};
    return r;
}

// The sample with kHostile in every string that comes from the data.
reports::CompareReport hostile_report() {
    reports::CompareReport r = sample_report();
    r.baseline = "base " + kHostile;
    auto& c = r.candidates[0];
    c.label = "cand " + kHostile;
    c.tasks[1].task = c.tasks[1].comparison.task = kHostile;
    c.trend[kHostile] = {point(kHostile, 99.0, 1.0, kHostile), point("2026-11-25", 98.0, 1.0, "pass")};
    reports::FlippedProblem f = flip(kHostile, kHostile, true);
    f.baseline_response = f.candidate_response = kHostile;
    f.baseline_extracted = f.candidate_extracted = f.baseline_verdict = kHostile;
    c.flipped.push_back(f);
    r.warnings.push_back(kHostile);
    return r;
}

std::size_t count(const std::string& s, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = s.find(what); at != std::string::npos; at = s.find(what, at + what.size()))
        ++n;
    return n;
}

bool contains(const std::string& s, const std::string& what) {
    return s.find(what) != std::string::npos;
}

// The parts between each <svg and its </svg>.
std::vector<std::string> svgs(const std::string& html) {
    std::vector<std::string> out;
    for (std::size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) {
        const std::size_t end = html.find("</svg>", at);
        REQUIRE(end != std::string::npos);
        out.push_back(html.substr(at, end - at));
    }
    return out;
}

void check_well_formed(const std::string& html) {
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(contains(html, "<meta charset=\"utf-8\">"));
    CHECK(count(html, "<html") == 1);
    CHECK(html.size() >= 8);
    CHECK(html.substr(html.size() - 8) == "</html>\n");
    for (const char* tag : {"svg", "table", "tr", "td", "details", "summary", "pre", "section", "figure", "title",
                            "text", "ul", "code"}) {
        INFO(tag);
        CHECK(count(html, std::string("<") + tag) == count(html, std::string("</") + tag + ">"));
    }
    // Self-contained and inert: no script, no network, no external resource.
    for (const char* bad :
         {"<script", "<SCRIPT", "http://", "https://", "src=", "href=", "url(", "javascript:", "@import"})
        CHECK_FALSE(contains(html, bad));
    CHECK(core::is_valid_utf8(html));
}

} // namespace

TEST_CASE("html report is one page with the charts, the table, the trend and the flipped problems", "[html][reports]") {
    const std::string html = reports::to_html(sample_report());
    if (const char* out = std::getenv("QEVAL_HTML_OUT")) core::write_file_atomic(out, html);
    check_well_formed(html);
    CHECK(contains(html, "<title>qeval: retention against bf16</title>"));
    CHECK(
        contains(html, "lower bound is at least 98.0%, or the delta interval&#39;s lower bound at least -1.0 points"));
    CHECK(contains(html, "max_tokens: 32768 vs 16384"));
    // Retention and accuracy charts, and one trend chart (math500 has 5 points, gpqa_diamond 1).
    CHECK(contains(html, "<title>Retention per task: nvfp4 vs bf16</title>"));
    CHECK(contains(html, "<title>Accuracy per variant: nvfp4 vs bf16</title>"));
    CHECK(count(html, "<title>Retention over the stored comparisons</title>") == 1);
    CHECK(count(html, "no history yet") == 1);
    CHECK(svgs(html).size() == 3);
    CHECK(contains(html, "stroke-dasharray")); // the gate line
    CHECK(contains(html, "gate 98.0%"));
    CHECK(contains(html, ">11-22<")); // a date tick of the trend
    CHECK(contains(html, "<title>2026-11-22T03:00:00Z: retention 96.0% [94.3, 97.7], fail</title>"));
    // The verdict is written, not only coloured.
    CHECK(contains(html, ">inconclusive</tspan>"));
    CHECK(contains(html, ">pass</tspan>"));
    CHECK(contains(html, "<td class=\"l v pass\">pass</td>"));
    // The table: n x k, accuracy, retention and delta with intervals, flips, p, rates, tokens.
    CHECK(contains(html, "<td>500&#215;4</td>"));
    CHECK(contains(html, "<td>80.0 [77.0, 83.0]</td>"));
    CHECK(contains(html, "<td>98.0 [96.1, 99.9]</td>"));
    CHECK(contains(html, "<td>+1 / &#8722;2</td>"));
    CHECK(contains(html, "<td>0.023</td>"));
    CHECK(contains(html, "<td>3100 / 3350</td>"));
    CHECK(contains(html, "Average (2 tasks)"));
    // Flipped problems: one table per task, each row's responses side by side in a collapsed <details>.
    CHECK(count(html, "<table class=\"flips\">") == 2);
    CHECK(count(html, "<details><summary>responses</summary>") == 3);
    CHECK_FALSE(contains(html, "<details open"));
    CHECK(contains(html, "math500/test/algebra/17.json"));
    CHECK(contains(html, "(+1 / &#8722;2 in all; shown: 1 gained, 1 lost)"));
    CHECK(contains(html, "so the answer is \\boxed{6}."));
}

TEST_CASE("html report escapes hostile labels, task names, ids, responses and warnings", "[html][reports]") {
    const std::string html = reports::to_html(hostile_report());
    if (const char* out = std::getenv("QEVAL_HTML_OUT_HOSTILE")) core::write_file_atomic(out, html);
    check_well_formed(html);
    for (const char* escaped : {"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;/textarea&gt;", "&lt;/pre&gt;",
                                "&quot;quotes&#39; &amp; amps", "]]&gt;", "&lt;!--", "\xEF\xBF\xBD("})
        CHECK(count(html, escaped) >= 10);
    for (const char* raw : {"</textarea>", "]]>", "<!--", "\"quotes'", "\x01"})
        CHECK_FALSE(contains(html, raw));
    CHECK(contains(html, "<title>qeval: retention against base &lt;script&gt;"));
    CHECK(contains(html, "<li>&lt;script&gt;alert(1)"));
    // Nothing leaves its <pre>: each holds escaped text only, up to its own </pre>.
    for (std::size_t at = html.find("<pre"); at != std::string::npos; at = html.find("<pre", at + 1)) {
        const std::size_t open_end = html.find('>', at), close = html.find("</pre>", at);
        REQUIRE(close != std::string::npos);
        CHECK(html.substr(open_end + 1, close - open_end - 1).find('<') == std::string::npos);
    }
    // Every <details> closes after its two <pre>s.
    for (std::size_t at = html.find("<details>"); at != std::string::npos; at = html.find("<details>", at + 1)) {
        const std::string block = html.substr(at, html.find("</details>", at) - at);
        CHECK(count(block, "<pre") == 2);
        CHECK(count(block, "</pre>") == 2);
    }
}

TEST_CASE("html report writes n/a for values that are not finite and keeps them out of the svg", "[html][reports]") {
    reports::CompareReport r = sample_report();
    auto& c = r.candidates[0];
    const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
    c.tasks[0].comparison.retention = nan;
    c.tasks[0].comparison.retention_ci95 = {nan, nan};
    c.tasks[0].comparison.candidate = {500, nan, nan, {nan, nan}};
    c.tasks[1].comparison.retention = 350; // past the axis' 200% cap
    c.tasks[1].comparison.retention_ci95 = {90, inf};
    c.average.retention = 101;
    c.average.retention_ci95 = {-inf, nan};
    c.average.baseline = {698, nan, nan, {nan, nan}};
    c.trend["math500"][1].retention = nan;
    c.trend["math500"][1].retention_ci95 = {nan, nan};
    c.trend["math500"][3].retention_ci95 = {95, inf};
    const std::string html = reports::to_html(r);
    check_well_formed(html);
    CHECK(contains(html, "n/a"));
    CHECK(contains(html, "<td>n/a</td>"));
    CHECK(contains(html, "interval clipped at the axis"));
    const std::regex coordinate(R"re(\b(x|y|x1|y1|x2|y2|cx|cy|r|width|height|points|d|viewBox|transform)="([^"]*)")re");
    const std::regex numeric(R"re([-0-9., MLrotae()]*)re");
    std::size_t checked = 0;
    for (const std::string& svg : svgs(html)) {
        for (auto it = std::sregex_iterator(svg.begin(), svg.end(), coordinate); it != std::sregex_iterator(); ++it) {
            const std::string value = (*it)[2];
            INFO((*it)[0]);
            CHECK(std::regex_match(value, numeric));
            CHECK_FALSE(contains(core::to_lower(value), "nan"));
            CHECK_FALSE(contains(core::to_lower(value), "inf"));
            ++checked;
        }
        // The retention axis stays within [0, 200]: no tick label past it.
        CHECK_FALSE(contains(svg, ">350<"));
        CHECK_FALSE(contains(svg, ">220<"));
    }
    CHECK(checked > 100);
}

TEST_CASE("html report cuts a long response on a utf-8 boundary and says how long it was", "[html][reports]") {
    reports::CompareReport r = sample_report();
    std::string long_response;
    while (long_response.size() < 30000)
        long_response += "\xC3\xA9t\xC3\xA9 "; // "été ": a two-byte character near any cut
    r.candidates[0].flipped[0].candidate_response = long_response;
    r.candidates[0].flipped[1].baseline_response = "";
    const std::string html = reports::to_html(r);
    check_well_formed(html);
    CHECK(contains(html, "(cut: " + std::to_string(long_response.size()) + " bytes in all)"));
    CHECK_FALSE(contains(html, long_response));
    CHECK(html.size() < 40000 + long_response.size() / 2);
    CHECK(contains(html, "<pre class=\"muted\">(empty)</pre>"));
}

TEST_CASE("html report with no candidate is still a whole page", "[html][reports]") {
    reports::CompareReport r;
    r.baseline = "bf16";
    const std::string html = reports::to_html(r);
    check_well_formed(html);
    CHECK(contains(html, "Nothing to compare."));
}

TEST_CASE("markdown report keeps hostile strings inside their table cells", "[html][reports]") {
    const std::string md = reports::to_markdown(hostile_report());
    std::size_t rows = 0;
    for (std::string_view line : core::split(md, '\n')) {
        if (line.empty() || line.front() != '|') continue;
        INFO(line);
        CHECK(line.back() == '|');
        ++rows;
    }
    CHECK(rows == 5 + 5); // NVIDIA: header, rule, baseline, candidate, retention; Red Hat: header, rule, 2 tasks, avg
    CHECK(contains(md, "a\\|b c"));
    CHECK_FALSE(contains(md, "a|b"));
}

TEST_CASE("markdown report is valid utf-8 and passes no raw html from the data", "[html][reports]") {
    // A Markdown viewer renders inline HTML: a raw "<!--" from a task name would comment out the rest of the report.
    const std::string md = reports::to_markdown(hostile_report());
    CHECK(core::is_valid_utf8(md));
    CHECK_FALSE(contains(md, "<!--"));
    CHECK_FALSE(contains(md, "<script"));
}

TEST_CASE("csv report quotes hostile strings and they round-trip through the csv reader", "[html][reports]") {
    const reports::CompareReport r = hostile_report();
    const std::string csv = reports::to_csv(r);
    const core::CsvTable table = core::parse_csv(csv, "to_csv");
    REQUIRE(table.rows.size() == 3);
    const auto baseline = table.column("baseline"), candidate = table.column("candidate"), task = table.column("task");
    REQUIRE((baseline && candidate && task));
    for (const auto& row : table.rows) {
        CHECK(row[*baseline] == r.baseline);
        CHECK(row[*candidate] == r.candidates[0].label);
    }
    CHECK(table.rows[1][*task] == kHostile);
    CHECK(contains(csv, "\"base <script>alert(1)</script> </textarea> </pre> \"\"quotes' & amps"));
}

TEST_CASE("csv report keeps spreadsheet formulas inert", "[html][reports]") {
    reports::CompareReport r = sample_report();
    r.baseline = "=HYPERLINK(\"http://x\",\"y\")";
    r.candidates[0].label = "+cmd|' /C calc'!A0";
    r.candidates[0].tasks[0].task = "@SUM(1+1)";
    const core::CsvTable table = core::parse_csv(reports::to_csv(r), "to_csv");
    REQUIRE(table.rows.size() == 3);
    const auto baseline = table.column("baseline"), candidate = table.column("candidate"), task = table.column("task");
    REQUIRE((baseline && candidate && task));
    CHECK(table.rows[0][*baseline] == "'" + r.baseline);
    CHECK(table.rows[0][*candidate] == "'" + r.candidates[0].label);
    CHECK(table.rows[0][*task] == "'@SUM(1+1)");
    CHECK(table.rows[1][*task] == "gpqa_diamond"); // ordinary text is left as it is
    const auto delta = table.column("delta");
    REQUIRE(delta);
    CHECK(table.rows[0][*delta].front() == '-'); // numbers are numbers: a negative delta keeps its sign
}

TEST_CASE("json report parses back with hostile strings", "[html][reports]") {
    const reports::CompareReport r = hostile_report();
    const core::Json j = reports::to_json(r);
    std::string text;
    // Invalid UTF-8 is replaced, not a throw from dump().
    REQUIRE_NOTHROW(text = j.dump(2, ' ', false, core::Json::error_handler_t::replace));
    const core::Json back = core::Json::parse(text);
    CHECK(back["baseline"] == core::to_valid_utf8(r.baseline));
    CHECK(back["candidates"][0]["tasks"][1]["task"] == core::to_valid_utf8(kHostile));
    CHECK(back["warnings"][1] == core::to_valid_utf8(kHostile));
}

TEST_CASE("json report dumps hostile strings with the default dump the cli uses", "[html][reports]") {
    // `qeval compare --format json` calls dump(2), whose strict default throws on invalid UTF-8 (nlohmann
    // type_error 316): to_json hands it valid UTF-8 only.
    CHECK_NOTHROW(reports::to_json(hostile_report()).dump(2));
}

namespace {

// A nightly report with kHostile in every string that comes from the suite or the data: labels, tasks, run failures,
// gate messages; three gates: failed, inconclusive, not judged.
reports::NightlyReport hostile_nightly() {
    reports::NightlyReport n;
    n.suite = "suite " + kHostile;
    n.night = "2026-11-24";
    n.created_at = "2026-11-24T03:00:00Z";
    n.retention = hostile_report();
    reports::NightlyRun ok;
    ok.variant = "cand " + kHostile;
    ok.task = "math500";
    ok.night = n.night;
    ok.run_id = 7;
    ok.stored = 2000;
    ok.accuracy = 0.78;
    reports::NightlyRun failed = ok;
    failed.variant = kHostile;
    failed.run_id = 0;
    failed.failure = kHostile;
    failed.failure_exit_code = 3;
    n.runs = {ok, failed};
    reports::CompareReport reg = sample_report();
    reg.baseline = "nvfp4 (previous night)";
    n.regressions = {reg};
    n.regression_max_drop_points = 2.0;
    using V = st::GateVerdict;
    n.gates = {{"cand " + kHostile, kHostile, V::fail, V::pass, "2026-11-23", V::fail, false, kHostile},
               {"cand " + kHostile, "math500", V::inconclusive, std::nullopt, "", V::inconclusive, false, "why"},
               {kHostile, "math500", std::nullopt, std::nullopt, "", V::inconclusive, true, kHostile}};
    return n;
}

} // namespace

TEST_CASE("nightly reports escape hostile strings in markdown, html and junit", "[html][reports][nightly]") {
    const reports::NightlyReport n = hostile_nightly();
    CHECK(n.exit_code() == 1); // a failed gate wins over a failed run
    CHECK(n.count(st::GateVerdict::fail) == 1);
    CHECK(n.errors() == 1);

    const std::string html = reports::to_html(n);
    check_well_formed(html);
    CHECK_FALSE(contains(html, "<script>alert"));
    CHECK(contains(html, "Result: <span class=\"v fail\">FAIL</span>"));

    const std::string md = reports::to_markdown(n);
    CHECK(core::is_valid_utf8(md));
    CHECK_FALSE(contains(md, "<!--"));
    for (std::string_view line : core::split(md, '\n'))
        if (!line.empty() && line.front() == '|') {
            INFO(line);
            CHECK(line.back() == '|');
        }
    CHECK(contains(md, "**Result: FAIL**: 0 passed, 1 failed, 1 inconclusive, 1 not judged"));

    const std::string junit = reports::to_junit(n);
    CHECK(core::is_valid_utf8(junit));
    CHECK_FALSE(contains(junit, "<script"));
    CHECK_FALSE(contains(junit, "]]>")); // no CDATA to break out of
    CHECK(contains(junit, "tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"1\""));
    CHECK(count(junit, "<testcase ") == 3);
    CHECK(count(junit, "</testcase>") == 3);
    CHECK(count(junit, "<failure ") == 1);
    CHECK(count(junit, "<error ") == 1);
    CHECK(count(junit, "<skipped ") == 1);
    // Every '<' opens one of our elements (or the declaration): nothing from the data opens a tag.
    const std::regex tag("<(/?)([a-zA-Z?!-]+)");
    for (auto it = std::sregex_iterator(junit.begin(), junit.end(), tag); it != std::sregex_iterator(); ++it) {
        const std::string name = (*it)[2].str();
        INFO(name);
        CHECK((name == "?xml" || name == "testsuites" || name == "testsuite" || name == "testcase" ||
               name == "failure" || name == "error" || name == "skipped" || name == "system-out"));
    }
}
