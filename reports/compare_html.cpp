// `qeval compare --format html`: one self-contained page (inline CSS, inline SVG drawn here; no script, no network).
// Per candidate: retention per task (interval bars against 100% and the gate), accuracy per variant (bars with 95%
// whiskers), the Red Hat table, the stored trend per task, and the flipped problems with both responses side by side
// in collapsed <details>. Every string from the data goes through esc() (invalid UTF-8 replaced, & < > " ' escaped);
// a value that is not finite is written n/a and never reaches an SVG coordinate.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string_view>

#include "core/text.hpp"
#include "reports/compare_report.hpp"
#include "reports/format.hpp"

namespace qeval::reports {
namespace {

namespace st = core::stats;

constexpr std::size_t kMaxResponseBytes = 20000;  // of each response shown
constexpr double kAxisMin = 0, kAxisMax = 200;    // a retention axis never spans more than this (percent)
constexpr const char* kBaselineColor = "#8a9bb5"; // accuracy bars
constexpr const char* kCandidateColor = "#4b5fa8";

// At most `max` code points, with an ellipsis when cut (SVG text does not wrap); not yet escaped.
std::string shorten(std::string_view raw, std::size_t max) {
    const std::string s = core::to_valid_utf8(raw);
    std::size_t count = 0;
    for (std::size_t i = 0; i < s.size(); ++i)
        if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && count++ == max) return s.substr(0, i) + "\xE2\x80\xA6";
    return s;
}

std::size_t code_points(std::string_view s) {
    return static_cast<std::size_t>(
        std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// "97.5% [95.8, 99.2]" for a tooltip.
std::string percent_interval(double x, const st::Interval& i) {
    if (!std::isfinite(x)) return "n/a";
    return fmt(x) + "%" + (std::isfinite(i.lo) && std::isfinite(i.hi) ? " [" + fmt(i.lo) + ", " + fmt(i.hi) + "]" : "");
}

// An SVG coordinate; callers never pass a value that is not finite, and one that slipped through is drawn at 0.
std::string px(double v) {
    return fmt(std::isfinite(v) ? v : 0.0, 1);
}

std::string_view verdict_class(std::string_view v) {
    return v == "pass" || v == "fail" || v == "inconclusive" ? v : "other";
}

const char* verdict_color(std::string_view v) {
    return v == "pass" ? "#2e7d32" : v == "fail" ? "#c62828" : v == "inconclusive" ? "#d48a00" : "#7a8594";
}

std::string line(double x1, double y1, double x2, double y2, std::string_view attrs) {
    return "<line x1=\"" + px(x1) + "\" y1=\"" + px(y1) + "\" x2=\"" + px(x2) + "\" y2=\"" + px(y2) + "\" " +
           std::string(attrs) + "/>";
}

// `content` is already escaped.
std::string text(double x, double y, std::string_view attrs, std::string_view content) {
    return "<text x=\"" + px(x) + "\" y=\"" + px(y) + "\" " + std::string(attrs) + ">" + std::string(content) +
           "</text>";
}

// A small triangle at (x, y) pointing along (dx, dy) (one of them +-1): an interval clipped at the axis edge.
std::string clip_marker(double x, double y, int dx, int dy, const char* color) {
    const double s = 5;
    const double tipx = x + dx * s, tipy = y + dy * s;
    const double ax = x - dy * s, ay = y - dx * s, bx = x + dy * s, by = y + dx * s;
    return "<polygon class=\"clip\" points=\"" + px(tipx) + "," + px(tipy) + " " + px(ax) + "," + px(ay) + " " +
           px(bx) + "," + px(by) + "\" fill=\"" + color + "\"><title>interval clipped at the axis</title></polygon>";
}

struct Axis {
    double lo = 0, hi = 100, step = 20; // domain (percent) and tick step
    double p0 = 0, p1 = 1;              // pixels at lo and hi
    double at(double v) const {
        if (std::isnan(v)) v = lo;
        return p0 + (std::clamp(v, lo, hi) - lo) / (hi - lo) * (p1 - p0);
    }
    int ticks() const { return static_cast<int>(std::lround((hi - lo) / step)); }
    double tick(int i) const { return lo + i * step; }
    std::string label(double v) const { return fmt(v, step == std::floor(step) ? 0 : 1); }
};

double nice_step(double span, int ticks) {
    const double raw = std::max(span, 1e-6) / ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    for (double m : {1.0, 2.0, 2.5, 5.0})
        if (m * mag >= raw) return m * mag;
    return 10 * mag;
}

// The retention axis: min(values, threshold, 100) - margin to max(values, threshold, 100) + margin on nice ticks,
// within [0, 200]; values that are not finite are left out (their bars are clipped at the edge).
Axis retention_axis(const std::vector<double>& values, double threshold, double p0, double p1) {
    double lo = 100, hi = 100;
    if (std::isfinite(threshold)) lo = std::min(lo, threshold), hi = std::max(hi, threshold);
    for (double v : values)
        if (std::isfinite(v)) lo = std::min(lo, v), hi = std::max(hi, v);
    lo = std::max(lo, kAxisMin);
    hi = std::min(hi, kAxisMax);
    const double margin = std::max(1.0, 0.05 * (hi - lo));
    Axis a;
    a.step = nice_step(hi - lo + 2 * margin, 6);
    a.lo = std::max(kAxisMin, std::floor((lo - margin) / a.step) * a.step);
    a.hi = std::min(kAxisMax, std::ceil((hi + margin) / a.step) * a.step);
    a.p0 = p0;
    a.p1 = p1;
    return a;
}

// The solid 100% line and the dashed gate line across a horizontal axis (x) from y0 to y1, labelled above y0.
std::string reference_lines_x(const Axis& a, double y0, double y1, double threshold) {
    std::string out = line(a.at(100), y0, a.at(100), y1, "stroke=\"#3b4452\" stroke-width=\"1.2\"") +
                      text(a.at(100), y0 - 6, "text-anchor=\"middle\" class=\"small\"", "100%");
    if (std::isfinite(threshold) && threshold >= a.lo && threshold <= a.hi && threshold != 100) {
        const char* anchor =
            threshold < 100 ? "text-anchor=\"end\" class=\"small\"" : "text-anchor=\"start\" class=\"small\"";
        const double nudge = threshold < 100 ? -14 : 14;
        out += line(a.at(threshold), y0, a.at(threshold), y1,
                    "stroke=\"#3b4452\" stroke-width=\"1.2\" stroke-dasharray=\"5 4\"") +
               text(a.at(threshold) + nudge, y0 - 6, anchor, "gate " + fmt(threshold) + "%");
    }
    return out;
}

struct RetentionRow {
    std::string label; // raw
    double value;
    st::Interval ci;
    st::GateVerdict verdict;
};

// One row: the interval as a translucent bar (triangles where it leaves the axis), the estimate as a dot, the
// numbers and the verdict as text at the right. NaN: no bar, n/a.
std::string retention_row(const Axis& a, double y, const RetentionRow& r, double text_x) {
    const std::string_view v = st::to_string(r.verdict);
    const char* color = verdict_color(v);
    std::string out;
    const bool bar = !std::isnan(r.ci.lo) && !std::isnan(r.ci.hi);
    if (bar)
        out += line(a.at(r.ci.lo), y, a.at(r.ci.hi), y,
                    "stroke=\"" + std::string(color) + "\" stroke-width=\"8\" stroke-opacity=\"0.35\"");
    if ((bar && r.ci.lo < a.lo) || r.value < a.lo) out += clip_marker(a.p0 - 2, y, -1, 0, color);
    if ((bar && r.ci.hi > a.hi) || r.value > a.hi) out += clip_marker(a.p1 + 2, y, 1, 0, color);
    if (std::isfinite(r.value))
        out += "<circle cx=\"" + px(a.at(r.value)) + "\" cy=\"" + px(y) + "\" r=\"5\" fill=\"" + color + "\"><title>" +
               esc(r.label) + ": retention " + percent_interval(r.value, r.ci) + ", " + std::string(v) +
               "</title></circle>";
    else
        out += text(a.p0 + 6, y + 4, "class=\"muted\"", "n/a");
    out += text(text_x, y + 4, "",
                with_interval(r.value, r.ci) + "  <tspan font-weight=\"600\" fill=\"" + color + "\">" + std::string(v) +
                    "</tspan>");
    return out;
}

// Tick lines, numbers and the axis title under a horizontal axis; light grid lines from `top`.
std::string ticks_x(const Axis& a, double top, double bottom, std::string_view title) {
    std::string out = line(a.p0, bottom, a.p1, bottom, "stroke=\"#8a93a3\"");
    for (int i = 0; i <= a.ticks(); ++i) {
        const double x = a.at(a.tick(i));
        out += line(x, top, x, bottom, "stroke=\"#e6e9ef\"") + line(x, bottom, x, bottom + 4, "stroke=\"#8a93a3\"") +
               text(x, bottom + 16, "text-anchor=\"middle\"", a.label(a.tick(i)));
    }
    return out + text((a.p0 + a.p1) / 2, bottom + 32, "text-anchor=\"middle\" class=\"muted\"", title);
}

std::string svg_open(double width, double height, std::string_view title) {
    return "<svg class=\"chart\" viewBox=\"0 0 " + px(width) + " " + px(height) + "\" width=\"" + px(width) +
           "\" height=\"" + px(height) + "\" role=\"img\"><title>" + std::string(title) + "</title>";
}

std::string retention_chart(const CompareReport& r, const CandidateReport& c) {
    std::vector<RetentionRow> rows;
    for (const auto& t : c.tasks)
        rows.push_back({t.task, t.comparison.retention, t.comparison.retention_ci95, t.verdict});
    rows.push_back({"Average (" + std::to_string(c.average.n_tasks) + " tasks)", c.average.retention,
                    c.average.retention_ci95, c.average_verdict});
    std::vector<double> values;
    for (const auto& row : rows)
        values.insert(values.end(), {row.value, row.ci.lo, row.ci.hi});
    const double kLabelX = 178, kPlot0 = 190, kPlot1 = 630, kTextX = 648, kTop = 30, kRowH = 28, kWidth = 940;
    const Axis a = retention_axis(values, r.gate.min_retention, kPlot0, kPlot1);
    const double gap = 10; // before the average row
    const double bottom = kTop + rows.size() * kRowH + gap;
    std::string out = svg_open(kWidth, bottom + 44, "Retention per task: " + esc(c.label) + " vs " + esc(r.baseline));
    out += ticks_x(a, kTop, bottom, "retention (%): 95% paired bootstrap interval, dot = estimate");
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool average = i + 1 == rows.size();
        const double y = kTop + i * kRowH + kRowH / 2 + (average ? gap : 0);
        if (i % 2 == 1 || average)
            out += "<rect x=\"0\" y=\"" + px(y - kRowH / 2) + "\" width=\"" + px(kWidth) + "\" height=\"" + px(kRowH) +
                   "\" fill=\"#f4f6f9\"/>";
        out += "<text x=\"" + px(kLabelX) + "\" y=\"" + px(y + 4) + "\" text-anchor=\"end\"" +
               (average ? " font-weight=\"600\"" : "") + "><title>" + esc(rows[i].label) + "</title>" +
               esc(shorten(rows[i].label, 24)) + "</text>";
    }
    out += reference_lines_x(a, kTop, bottom, r.gate.min_retention);
    for (std::size_t i = 0; i < rows.size(); ++i) {
        const bool average = i + 1 == rows.size();
        out += retention_row(a, kTop + i * kRowH + kRowH / 2 + (average ? gap : 0), rows[i], kTextX);
    }
    return out + "</svg>\n";
}

struct AccuracyGroup {
    std::string label, note; // raw; note: n x k
    st::Estimate baseline, candidate;
};

// One bar from the axis up to the estimate, a whisker over its 95% interval, the number above.
std::string accuracy_bar(const Axis& y, double x, double w, const st::Estimate& e, const char* color,
                         std::string_view who) {
    if (!std::isfinite(e.value)) return text(x + w / 2, y.p0 - 4, "text-anchor=\"middle\" class=\"small\"", "n/a");
    std::string out = "<rect x=\"" + px(x) + "\" y=\"" + px(y.at(e.value)) + "\" width=\"" + px(w) + "\" height=\"" +
                      px(y.p0 - y.at(e.value)) + "\" fill=\"" + color + "\"><title>" + std::string(who) + ": " +
                      percent_interval(e.value, e.ci95) + "</title></rect>";
    double top = e.value;
    if (std::isfinite(e.ci95.lo) && std::isfinite(e.ci95.hi)) {
        const double cx = x + w / 2;
        out += line(cx, y.at(e.ci95.lo), cx, y.at(e.ci95.hi), "stroke=\"#1d2330\" stroke-width=\"1.3\"") +
               line(cx - 5, y.at(e.ci95.lo), cx + 5, y.at(e.ci95.lo), "stroke=\"#1d2330\" stroke-width=\"1.3\"") +
               line(cx - 5, y.at(e.ci95.hi), cx + 5, y.at(e.ci95.hi), "stroke=\"#1d2330\" stroke-width=\"1.3\"");
        top = std::max(top, e.ci95.hi);
    }
    return out + text(x + w / 2, y.at(top) - 5, "text-anchor=\"middle\" class=\"small\"", fmt(e.value));
}

std::string accuracy_chart(const CompareReport& r, const CandidateReport& c) {
    std::vector<AccuracyGroup> groups;
    for (const auto& t : c.tasks)
        groups.push_back({t.task, std::to_string(t.comparison.n_problems) + " problems", t.comparison.baseline,
                          t.comparison.candidate});
    groups.push_back(
        {"Average", std::to_string(c.average.n_tasks) + " tasks", c.average.baseline, c.average.candidate});
    const double kLeft = 56, kGroupW = 120, kBarW = 38, kTop = 44, kPlotH = 220;
    // The legend is about 7.5 px a glyph; the chart is as wide as its groups or its legend.
    const std::string legend_b = esc(shorten(r.baseline, 30)) + " (baseline)", legend_c = esc(shorten(c.label, 30));
    const double second = kLeft + 48 + 7.5 * code_points(shorten(r.baseline, 30) + " (baseline)");
    const double width =
        std::max({420.0, kLeft + groups.size() * kGroupW + 16, second + 28 + 7.5 * code_points(shorten(c.label, 30))});
    Axis y;
    y.p0 = kTop + kPlotH;
    y.p1 = kTop;
    std::string out =
        svg_open(width, kTop + kPlotH + 48, "Accuracy per variant: " + esc(c.label) + " vs " + esc(r.baseline));
    for (int i = 0; i <= y.ticks(); ++i) {
        const double py = y.at(y.tick(i));
        out += line(kLeft, py, width - 8, py, "stroke=\"#e6e9ef\"") +
               text(kLeft - 6, py + 4, "text-anchor=\"end\"", y.label(y.tick(i)));
    }
    out += text(14, kTop + kPlotH / 2,
                "text-anchor=\"middle\" class=\"muted\" transform=\"rotate(-90 14 " + px(kTop + kPlotH / 2) + ")\"",
                "accuracy (%)");
    out += "<rect x=\"" + px(kLeft) + "\" y=\"10\" width=\"12\" height=\"12\" fill=\"" + kBaselineColor + "\"/>" +
           text(kLeft + 18, 21, "", legend_b) + "<rect x=\"" + px(second) + "\" y=\"10\" width=\"12\" " +
           "height=\"12\" fill=\"" + kCandidateColor + "\"/>" + text(second + 18, 21, "", legend_c);
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        const double x = kLeft + i * kGroupW + (kGroupW - 2 * kBarW - 6) / 2;
        out += accuracy_bar(y, x, kBarW, g.baseline, kBaselineColor, legend_b);
        out += accuracy_bar(y, x + kBarW + 6, kBarW, g.candidate, kCandidateColor, legend_c);
        const double cx = kLeft + i * kGroupW + kGroupW / 2;
        out += "<text x=\"" + px(cx) + "\" y=\"" + px(y.p0 + 18) + "\" text-anchor=\"middle\"><title>" + esc(g.label) +
               "</title>" + esc(shorten(g.label, 15)) + "</text>" +
               text(cx, y.p0 + 34, "text-anchor=\"middle\" class=\"small muted\"", esc(g.note));
    }
    return out + line(kLeft, y.p0, width - 8, y.p0, "stroke=\"#8a93a3\"") + "</svg>\n";
}

std::string td(std::string_view content, std::string_view cls = "") {
    return cls.empty() ? "<td>" + std::string(content) + "</td>"
                       : "<td class=\"" + std::string(cls) + "\">" + std::string(content) + "</td>";
}

std::string b_c(double b, double c, int decimals = 1) {
    return fmt(b, decimals) + " / " + fmt(c, decimals);
}

std::string verdict_cell(st::GateVerdict v) {
    const std::string s(st::to_string(v));
    return td(s, "l v " + std::string(verdict_class(s)));
}

std::string task_table(const CompareReport& r, const CandidateReport& c) {
    std::string out =
        "<div class=\"scroll\"><table class=\"numbers\">\n<tr><th class=\"l\">task</th><th>n &#215; k</th><th>" +
        esc(r.baseline) + " (baseline) acc % [95%]</th><th>" + esc(c.label) +
        " acc % [95%]</th><th>retention % [95%]</th><th>delta points [95%]</th><th>flips +/&#8722;</th>"
        "<th>p</th><th>no answer % b / c</th><th>truncated % b / c</th><th>output tokens b / c</th>"
        "<th class=\"l\">verdict</th></tr>\n";
    for (const auto& t : c.tasks) {
        const st::TaskComparison& m = t.comparison;
        const std::string nk =
            std::to_string(m.n_problems) + "&#215;" + std::to_string(m.baseline_samples) +
            (m.candidate_samples != m.baseline_samples ? "/" + std::to_string(m.candidate_samples) : "");
        out += "<tr>" + td(esc(t.task), "l") + td(nk) + td(with_interval(m.baseline.value, m.baseline.ci95)) +
               td(with_interval(m.candidate.value, m.candidate.ci95)) +
               td(with_interval(m.retention, m.retention_ci95)) + td(with_interval(m.delta, m.delta_ci95)) +
               td("+" + std::to_string(m.flips.gained.size()) + " / &#8722;" + std::to_string(m.flips.lost.size())) +
               td(fmt(m.test.p_value, 3)) + td(b_c(t.baseline.no_answer_rate, t.candidate.no_answer_rate)) +
               td(b_c(t.baseline.truncation_rate, t.candidate.truncation_rate)) +
               td(b_c(t.baseline.mean_completion_tokens, t.candidate.mean_completion_tokens, 0)) +
               verdict_cell(t.verdict) + "</tr>\n";
    }
    const st::AverageRow& a = c.average;
    out += "<tr class=\"avg\">" + td("Average (" + std::to_string(a.n_tasks) + " tasks)", "l") + td("") +
           td(with_interval(a.baseline.value, a.baseline.ci95)) +
           td(with_interval(a.candidate.value, a.candidate.ci95)) + td(with_interval(a.retention, a.retention_ci95)) +
           td(with_interval(a.delta, a.delta_ci95)) + "<td></td><td></td><td></td><td></td><td></td>" +
           verdict_cell(c.average_verdict) + "</tr>\n</table></div>\n";
    return out;
}

// "2026-11-24T03:00:00Z" -> "11-24" for a tick; anything else shortened.
std::string tick_date(const std::string& created_at) {
    if (created_at.size() >= 10 && created_at[4] == '-' && created_at[7] == '-') return esc(created_at.substr(5, 5));
    return esc(shorten(created_at, 8));
}

// The interval over consecutive points as a shaded band (runs of points with an interval), whiskers for a point
// alone, the estimates joined by a line (broken where one is n/a), each dot coloured by its verdict with a tooltip.
std::string trend_marks(const std::vector<TrendPoint>& pts, const Axis& y, const std::vector<double>& xs) {
    std::string out;
    auto has_ci = [&](std::size_t i) {
        return !std::isnan(pts[i].retention_ci95.lo) && !std::isnan(pts[i].retention_ci95.hi);
    };
    for (std::size_t i = 0; i < pts.size();) {
        std::size_t j = i;
        while (j < pts.size() && has_ci(j))
            ++j;
        if (j - i >= 2) {
            std::string poly;
            for (std::size_t k = i; k < j; ++k)
                poly += px(xs[k]) + "," + px(y.at(pts[k].retention_ci95.hi)) + " ";
            for (std::size_t k = j; k-- > i;)
                poly += px(xs[k]) + "," + px(y.at(pts[k].retention_ci95.lo)) + " ";
            out += "<polygon points=\"" + poly + "\" fill=\"#4b5fa8\" fill-opacity=\"0.15\"/>";
        } else if (j - i == 1) {
            out += line(xs[i], y.at(pts[i].retention_ci95.lo), xs[i], y.at(pts[i].retention_ci95.hi),
                        "stroke=\"#4b5fa8\" stroke-opacity=\"0.5\" stroke-width=\"3\"");
        }
        for (std::size_t k = i; k < j; ++k) {
            if (pts[k].retention_ci95.lo < y.lo) out += clip_marker(xs[k], y.p0 + 2, 0, 1, "#4b5fa8");
            if (pts[k].retention_ci95.hi > y.hi) out += clip_marker(xs[k], y.p1 - 2, 0, -1, "#4b5fa8");
        }
        i = std::max(j, i + 1);
    }
    std::string path;
    bool pen_down = false;
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const bool ok = std::isfinite(pts[i].retention);
        if (ok) path += (pen_down ? " L" : " M") + px(xs[i]) + " " + px(y.at(pts[i].retention));
        pen_down = ok;
    }
    if (!path.empty()) out += "<path d=\"" + path + "\" fill=\"none\" stroke=\"#4b5fa8\" stroke-width=\"1.5\"/>";
    for (std::size_t i = 0; i < pts.size(); ++i) {
        const TrendPoint& p = pts[i];
        const std::string tip = "<title>" + esc(p.created_at) + ": retention " +
                                percent_interval(p.retention, p.retention_ci95) + ", " + esc(p.verdict) + "</title>";
        if (std::isfinite(p.retention) && (p.retention < y.lo || p.retention > y.hi))
            out += clip_marker(xs[i], p.retention < y.lo ? y.p0 + 2 : y.p1 - 2, 0, p.retention < y.lo ? 1 : -1,
                               verdict_color(p.verdict));
        if (std::isfinite(p.retention))
            out += "<circle cx=\"" + px(xs[i]) + "\" cy=\"" + px(y.at(p.retention)) + "\" r=\"4\" fill=\"" +
                   verdict_color(p.verdict) + "\">" + tip + "</circle>";
        else
            out += "<text x=\"" + px(xs[i]) + "\" y=\"" + px(y.p0 - 4) + "\" text-anchor=\"middle\" class=\"small " +
                   "muted\">" + tip + "n/a</text>";
    }
    return out;
}

