// Statistics on scored samples (see stats.hpp for definitions and conventions). The bootstrap's hot loop keeps the
// paired per-problem means interleaved in one array (fixed point), draws two indices per SplitMix64 output with
// Lemire's bounded multiply, and allocates nothing per resample.
#include "core/stats/stats.hpp"

#include <algorithm>
#include <bit>
#include <cfloat>
#include <cmath>
#include <limits>
#include <numbers>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "core/rng.hpp"

namespace qeval::core::stats {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kLevel = 0.95;

// ---- input -------------------------------------------------------------------------------------------------------

// `rows` of one problem, sorted by sample index: the NeMo-Skills vote (see stats.hpp).
MajorityVote vote(std::span<const SampleRow* const> rows, int k) {
    std::map<std::pair<std::string_view, bool>, int> counts;
    int taken = 0;
    for (const SampleRow* r : rows) {
        if (r->verdict == Verdict::error) continue;
        if (k > 0 && taken == k) break;
        ++taken;
        if (!r->extracted.empty()) ++counts[{r->extracted, r->verdict == Verdict::correct}];
    }
    MajorityVote best;
    for (const auto& [key, n] : counts) // ordered: the first of the largest count is the smallest pair
        if (n > best.votes) best = MajorityVote{std::string(key.first), key.second, n};
    return best;
}

std::vector<const SampleRow*> sorted_rows(std::span<const SampleRow> rows) {
    std::vector<const SampleRow*> out;
    out.reserve(rows.size());
    for (const SampleRow& r : rows)
        out.push_back(&r);
    std::sort(out.begin(), out.end(), [](const SampleRow* a, const SampleRow* b) {
        if (a->problem_id != b->problem_id) return a->problem_id < b->problem_id;
        return a->sample_index < b->sample_index;
    });
    for (std::size_t i = 1; i < out.size(); ++i)
        QEVAL_CHECK(out[i - 1]->problem_id != out[i]->problem_id || out[i - 1]->sample_index != out[i]->sample_index,
                    ErrorCode::input,
                    "sample " + std::to_string(out[i]->sample_index) + " of problem \"" + out[i]->problem_id +
                        "\" appears twice");
    return out;
}

ProblemScore count_problem(std::span<const SampleRow* const> rows) {
    ProblemScore p;
    p.id = rows.front()->problem_id;
    for (const SampleRow* r : rows) {
        ++p.samples;
        if (r->verdict == Verdict::error) continue;
        ++p.graded;
        p.correct += r->verdict == Verdict::correct;
        p.no_answer += r->verdict == Verdict::no_answer;
        p.truncated += r->finish_reason == "length";
        p.completion_tokens += r->completion_tokens;
    }
    p.majority_correct = vote(rows, 0).correct;
    return p;
}

// ---- small numerics ----------------------------------------------------------------------------------------------

double mean_of(std::span<const double> v) {
    double s = 0;
    for (double x : v)
        s += x;
    return v.empty() ? kNaN : s / static_cast<double>(v.size());
}

double sd_of(std::span<const double> v) { // sample standard deviation (n - 1); NaN below 2 values
    if (v.size() < 2) return kNaN;
    const double m = mean_of(v);
    double ss = 0;
    for (double x : v)
        ss += (x - m) * (x - m);
    return std::sqrt(ss / static_cast<double>(v.size() - 1));
}

Interval normal_interval(double value, double se) {
    const double h = normal_quantile(0.5 + kLevel / 2) * se;
    return {std::clamp(value - h, 0.0, 100.0), std::clamp(value + h, 0.0, 100.0)};
}

// 100 * c / b for means in [0, 1]: +inf when only b is 0, NaN when both are.
double ratio_percent(double c, double b) {
    if (b > 0) return 100.0 * c / b;
    return c > 0 ? kInf : kNaN;
}

// Uniform in [0, n) from 32 random bits (Lemire 2019, "Fast Random Integer Generation in an Interval", alg. 5);
// a rejected draw (probability < n / 2^32) takes fresh bits from the stream.
inline std::uint32_t bounded(std::uint32_t bits, std::uint32_t n, SplitMix64& rng) {
    std::uint64_t m = static_cast<std::uint64_t>(bits) * n;
    auto low = static_cast<std::uint32_t>(m);
    if (low < n) {
        const std::uint32_t t = (0u - n) % n;
        while (low < t) {
            m = static_cast<std::uint64_t>(static_cast<std::uint32_t>(rng.next())) * n;
            low = static_cast<std::uint32_t>(m);
        }
    }
    return static_cast<std::uint32_t>(m >> 32);
}

// Per-problem mean correctness in fixed point (x 2^32, rounded): the resample sums are exact integers, so they do not
// depend on the order of additions (any compiler, any unrolling), and integer adds keep the loop on the RNG's pace.
// The rounding (< 2^-33 per problem) is far below anything reported.
constexpr double kFixedOne = 4294967296.0;

struct Pair {
    std::int64_t b, c;
};

// mean_b[r], mean_c[r]: the means of `pairs` resampled with replacement, r < resamples.
void paired_bootstrap(std::span<const Pair> pairs, int resamples, std::uint64_t seed, std::vector<double>& mean_b,
                      std::vector<double>& mean_c) {
    const auto n = static_cast<std::uint32_t>(pairs.size());
    const Pair* p = pairs.data();
    const double scale = kFixedOne * n;
    mean_b.assign(static_cast<std::size_t>(resamples), 0.0);
    mean_c.assign(static_cast<std::size_t>(resamples), 0.0);
    SplitMix64 rng(seed);
    for (int r = 0; r < resamples; ++r) {
        std::int64_t b = 0, c = 0;
        std::uint32_t j = 0;
        for (; j + 1 < n; j += 2) { // two indices per 64 random bits
            const std::uint64_t x = rng.next();
            const Pair& u = p[bounded(static_cast<std::uint32_t>(x), n, rng)];
            const Pair& v = p[bounded(static_cast<std::uint32_t>(x >> 32), n, rng)];
            b += u.b + v.b;
            c += u.c + v.c;
        }
        if (j < n) {
            const Pair& u = p[bounded(static_cast<std::uint32_t>(rng.next()), n, rng)];
            b += u.b;
            c += u.c;
        }
        mean_b[static_cast<std::size_t>(r)] = static_cast<double>(b) / scale;
        mean_c[static_cast<std::size_t>(r)] = static_cast<double>(c) / scale;
    }
}

struct BootstrapIntervals {
    Interval retention, delta;
    int undefined = 0;
};

// Percentile intervals of 100 * c / b and 100 * (c - b) over resampled means (`scale` divides both sums).
BootstrapIntervals intervals_from(std::span<const double> mean_b, std::span<const double> mean_c, double scale) {
    std::vector<double> ret, delta;
    ret.reserve(mean_b.size());
    delta.reserve(mean_b.size());
    BootstrapIntervals out;
    for (std::size_t r = 0; r < mean_b.size(); ++r) {
        const double q = ratio_percent(mean_c[r], mean_b[r]);
        if (std::isnan(q))
            ++out.undefined;
        else
            ret.push_back(q);
        delta.push_back(100.0 * (mean_c[r] - mean_b[r]) / scale);
    }
    out.retention = percentile_interval(ret, kLevel);
    out.delta = percentile_interval(delta, kLevel);
    return out;
}

// Graded problems of one side sorted by id; a repeated id is an input error.
std::vector<const ProblemScore*> graded_by_id(std::span<const ProblemScore> problems, const std::string& task,
                                              const char* side) {
    std::vector<const ProblemScore*> out;
    for (const ProblemScore& p : problems)
        if (p.graded > 0) out.push_back(&p);
    std::sort(out.begin(), out.end(), [](const ProblemScore* a, const ProblemScore* b) { return a->id < b->id; });
    for (std::size_t i = 1; i < out.size(); ++i)
        QEVAL_CHECK(out[i - 1]->id != out[i]->id, ErrorCode::input,
                    "task " + task + ": problem \"" + out[i]->id + "\" appears twice in the " + side);
    return out;
}

bool solved(const ProblemScore& p) {
    return 2 * p.correct > p.graded;
}

TaskComparison compare_impl(const PairedTask& task, const CompareOptions& options, std::vector<double>& mean_b,
                            std::vector<double>& mean_c) {
    QEVAL_CHECK(options.resamples > 0, ErrorCode::usage, "the bootstrap needs at least one resample");
    QEVAL_CHECK(options.permutations >= 0, ErrorCode::usage, "permutations must be 0 or more");
    TaskComparison out;
    out.task = task.task;
    const auto base = graded_by_id(task.baseline, task.task, "baseline");
    const auto cand = graded_by_id(task.candidate, task.task, "candidate");
    std::vector<const ProblemScore*> pb, pc; // paired, in id order
    for (std::size_t i = 0, j = 0; i < base.size() || j < cand.size();) {
        if (j == cand.size() || (i < base.size() && base[i]->id < cand[j]->id)) {
            ++out.n_baseline_only, ++i;
        } else if (i == base.size() || cand[j]->id < base[i]->id) {
            ++out.n_candidate_only, ++j;
        } else {
            pb.push_back(base[i++]), pc.push_back(cand[j++]);
        }
    }
    const std::size_t n = pb.size();
    QEVAL_CHECK(n < (1ull << 31), ErrorCode::input, "task " + task.task + ": too many problems");
    out.n_problems = static_cast<int>(n);
    std::vector<Pair> pairs(n);
    std::vector<double> vb(n), vc(n), diff(n); // diff in points
    bool binary = true;
    for (std::size_t i = 0; i < n; ++i) {
        vb[i] = pb[i]->mean(), vc[i] = pc[i]->mean(), diff[i] = 100.0 * (vc[i] - vb[i]);
        pairs[i] = {std::llround(vb[i] * kFixedOne), std::llround(vc[i] * kFixedOne)};
        out.baseline_samples = std::max(out.baseline_samples, pb[i]->graded);
        out.candidate_samples = std::max(out.candidate_samples, pc[i]->graded);
        binary = binary && pb[i]->graded == 1 && pc[i]->graded == 1;
        if (solved(*pb[i]) != solved(*pc[i])) (solved(*pc[i]) ? out.flips.gained : out.flips.lost).push_back(pb[i]->id);
    }
    out.baseline = mean_estimate(vb);
    out.candidate = mean_estimate(vc);
    out.retention = out.baseline.value > 0 ? 100.0 * out.candidate.value / out.baseline.value : kNaN;
    out.delta = out.candidate.value - out.baseline.value;
    if (n == 0) {
        out.retention_ci95 = out.delta_ci95 = {kNaN, kNaN};
        out.mdd = {kNaN, kNaN, kNaN};
        mean_b.clear(), mean_c.clear();
        return out;
    }
    paired_bootstrap(pairs, options.resamples, derive_seed("bootstrap:" + task.task, options.seed), mean_b, mean_c);
    const BootstrapIntervals iv = intervals_from(mean_b, mean_c, 1.0);
    out.retention_ci95 = iv.retention;
    out.delta_ci95 = iv.delta;
    out.undefined_resamples = iv.undefined;
    if (binary) {
        const auto lost = static_cast<int>(out.flips.lost.size());
        const auto gained = static_cast<int>(out.flips.gained.size());
        out.test = {PairedTestMethod::mcnemar_exact, static_cast<double>(std::min(lost, gained)),
                    binomial_two_sided_half(lost, gained), lost + gained};
    } else {
        out.test = sign_flip_test(diff, options.permutations, derive_seed("permutation:" + task.task, options.seed));
    }
    out.mdd = min_detectable_drop(sd_of(diff), out.n_problems, out.baseline.value);
    return out;
}

} // namespace

