// Statistics on scored samples: pure functions on values, no I/O. Per run: accuracy (avg@k) with a standard error
// clustered by problem, pass@k (unbiased), maj@k, per-category breakdowns. Paired comparison of a candidate with the
// baseline: retention and delta with paired bootstrap intervals, flips, McNemar / sign-flip permutation test, minimum
// detectable drop; the average row (ratio of the averages); the pass / fail / inconclusive gate.
// Units: accuracies, retention and their intervals in percent; deltas and drops in percentage points.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/types.hpp"

namespace qeval::core::stats {

inline constexpr std::uint64_t kDefaultSeed = 20240917; // the bootstrap's and permutation test's fixed default seed
inline constexpr int kDefaultResamples = 10000;
inline constexpr int kDefaultPermutations = 10000;

// ---- input -------------------------------------------------------------------------------------------------------

// One stored sample, as `qeval compare` reads it from the samples table.
struct SampleRow {
    std::string problem_id;
    int sample_index = 0;
    Verdict verdict = Verdict::error;
    std::string extracted;     // the extracted answer (empty: none)
    std::string finish_reason; // "length" counts as truncated
    std::int64_t completion_tokens = 0;
};

// One problem's samples, counted. Samples whose verdict is `error` are not graded and count for nothing but
// `samples`; a problem with no graded sample is left out of every statistic (and counted as excluded).
struct ProblemScore {
    std::string id;
    std::string category; // optional label for breakdowns (MMLU-Pro category, AIME year...), set by the caller
    int samples = 0;      // rows, errors included
    int graded = 0;       // rows whose verdict is not error
    int correct = 0;
    int no_answer = 0;
    int truncated = 0;                  // graded rows whose finish_reason is "length"
    std::int64_t completion_tokens = 0; // over graded rows
    bool majority_correct = false;      // maj@graded: see majority_vote()