std::string trend_chart(const std::vector<TrendPoint>& pts, double threshold) {
    const double kW = 340, kH = 190, kLeft = 44, kRight = 12, kTop = 18, kBottom = 36;
    std::vector<double> values;
    for (const auto& p : pts)
        values.insert(values.end(), {p.retention, p.retention_ci95.lo, p.retention_ci95.hi});
    Axis y = retention_axis(values, threshold, kH - kBottom, kTop);
    std::vector<double> xs;
    const double x0 = kLeft + 14, x1 = kW - kRight - 14;
    for (std::size_t i = 0; i < pts.size(); ++i)
        xs.push_back(x0 + (x1 - x0) * i / static_cast<double>(pts.size() - 1));
    std::string out = svg_open(kW, kH, "Retention over the stored comparisons");
    for (int i = 0; i <= y.ticks(); ++i) {
        const double py = y.at(y.tick(i));
        out += line(kLeft, py, kW - kRight, py, "stroke=\"#eef0f4\"") +
               text(kLeft - 5, py + 4, "text-anchor=\"end\" class=\"small\"", y.label(y.tick(i)));
    }
    out += line(kLeft, y.at(100), kW - kRight, y.at(100), "stroke=\"#3b4452\" stroke-width=\"1\"");
    if (std::isfinite(threshold) && threshold >= y.lo && threshold <= y.hi && threshold != 100)
        out += line(kLeft, y.at(threshold), kW - kRight, y.at(threshold),
                    "stroke=\"#3b4452\" stroke-width=\"1\" stroke-dasharray=\"5 4\"");
    const std::size_t every = (pts.size() + 5) / 6; // at most 6 date labels
    for (std::size_t i = 0; i < pts.size(); ++i) {
        out += line(xs[i], y.p0, xs[i], y.p0 + 4, "stroke=\"#8a93a3\"");
        // the newest always; the others every `every`, unless too close to the newest
        if (i + 1 == pts.size() || (i % every == 0 && (every == 1 || pts.size() - 1 - i >= every)))
            out += text(xs[i], y.p0 + 16, "text-anchor=\"middle\" class=\"small\"",
                        "<title>" + esc(pts[i].created_at) + "</title>" + tick_date(pts[i].created_at));
    }
    out += line(kLeft, y.p0, kW - kRight, y.p0, "stroke=\"#8a93a3\"") +
           text((kLeft + kW - kRight) / 2, kH - 4, "text-anchor=\"middle\" class=\"small muted\"",
                "comparison (date); retention %, band = 95% interval");
    return out + trend_marks(pts, y, xs) + "</svg>";
}