// Three-valued criterion: the interval against a threshold.
GateVerdict criterion(Interval ci, double threshold) {
    if (std::isnan(ci.lo) || std::isnan(ci.hi)) return GateVerdict::inconclusive;
    if (ci.lo >= threshold) return GateVerdict::pass;
    if (ci.hi < threshold) return GateVerdict::fail;
    return GateVerdict::inconclusive;
}

// ---- input -------------------------------------------------------------------------------------------------------

std::vector<ProblemScore> score_problems(std::span<const SampleRow> rows) {
    const std::vector<const SampleRow*> sorted = sorted_rows(rows);
    std::vector<ProblemScore> out;
    for (std::size_t i = 0; i < sorted.size();) {
        std::size_t j = i;
        while (j < sorted.size() && sorted[j]->problem_id == sorted[i]->problem_id)
            ++j;
        out.push_back(count_problem(std::span(sorted).subspan(i, j - i)));
        i = j;
    }
    return out;
}

MajorityVote majority_vote(std::span<const SampleRow> problem_rows, int k) {
    return vote(sorted_rows(problem_rows), k);
}

// ---- one run -----------------------------------------------------------------------------------------------------

Estimate mean_estimate(std::span<const double> per_problem) {
    Estimate e;
    e.n_problems = static_cast<int>(per_problem.size());
    e.value = 100.0 * mean_of(per_problem);
    e.std_error = 100.0 * sd_of(per_problem) / std::sqrt(static_cast<double>(per_problem.size()));
    e.ci95 = std::isnan(e.std_error) ? Interval{kNaN, kNaN} : normal_interval(e.value, e.std_error);
    return e;
}

