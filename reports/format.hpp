// Number formatting shared by the text renderers (Markdown, HTML, the history table): fixed decimals, "n/a" for
// what is not finite, and "x [lo, hi]" for an estimate with its interval.
#pragma once

#include <string>

#include "core/stats/stats.hpp"

namespace qeval::reports {

std::string fmt(double x, int decimals = 1);
std::string with_interval(double x, const core::stats::Interval& interval);

} // namespace qeval::reports