// Tasks in report order, then any others the map holds.
std::vector<std::string> task_order(const CandidateReport& c) {
    std::vector<std::string> order;
    for (const auto& t : c.tasks)
        order.push_back(t.task);
    auto add = [&](const std::string& t) {
        if (std::find(order.begin(), order.end(), t) == order.end()) order.push_back(t);
    };
    for (const auto& [task, _] : c.trend)
        add(task);
    for (const auto& f : c.flipped)
        add(f.task);
    return order;
}

std::string trend_section(const CompareReport& r, const CandidateReport& c) {
    std::string out = "<div class=\"trend\">\n";
    for (const auto& task : task_order(c)) {
        auto it = c.trend.find(task);
        const std::size_t n = it == c.trend.end() ? 0 : it->second.size();
        out += "<figure><figcaption>" + esc(task) + " <span class=\"muted\">(" + std::to_string(n) +
               " stored)</span></figcaption>";
        out += n >= 2 ? trend_chart(it->second, gate_for(r, it->first).min_retention)
                      : std::string("<p class=\"muted nohistory\">no history yet</p>");
        out += "</figure>\n";
    }
    return out + "</div>\n";
}

// A response in a <pre> holding nothing but escaped text, cut at kMaxResponseBytes on a UTF-8 boundary with a note
// after it.
std::string response_block(const std::string& response) {
    if (response.empty()) return "<pre class=\"muted\">(empty)</pre>";
    if (response.size() <= kMaxResponseBytes) return "<pre>" + esc(response) + "</pre>";
    return "<pre>" + esc(core::preview(response, kMaxResponseBytes)) +
           "</pre><p class=\"muted small\">(cut: " + std::to_string(response.size()) + " bytes in all)</p>";
}