RunSummary summarize(std::span<const ProblemScore> problems) {
    RunSummary s;
    std::vector<double> acc, maj;
    long long graded = 0, no_answer = 0, truncated = 0, tokens = 0;
    for (const ProblemScore& p : problems) {
        s.samples_per_problem = std::max(s.samples_per_problem, p.samples);
        s.n_samples += p.samples;
        s.n_errors += p.samples - p.graded;
        if (p.graded == 0) {
            ++s.n_excluded;
            continue;
        }
        acc.push_back(p.mean());
        maj.push_back(p.majority_correct ? 1.0 : 0.0);
        graded += p.graded, no_answer += p.no_answer, truncated += p.truncated, tokens += p.completion_tokens;
    }
    s.n_problems = static_cast<int>(acc.size());
    s.accuracy = mean_estimate(acc);
    if (s.samples_per_problem > 1) {
        s.pass_at_k = pass_at_k(problems, s.samples_per_problem);
        s.maj_at_k = mean_estimate(maj);
    }
    const double g = graded > 0 ? static_cast<double>(graded) : kNaN;
    s.no_answer_rate = 100.0 * static_cast<double>(no_answer) / g;
    s.truncation_rate = 100.0 * static_cast<double>(truncated) / g;
    s.mean_completion_tokens = static_cast<double>(tokens) / g;
    return s;
}

