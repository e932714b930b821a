// Escapes and number formatting shared by the text renderers (Markdown, HTML, the history table): fixed decimals, "n/a"
// for what is not finite, and "x [lo, hi]" for an estimate with its interval; the gate's rule in words.
#pragma once

#include <string>
#include <string_view>

#include "core/stats/stats.hpp"

namespace qeval::reports {

// HTML text and attribute contexts: invalid UTF-8 and control characters become U+FFFD, & < > " ' references.
std::string esc(std::string_view raw);
// A Markdown table cell's text: '|' escaped, line breaks as spaces, '<' '>' as references, invalid UTF-8 replaced.
std::string cell(std::string_view text);

std::string fmt(double x, int decimals = 1);
std::string with_interval(double x, const core::stats::Interval& interval);
// The gate in words (plain text, no markup): "pass when the retention interval's lower bound is at least 98.0%, ...".
std::string gate_rule(const core::stats::GateOptions& gate);

} // namespace qeval::reports
