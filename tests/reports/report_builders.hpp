// Small builders for hand-made compare reports in the renderer tests.
#pragma once

#include "core/stats/stats.hpp"

namespace qeval::test {

// An estimate with a symmetric 95% interval of half-width `half`.
inline core::stats::Estimate estimate(int n, double value, double half) {
    return {n, value, half / 1.96, {value - half, value + half}};
}

inline core::stats::RunSummary summary(int n, int k, double accuracy, double no_answer, double truncated, double tokens,
                                       double half) {
    core::stats::RunSummary s;
    s.n_problems = n;
    s.samples_per_problem = k;
    s.n_samples = n * k;
    s.accuracy = estimate(n, accuracy, half);
    s.no_answer_rate = no_answer;
    s.truncation_rate = truncated;
    s.mean_completion_tokens = tokens;
    return s;
}

} // namespace qeval::test