double pass_at_k(int n, int c, int k) {
    QEVAL_CHECK(k >= 1 && k <= n && c >= 0 && c <= n, ErrorCode::usage,
                "pass@k needs 1 <= k <= n and 0 <= c <= n (n=" + std::to_string(n) + ", c=" + std::to_string(c) +
                    ", k=" + std::to_string(k) + ")");
    if (n - c < k) return 1.0;
    double prod = 1.0;
    for (int i = n - c + 1; i <= n; ++i)
        prod *= 1.0 - static_cast<double>(k) / i;
    return 1.0 - prod;
}

Estimate pass_at_k(std::span<const ProblemScore> problems, int k) {
    QEVAL_CHECK(k >= 1, ErrorCode::usage, "pass@k needs k >= 1");
    std::vector<double> v;
    for (const ProblemScore& p : problems)
        if (p.graded >= k) v.push_back(pass_at_k(p.graded, p.correct, k));
    return mean_estimate(v);
}

std::map<std::string, std::vector<ProblemScore>> group_by_category(std::span<const ProblemScore> problems) {
    std::map<std::string, std::vector<ProblemScore>> out;
    for (const ProblemScore& p : problems)
        out[p.category].push_back(p);
    return out;
}

// ---- paired comparison -------------------------------------------------------------------------------------------

