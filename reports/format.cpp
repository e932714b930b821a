// See format.hpp.
#include "reports/format.hpp"

#include <cmath>
#include <cstdio>

namespace qeval::reports {

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

} // namespace qeval::reports