std::string answer_cell(const std::string& extracted, const std::string& verdict) {
    return td((extracted.empty() ? std::string("<span class=\"muted\">(none)</span>")
                                 : "<code>" + esc(extracted) + "</code>") +
                  " <span class=\"" + std::string(verdict_class(verdict == "correct" ? "pass" : "fail")) + "\">" +
                  esc(verdict) + "</span>",
              "l");
}

// Per task and axis, a collapsed table: each group's accuracy on both sides, recovery and delta.
std::string breakdown_section(const CompareReport& r, const CandidateReport& c) {
    std::string out;
    for (const auto& t : c.tasks)
        for (const auto& b : t.breakdowns) {
            out += "<details><summary>" + esc(t.task) + " by " + esc(b.axis) + " (" + std::to_string(b.rows.size()) +
                   " groups)</summary>\n<div class=\"scroll\"><table class=\"numbers\"><tr><th class=\"l\">" +
                   esc(b.axis) + "</th><th>n</th><th>" + esc(r.baseline) + " acc % [95%]</th><th>" + esc(c.label) +
                   " acc % [95%]</th><th>recovery %</th><th>delta points [95%]</th></tr>\n";
            for (const auto& g : b.rows)
                out += "<tr>" + td(esc(g.category), "l") + td(std::to_string(g.baseline.n_problems)) +
                       td(with_interval(g.baseline.value, g.baseline.ci95)) +
                       td(with_interval(g.candidate.value, g.candidate.ci95)) + td(fmt(g.retention)) +
                       td(with_interval(g.delta, g.delta_ci95)) + "</tr>\n";
            out += "</table></div></details>\n";
        }
    return out.empty() ? "<p class=\"muted\">No breakdowns stored for these tasks.</p>\n" : out;
}