std::string_view to_string(PairedTestMethod m) {
    switch (m) {
    case PairedTestMethod::none:
        return "none";
    case PairedTestMethod::mcnemar_exact:
        return "mcnemar_exact";
    case PairedTestMethod::sign_flip_exact:
        return "sign_flip_exact";
    case PairedTestMethod::sign_flip_permutation:
        return "sign_flip_permutation";
    }
    return "none";
}

MinDetectableDrop min_detectable_drop(double sd_points, int n, double baseline_accuracy, double alpha, double power) {
    QEVAL_CHECK(alpha > 0 && alpha < 1 && power > 0 && power < 1, ErrorCode::usage,
                "min_detectable_drop needs 0 < alpha < 1 and 0 < power < 1");
    MinDetectableDrop m;
    m.sd_points = sd_points;
    m.points = n >= 2 ? (normal_quantile(1 - alpha / 2) + normal_quantile(power)) * sd_points / std::sqrt(n) : kNaN;
    m.percent_of_baseline = baseline_accuracy > 0 ? 100.0 * m.points / baseline_accuracy : kNaN;
    return m;
}

MinDetectableDrop min_detectable_drop(std::span<const ProblemScore> baseline, double alpha, double power) {
    std::vector<double> v;
    for (const ProblemScore& p : baseline)
        if (p.graded > 0) v.push_back(100.0 * p.mean());
    return min_detectable_drop(sd_of(v), static_cast<int>(v.size()), mean_of(v), alpha, power);
}

TaskComparison compare(const PairedTask& task, const CompareOptions& options) {
    std::vector<double> mean_b, mean_c;
    return compare_impl(task, options, mean_b, mean_c);
}

SuiteComparison compare_suite(std::span<const PairedTask> tasks, const CompareOptions& options) {
    SuiteComparison out;
    std::vector<double> mean_b, mean_c;
    std::vector<double> sum_b(static_cast<std::size_t>(std::max(options.resamples, 0)), 0.0), sum_c = sum_b;
    double base = 0, cand = 0, var_b = 0, var_c = 0;
    int problems = 0;
    AverageRow& a = out.average;
    for (const PairedTask& t : tasks) {
        out.tasks.push_back(compare_impl(t, options, mean_b, mean_c));
        const TaskComparison& c = out.tasks.back();
        if (c.n_problems == 0) continue;
        ++a.n_tasks;
        problems += c.n_problems;
        base += c.baseline.value, cand += c.candidate.value;
        var_b += c.baseline.std_error * c.baseline.std_error, var_c += c.candidate.std_error * c.candidate.std_error;
        for (std::size_t r = 0; r < sum_b.size(); ++r)
            sum_b[r] += mean_b[r], sum_c[r] += mean_c[r];
    }
    const double t = a.n_tasks > 0 ? a.n_tasks : kNaN;
    auto average = [&](double sum, double var) {
        Estimate e{problems, sum / t, std::sqrt(var) / t, {}};
        e.ci95 = std::isnan(e.std_error) ? Interval{kNaN, kNaN} : normal_interval(e.value, e.std_error);
        return e;
    };
    a.baseline = average(base, var_b);
    a.candidate = average(cand, var_c);
    a.retention = a.baseline.value > 0 ? 100.0 * a.candidate.value / a.baseline.value : kNaN;
    a.delta = a.candidate.value - a.baseline.value;
    if (a.n_tasks == 0) {
        a.retention_ci95 = a.delta_ci95 = {kNaN, kNaN};
        return out;
    }
    const BootstrapIntervals iv = intervals_from(sum_b, sum_c, t);
    a.retention_ci95 = iv.retention;
    a.delta_ci95 = iv.delta;
    return out;
}