    double mean() const { return graded > 0 ? static_cast<double>(correct) / graded : 0.0; }
};

// Groups rows by problem id (result sorted by id); throws Error(input) on a repeated (problem id, sample index).
std::vector<ProblemScore> score_problems(std::span<const SampleRow> rows);

// maj@k of one problem, following NeMo-Skills (nemo_skills/evaluation/metrics/base.py, _compute_majority_at_k):
// the first k graded rows by sample index (k <= 0: all) vote with (extracted answer, correct) pairs, rows with an
// empty extracted answer do not vote, the most frequent pair wins and ties go to the smallest pair (answer bytewise,
// then incorrect before correct; NeMo-Skills sorts the pairs before Counter.most_common). No vote: incorrect.
// Answers are compared as stored strings: normalise them first if "1/2" and "\frac12" should vote together.
struct MajorityVote {
    std::string answer; // empty when nobody voted
    bool correct = false;
    int votes = 0;
};
MajorityVote majority_vote(std::span<const SampleRow> problem_rows, int k = 0);

// ---- one run -----------------------------------------------------------------------------------------------------

struct Interval {
    double lo = 0, hi = 0;
};

// A mean over problems of a per-problem value in [0, 1], in percent. std_error is clustered by problem: the sample
// standard deviation (n - 1) of the per-problem values over sqrt(n), which is the cluster-robust standard error of
// the sample-level mean when problems have equal sample counts (Miller 2024, "Adding Error Bars to Evals"),
// with the small-sample factor n / (n - 1). ci95 = value +- z_0.975 * std_error, clamped to [0, 100]. With fewer
// than 2 problems std_error and ci95 are NaN; with none, value is NaN too.
struct Estimate {
    int n_problems = 0;
    double value = 0;
    double std_error = 0;
    Interval ci95;
};
Estimate mean_estimate(std::span<const double> per_problem); // the values in [0, 1]; the result in percent

struct RunSummary {
    int n_problems = 0;          // problems with at least one graded sample
    int n_excluded = 0;          // problems whose samples were all errors
    int samples_per_problem = 0; // k: the most rows seen for one problem
    int n_samples = 0, n_errors = 0;
    Estimate accuracy;                 // avg@k: mean over problems of correct / graded
    std::optional<Estimate> pass_at_k; // k = samples_per_problem, when k > 1 (see pass_at_k)
    std::optional<Estimate> maj_at_k;  // when k > 1: ProblemScore::majority_correct
    double no_answer_rate = 0;         // percent of graded samples
    double truncation_rate = 0;        // percent of graded samples that stopped for length
    double mean_completion_tokens = 0; // over graded samples
};
RunSummary summarize(std::span<const ProblemScore> problems);

// Unbiased pass@k of one problem with n graded samples of which c are correct (Chen et al. 2021, "Evaluating Large
// Language Models Trained on Code", fig. 3): 1 - C(n-c, k) / C(n, k), as the product 1 - prod_{i=n-c+1..n} (1 - k/i).
// Needs 1 <= k <= n and 0 <= c <= n (QEVAL_CHECK).
double pass_at_k(int n, int c, int k);
// pass@k over problems; problems with fewer than k graded samples are left out (n_problems says how many entered).
Estimate pass_at_k(std::span<const ProblemScore> problems, int k);

// Problems grouped by ProblemScore::category (ordered by category); feed each group to summarize() or compare().
std::map<std::string, std::vector<ProblemScore>> group_by_category(std::span<const ProblemScore> problems);

// ---- paired comparison -------------------------------------------------------------------------------------------

struct CompareOptions {
    int resamples = kDefaultResamples;       // paired bootstrap over problems
    int permutations = kDefaultPermutations; // sign-flip test when k > 1; 0: no test
    std::uint64_t seed = kDefaultSeed;
};

enum class PairedTestMethod {
    none,                  // no paired problems, or permutations = 0 with k > 1
    mcnemar_exact,         // k = 1 on both sides: exact two-sided binomial on the discordant pairs
    sign_flip_exact,       // k > 1, at most `permutations` sign patterns: all of them enumerated
    sign_flip_permutation, // k > 1: `permutations` random sign patterns
};
std::string_view to_string(PairedTestMethod m);

// McNemar: statistic = min(lost, gained), n_used = discordant pairs, p = min(1, 2 P(X <= statistic)) with
// X ~ Binomial(n_used, 1/2), always exact (statsmodels' mcnemar(exact=True); the same as scipy's two-sided
// binomtest at p = 1/2). Sign flip: the per-problem differences d = candidate mean - baseline mean, statistic = mean
// of d in points, n_used = non-zero d; p = P(|sum s_i d_i| >= |sum d_i|) over signs s; exact when 2^n_used <=
// permutations (as scipy.stats.permutation_test), else (1 + hits) / (1 + permutations).
struct PairedTest {
    PairedTestMethod method = PairedTestMethod::none;
    double statistic = 0;
    double p_value = 1;
    int n_used = 0;
};

// The drop a paired comparison of this n detects with `power` at two-sided level `alpha`:
// (z_{1-alpha/2} + z_power) * sd / sqrt(n), sd the standard deviation of per-problem differences (points).
struct MinDetectableDrop {
    double points = 0;              // percentage points
    double percent_of_baseline = 0; // the same drop relative to the baseline: 100 - this is the retention it detects
    double sd_points = 0;           // the standard deviation used
};
MinDetectableDrop min_detectable_drop(double sd_points, int n, double baseline_accuracy, double alpha = 0.05,
                                      double power = 0.8);
// Before a candidate exists: sd of the baseline's per-problem accuracies stands in for sd of the differences (a
// rough guide: a candidate strongly correlated with its baseline varies less, an unrelated model more).
MinDetectableDrop min_detectable_drop(std::span<const ProblemScore> baseline, double alpha = 0.05, double power = 0.8);

struct Flips {
    std::vector<std::string> gained, lost; // problem ids (sorted): solved by a strict majority of samples in one only
};

// One task's baseline and candidate problems; ids pair them. The caller keeps the vectors alive.
struct PairedTask {
    std::string task;
    std::span<const ProblemScore> baseline;
    std::span<const ProblemScore> candidate;
};

// Everything is over the paired problems: graded at least once on both sides. The bootstrap resamples them with
// replacement (`resamples` times, SplitMix64 seeded by derive_seed("bootstrap:" + task, seed), so a task's numbers
// do not depend on which other tasks are compared with it, nor on the order of the problems; the permutation test's
// stream is derive_seed("permutation:" + task, seed)); intervals are percentile intervals (numpy's linear
// interpolation, as scipy.stats.bootstrap(method="percentile")). Retention is NaN when the baseline accuracy is 0;
// resamples whose baseline mean is 0 give +inf retention (candidate > 0) or are left out (both 0, counted).
struct TaskComparison {
    std::string task;
    int n_problems = 0;                              // paired problems
    int n_baseline_only = 0, n_candidate_only = 0;   // graded on one side only: left out
    int baseline_samples = 0, candidate_samples = 0; // k: the most graded samples for one problem
    Estimate baseline, candidate;                    // accuracy over the paired problems
    double retention = 0;                            // 100 * candidate / baseline
    Interval retention_ci95;
    double delta = 0; // candidate - baseline, points
    Interval delta_ci95;
    Flips flips;
    PairedTest test;       // McNemar when every paired problem has one graded sample on each side, else sign flips
    MinDetectableDrop mdd; // from the sd of the per-problem differences
    int undefined_resamples = 0;
};
TaskComparison compare(const PairedTask& task, const CompareOptions& options = {});

// The average row (Red Hat's "Recovery" convention): retention = mean over tasks of the candidate's accuracy / mean
// of the baseline's, each task weighted equally. Its intervals come from the tasks' own bootstrap resamples, summed
// per resample index (problems resampled within each task, jointly per resample). Accuracy intervals: the tasks'
// standard errors combined, sqrt(sum se^2) / n_tasks.
struct AverageRow {
    int n_tasks = 0;              // tasks with paired problems
    Estimate baseline, candidate; // n_problems: paired problems over all tasks
    double retention = 0;
    Interval retention_ci95;
    double delta = 0;
    Interval delta_ci95;
};
struct SuiteComparison {
    std::vector<TaskComparison> tasks; // each exactly as compare() gives it
    AverageRow average;
};
SuiteComparison compare_suite(std::span<const PairedTask> tasks, const CompareOptions& options = {});

// A task's paired problems broken down by the baseline side's ProblemScore::category (MMLU-Pro category, MATH
// subject or level, LiveCodeBench difficulty...), ordered by category. Each side's avg@k with its clustered interval
// (mean_estimate); retention as a point estimate; delta with a paired normal interval, mean of the per-problem
// differences +- z_0.975 * sd / sqrt(n) (NaN below 2 problems). No bootstrap: a breakdown describes where a drop
// lives, the gate stays on the whole task.
struct CategoryComparison {
    std::string category;
    Estimate baseline, candidate;
    double retention = 0;
    double delta = 0; // points
    Interval delta_ci95;
};
std::vector<CategoryComparison> compare_by_category(const PairedTask& task);

// ---- gate --------------------------------------------------------------------------------------------------------

enum class GateVerdict { pass, fail, inconclusive };
std::string_view to_string(GateVerdict v);

// How a points guard combines with the retention threshold.
//  either: the allowed drop is the larger of (100 - min_retention)% of the baseline and max_drop_points. Made for
//          low-accuracy tasks, where a relative threshold is a fraction of a point (98% of 10% allows 0.2 points) and
//          retention intervals are wide: pass if either criterion passes, fail only if both fail.
//  both:   both must hold: pass only if both pass, fail if either fails. Made for high-accuracy tasks, where 98%
//          retention still allows a drop of almost 2 points.
//  points: the points criterion alone, min_retention unused (night over night on one variant: `qeval nightly`'s
//          regression gate, where the allowed drop is stated in points).
enum class GuardMode { either, both, points };
std::string_view to_string(GuardMode m);
std::optional<GuardMode> guard_mode_from_string(std::string_view name);

// One criterion: pass if the interval's lower bound >= threshold, fail if its upper bound < threshold, otherwise
// (or when the interval is NaN) inconclusive. Retention against min_retention; delta against -max_drop_points.
struct GateOptions {
    double min_retention = 98.0;           // percent
    std::optional<double> max_drop_points; // the guard, in points (e.g. 1.0); none: retention alone
    GuardMode mode = GuardMode::either;
};
GateVerdict criterion(Interval ci, double threshold); // one criterion, as described above
GateVerdict gate(Interval retention_ci95, Interval delta_ci95, const GateOptions& options);
GateVerdict gate(const TaskComparison& c, const GateOptions& options);
GateVerdict gate(const AverageRow& a, const GateOptions& options);

// ---- building blocks (exposed for tests) -------------------------------------------------------------------------

double normal_quantile(double p); // inverse standard normal CDF, 0 < p < 1
// The (1 - level) / 2 and (1 + level) / 2 quantiles of `values` (reordered; NaN must be removed), with numpy's
// default linear interpolation between order statistics. Empty: NaN.
Interval percentile_interval(std::span<double> values, double level = 0.95);
// Two-sided exact binomial p-value at 1/2: min(1, 2 P(X <= min(a, b))), X ~ Binomial(a + b, 1/2).
double binomial_two_sided_half(int a, int b);
// The sign-flip test on per-problem differences (any unit); exact or random as described at PairedTest.
PairedTest sign_flip_test(std::span<const double> differences, int permutations, std::uint64_t seed);

} // namespace qeval::core::stats