std::string flipped_section(const CandidateReport& c) {
    if (c.flipped.empty()) return "<p class=\"muted\">No flipped problems.</p>\n";
    std::string out;
    for (const auto& task : task_order(c)) {
        std::vector<const FlippedProblem*> rows;
        for (const auto& f : c.flipped)
            if (f.task == task) rows.push_back(&f);
        if (rows.empty()) continue;
        const auto gained =
            static_cast<std::size_t>(std::count_if(rows.begin(), rows.end(), [](auto* f) { return f->gained; }));
        auto t = std::find_if(c.tasks.begin(), c.tasks.end(), [&](const TaskReport& x) { return x.task == task; });
        const std::string totals = t == c.tasks.end()
                                       ? std::string()
                                       : "+" + std::to_string(t->comparison.flips.gained.size()) + " / &#8722;" +
                                             std::to_string(t->comparison.flips.lost.size()) + " in all; ";
        out += "<h4>" + esc(task) + " <span class=\"muted\">(" + totals + "shown: " + std::to_string(gained) +
               " gained, " + std::to_string(rows.size() - gained) +
               " lost)</span></h4>\n<table class=\"flips\">\n<tr>"
               "<th class=\"l\">change</th><th class=\"l\">problem</th><th class=\"l\">baseline answer</th>"
               "<th class=\"l\">candidate answer</th></tr>\n";
        for (const FlippedProblem* f : rows) {
            out += "<tr class=\"flip\">" + td(f->gained ? "gained" : "lost", f->gained ? "l v pass" : "l v fail") +
                   td("<code>" + esc(f->problem_id) + "</code>", "l") +
                   answer_cell(f->baseline_extracted, f->baseline_verdict) +
                   answer_cell(f->candidate_extracted, f->candidate_verdict) + "</tr>\n";
            out += "<tr class=\"responses\"><td colspan=\"4\" class=\"l\"><details><summary>responses</summary>"
                   "<div class=\"pair\"><div><div class=\"who\">baseline</div>" +
                   response_block(f->baseline_response) + "</div><div><div class=\"who\">candidate</div>" +
                   response_block(f->candidate_response) + "</div></div></details></td></tr>\n";
        }
        out += "</table>\n";
    }
    return out;
}