std::vector<CategoryComparison> compare_by_category(const PairedTask& task) {
    std::map<std::string_view, const ProblemScore*> candidate;
    for (const ProblemScore& p : task.candidate)
        if (p.graded > 0) candidate.emplace(p.id, &p);
    struct Sides {
        std::vector<double> base, cand, diff;
    };
    std::map<std::string, Sides> groups;
    for (const ProblemScore& b : task.baseline) {
        auto it = candidate.find(b.id);
        if (b.graded == 0 || it == candidate.end()) continue;
        Sides& g = groups[b.category];
        g.base.push_back(b.mean());
        g.cand.push_back(it->second->mean());
        g.diff.push_back(100.0 * (it->second->mean() - b.mean()));
    }
    std::vector<CategoryComparison> out;
    for (const auto& [category, g] : groups) {
        CategoryComparison c;
        c.category = category;
        c.baseline = mean_estimate(g.base);
        c.candidate = mean_estimate(g.cand);
        c.retention = c.baseline.value > 0 ? 100.0 * c.candidate.value / c.baseline.value : kNaN;
        c.delta = mean_of(g.diff);
        const double se = sd_of(g.diff) / std::sqrt(static_cast<double>(g.diff.size()));
        const double z = normal_quantile(0.975);
        c.delta_ci95 = std::isnan(se) ? Interval{kNaN, kNaN} : Interval{c.delta - z * se, c.delta + z * se};
        out.push_back(std::move(c));
    }
    return out;
}

// ---- gate --------------------------------------------------------------------------------------------------------

std::string_view to_string(GateVerdict v) {
    switch (v) {
    case GateVerdict::pass:
        return "pass";
    case GateVerdict::fail:
        return "fail";
    case GateVerdict::inconclusive:
        return "inconclusive";
    }
    return "inconclusive";
}

std::string_view to_string(GuardMode m) {
    switch (m) {
    case GuardMode::either:
        return "either";
    case GuardMode::both:
        return "both";
    case GuardMode::points:
        return "points";
    }
    return "either";
}

std::optional<GuardMode> guard_mode_from_string(std::string_view name) {
    for (GuardMode m : {GuardMode::either, GuardMode::both, GuardMode::points})
        if (to_string(m) == name) return m;
    return std::nullopt;
}

GateVerdict gate(Interval retention_ci95, Interval delta_ci95, const GateOptions& options) {
    QEVAL_CHECK(options.mode != GuardMode::points || options.max_drop_points, ErrorCode::usage,
                "a points-only gate needs max_drop_points");
    const GateVerdict r = criterion(retention_ci95, options.min_retention);
    if (!options.max_drop_points) return r;
    QEVAL_CHECK(*options.max_drop_points >= 0, ErrorCode::usage, "the gate's max_drop_points must be >= 0");
    const GateVerdict d = criterion(delta_ci95, -*options.max_drop_points);
    if (options.mode == GuardMode::points) return d;
    const GateVerdict strong = options.mode == GuardMode::either ? GateVerdict::pass : GateVerdict::fail;
    const GateVerdict weak = options.mode == GuardMode::either ? GateVerdict::fail : GateVerdict::pass;
    if (r == strong || d == strong) return strong; // either: one pass is enough; both: one fail is enough
    if (r == weak && d == weak) return weak;
    return GateVerdict::inconclusive;
}

GateVerdict gate(const TaskComparison& c, const GateOptions& options) {
    return gate(c.retention_ci95, c.delta_ci95, options);
}

GateVerdict gate(const AverageRow& a, const GateOptions& options) {
    return gate(a.retention_ci95, a.delta_ci95, options);
}

// ---- building blocks ---------------------------------------------------------------------------------------------

double normal_quantile(double p) {
    QEVAL_CHECK(p > 0 && p < 1, ErrorCode::usage, "normal_quantile needs 0 < p < 1");
    if (p > 0.5) return -normal_quantile(1 - p); // 1 - p is exact there; erfc keeps its precision in the lower tail
    // Acklam's rational approximation (relative error < 1.2e-9), then one Halley step on erfc: ~1e-15.
    static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                   1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                   6.680131188771972e+01, -1.328068155288572e+01};
    static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                   -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                   3.754408661907416e+00};
    constexpr double p_low = 0.02425;
    double x;
    if (p < p_low) {
        const double q = std::sqrt(-2 * std::log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    } else {
        const double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
    }
    const double e = 0.5 * std::erfc(-x / std::numbers::sqrt2) - p;
    const double u = e * std::sqrt(2 * std::numbers::pi) * std::exp(x * x / 2);
    return x - u / (1 + x * u / 2);
}

