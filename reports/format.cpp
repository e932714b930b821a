// See format.hpp.
#include "reports/format.hpp"

#include <cmath>
#include <cstdio>

#include "core/text.hpp"
#include "reports/compare_report.hpp"

namespace qeval::reports {

// The one escape for text and attribute contexts: invalid UTF-8 becomes U+FFFD first, control characters that HTML
// rejects too, then & < > " ' become references, so nothing from the data can open or close a tag or an attribute.
std::string esc(std::string_view raw) {
    constexpr std::string_view kSpecial = "&<>\"'";
    constexpr const char* kReference[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    const std::string s = core::to_valid_utf8(raw);
    std::string out;
    out.reserve(s.size() + s.size() / 8);
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (const std::size_t k = kSpecial.find(c); k != std::string_view::npos)
            out += kReference[k];
        else if ((u < 0x20 && c != '\n' && c != '\t' && c != '\r') || u == 0x7F)
            out += "\xEF\xBF\xBD";
        else
            out += c;
    }
    return out;
}

// Markdown table cells: '|' escaped, line breaks become spaces, '<' and '>' become references (Markdown viewers
// render inline HTML: "<!--" from a label would hide the rest), invalid UTF-8 replaced.
std::string cell(std::string_view text) {
    std::string out;
    for (char c : core::to_valid_utf8(text)) {
        if (c == '|')
            out += "\\|";
        else if (c == '\n' || c == '\r')
            out += ' ';
        else if (c == '<') // Markdown viewers render inline HTML: "<!--" from a label would hide the rest
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

std::string fmt(double x, int decimals) {
    if (!std::isfinite(x)) return "n/a";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}

std::string with_interval(double x, const core::stats::Interval& i) {
    if (!std::isfinite(i.lo) || !std::isfinite(i.hi)) return fmt(x);
    return fmt(x) + " [" + fmt(i.lo) + ", " + fmt(i.hi) + "]";
}

const core::stats::GateOptions& gate_for(const CompareReport& r, const std::string& task) {
    auto it = r.task_gates.find(task);
    return it == r.task_gates.end() ? r.gate : it->second;
}

std::string gate_rule(const core::stats::GateOptions& g) {
    using core::stats::GuardMode;
    const std::string drop = g.max_drop_points ? fmt(*g.max_drop_points) : std::string();
    std::string out = "pass when ";
    if (g.mode == GuardMode::points && g.max_drop_points)
        out += "the delta interval's lower bound is at least -" + drop + " points";
    else {
        out += "the retention interval's lower bound is at least " + fmt(g.min_retention) + "%";
        if (g.max_drop_points)
            out += std::string(g.mode == GuardMode::either ? ", or" : ", and") +
                   " the delta interval's lower bound at least -" + drop + " points";
    }
    return out + "; fail when the upper bound is below; inconclusive otherwise";
}

} // namespace qeval::reports