constexpr const char* kCss = R"css(
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1d2330;margin:24px auto;
 max-width:1280px;padding:0 20px}
h1{font-size:22px;margin:0 0 10px} h3{font-size:15px;margin:22px 0 6px} h4{font-size:14px;margin:16px 0 4px}
h2{font-size:18px;border-bottom:2px solid #d8dde6;padding-bottom:4px;margin:36px 0 8px}
.muted{color:#5f6b7a} .small{font-size:11px} .l{text-align:left} .v{font-weight:600}
.pass{color:#2e7d32} .fail{color:#c62828} .inconclusive{color:#a36500} .other{color:#5f6b7a}
.gate,.warnings{padding:8px 12px;margin:8px 0;border-left:4px solid #8a9bb5;background:#f3f5f8}
.warnings{border-color:#d48a00;background:#fff8e8} .warnings ul{margin:4px 0;padding-left:20px}
svg.chart{display:block;max-width:100%;height:auto;font-family:inherit;font-size:12px}
svg.chart text{fill:#1d2330} svg.chart text.muted{fill:#5f6b7a}
table{border-collapse:collapse;font-size:13px;margin:6px 0} .scroll{overflow-x:auto}
th,td{border:1px solid #d8dde6;padding:4px 8px;text-align:right;vertical-align:top}
th{background:#f3f5f8;font-weight:600} tr.avg td{font-weight:600;background:#f8f9fb}
table.numbers td{white-space:nowrap} table.numbers td.l{white-space:normal;overflow-wrap:anywhere;min-width:10em}
.trend{display:flex;flex-wrap:wrap;gap:14px 24px} .trend figure{margin:0;min-width:220px}
.trend figcaption{font-weight:600;max-width:340px;overflow-wrap:anywhere} .nohistory{margin:6px 0}
table.flips{width:100%} tr.flip td{border-bottom:0} tr.responses td{border-top:0;padding-top:0}
code{font-size:12px;overflow-wrap:anywhere} details summary{cursor:pointer;color:#34588c;font-size:12px}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:12px;margin-top:6px} .pair>div{min-width:0}
.who{font-weight:600;font-size:12px} footer{margin-top:36px;font-size:12px}
pre{white-space:pre-wrap;overflow-wrap:anywhere;max-height:28em;overflow:auto;background:#f7f8fa;
 border:1px solid #e1e5eb;padding:8px;margin:4px 0;font-size:12px}
)css";

std::string gate_text(const CompareReport& r) {
    std::string rule = gate_rule(r.gate);
    std::string out = "<p class=\"gate\"><b>Gate</b>: " + esc(rule) + ".";
    for (const auto& [task, g] : r.task_gates)
        out += " <b>" + esc(task) + "</b>: " + esc(gate_rule(g)) + ".";
    return out + "</p>\n";
}

std::string candidate_section(const CompareReport& r, const CandidateReport& c) {
    const std::string v(st::to_string(c.average_verdict));
    std::string out = "<section class=\"candidate\">\n<h2>" + esc(c.label) + " vs " + esc(r.baseline) +
                      " <span class=\"v " + std::string(verdict_class(v)) + "\">average: " + v + "</span></h2>\n";
    out += "<h3>Retention per task</h3>\n" + retention_chart(r, c);
    out += "<h3>Accuracy per variant</h3>\n" + accuracy_chart(r, c);
    out += "<h3>Per task</h3>\n" + task_table(r, c);
    out += "<h3>Trend</h3>\n" + trend_section(r, c);
    out += "<h3>Breakdowns</h3>\n" + breakdown_section(r, c);
    out += "<h3>Flipped problems</h3>\n" + flipped_section(c);
    return out + "</section>\n";
}

} // namespace

std::string html_page(const std::string& title, const std::string& body) {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           title + "</title>\n<style>" + kCss + "</style>\n</head>\n<body>\n<h1>" + title + "</h1>\n" + body +
           "</body>\n</html>\n";
}

std::string compare_html_body(const CompareReport& r) {
    std::string out = gate_text(r);
    if (!r.warnings.empty()) {
        out += "<div class=\"warnings\"><b>Warnings</b>\n<ul>\n";
        for (const auto& w : r.warnings)
            out += "<li>" + esc(w) + "</li>\n";
        out += "</ul></div>\n";
    }
    if (r.candidates.empty()) out += "<p>Nothing to compare.</p>\n";
    for (const auto& c : r.candidates)
        out += candidate_section(r, c);
    out += "<footer class=\"muted\">Intervals: paired bootstrap over problems, " + std::to_string(r.resamples) +
           " resamples; accuracy and retention in percent, delta in points; n &#215; k: paired problems &#215; "
           "samples per problem; b / c: baseline / candidate. No answer, truncated and output tokens are over each "
           "side's own graded samples.</footer>\n";
    return out;
}

std::string to_html(const CompareReport& r) {
    return html_page("qeval: retention against " + esc(r.baseline), compare_html_body(r));
}

} // namespace qeval::reports