Interval percentile_interval(std::span<double> values, double level) {
    QEVAL_CHECK(level > 0 && level < 1, ErrorCode::usage, "percentile_interval needs 0 < level < 1");
    if (values.empty()) return {kNaN, kNaN};
    auto quantile = [&](double q) { // numpy.percentile(method="linear")
        const double h = static_cast<double>(values.size() - 1) * q;
        const auto f = static_cast<std::size_t>(std::floor(h));
        const double frac = h - static_cast<double>(f);
        std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(f), values.end());
        const double lo = values[f];
        if (frac == 0 || f + 1 == values.size()) return lo;
        const double hi = *std::min_element(values.begin() + static_cast<std::ptrdiff_t>(f) + 1, values.end());
        return lo == hi ? lo : lo + (hi - lo) * frac;
    };
    return {quantile((1 - level) / 2), quantile((1 + level) / 2)};
}

double binomial_two_sided_half(int a, int b) {
    QEVAL_CHECK(a >= 0 && b >= 0, ErrorCode::usage, "binomial counts must be >= 0");
    const int n = a + b, m = std::min(a, b);
    if (2 * m >= n) return 1.0;
    // P(X <= m) = C(n, m) / 2^n * (1 + C(n, m-1) / C(n, m) + ...), the terms summed from the largest down.
    const double log_top = std::lgamma(n + 1.0) - std::lgamma(m + 1.0) - std::lgamma(n - m + 1.0) - n * std::log(2.0);
    double term = 1, sum = 1;
    for (int i = m; i >= 1 && term > 1e-17 * sum; --i) {
        term *= static_cast<double>(i) / (n - i + 1);
        sum += term;
    }
    return std::min(1.0, 2 * std::exp(log_top) * sum);
}

PairedTest sign_flip_test(std::span<const double> differences, int permutations, std::uint64_t seed) {
    QEVAL_CHECK(permutations >= 0, ErrorCode::usage, "permutations must be 0 or more");
    PairedTest t;
    std::vector<double> nz;
    double observed = 0;
    for (double x : differences) {
        observed += x;
        if (x != 0) nz.push_back(x);
    }
    t.statistic = differences.empty() ? 0 : observed / static_cast<double>(differences.size());
    t.n_used = static_cast<int>(nz.size());
    if (differences.empty() || permutations == 0) return t;
    // |sum| of one sign pattern (bit i set: element i negated) reaches the observed one within scipy's tolerance.
    const double bar = std::abs(observed) - 100 * DBL_EPSILON * std::abs(observed);
    const std::size_t m = nz.size();
    if (m < 31 && (1ull << m) <= static_cast<unsigned long long>(permutations)) {
        long long hits = 0;
        for (std::uint64_t pattern = 0; pattern < (1ull << m); ++pattern) {
            double s = 0;
            for (std::size_t i = 0; i < m; ++i)
                s += (pattern >> i & 1) ? -nz[i] : nz[i];
            hits += std::abs(s) >= bar;
        }
        t.method = PairedTestMethod::sign_flip_exact;
        t.p_value = static_cast<double>(hits) / static_cast<double>(1ull << m);
        return t;
    }
    SplitMix64 rng(seed);
    long long hits = 0;
    for (int r = 0; r < permutations; ++r) {
        double s[4] = {0, 0, 0, 0}; // four chains; the sign is flipped by xor on the sign bit, without a branch
        for (std::size_t i = 0; i < m; i += 64) {
            const std::uint64_t bits = rng.next();
            const std::size_t end = std::min(m, i + 64);
            for (std::size_t j = i; j < end; ++j) {
                const std::uint64_t flip = (bits >> (j - i) & 1) << 63;
                s[j & 3] += std::bit_cast<double>(std::bit_cast<std::uint64_t>(nz[j]) ^ flip);
            }
        }
        hits += std::abs((s[0] + s[1]) + (s[2] + s[3])) >= bar;
    }
    t.method = PairedTestMethod::sign_flip_permutation;
    t.p_value = static_cast<double>(hits + 1) / (permutations + 1.0);
    return t;
}

} // namespace qeval::core::stats
