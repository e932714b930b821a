#!/usr/bin/env python3
"""Writes tests/data/stats/*.jsonl: values for tests/core/test_stats.cpp computed independently of core/stats/stats.cpp.

Each file holds one kind of case, one JSON object per line, every row with a "note":
  normal_quantile.jsonl  {"p", "expected"}                                 scipy.stats.norm.ppf
  pass_at_k.jsonl        {"n", "c", "k", "expected"}                       1 - C(n-c,k)/C(n,k) in exact rationals
  mean_estimate.jsonl    {"values", "value", "std_error", "ci95"}          numpy; the standard error is also checked
                                                                           here against the cluster-robust formula
                                                                           on sample-level rows (Miller 2024)
  percentile.jsonl       {"values", "level", "ci"}                         numpy.percentile (method "linear")
  binomial.jsonl         {"a", "b", "expected"}                            scipy.stats.binomtest(min, a+b, 0.5)
  sign_flip.jsonl        {"differences", "expected", "exact", "tolerance"} scipy.stats.permutation_test, paired
                                                                           ("samples"), exact when 2^n <= 10,000
  majority.jsonl         {"samples": [[index, verdict, extracted]], "k",   NeMo-Skills' rule re-implemented:
                          "answer", "correct", "votes"}                    Counter(sorted(pairs)).most_common(1)
  compare.jsonl          one task: {"task", "baseline"/"candidate": [[id, correct, graded]], expected counts, point
                          values, flips, test p-value, minimum detectable drop, and the percentile intervals of
                          scipy.stats.bootstrap(paired=True, method="percentile", 10,000 resamples) with the
                          bootstrap standard errors that set the test's tolerance (a different random stream: the
                          intervals agree within Monte Carlo error, not exactly)}
  average.jsonl          several tasks: the average row (ratio of the per-task average accuracies), its intervals
                          from scipy.stats.bootstrap over one index array per task (paired=False: each task's
                          problems resampled on their own, jointly per resample)

Problem data is planted with numpy's default_rng(seed per case); nothing is copied from a benchmark.
Dev only, never needed to build or test (needs numpy and scipy): python3 -m venv /work/venvs/stats &&
/work/venvs/stats/bin/pip install numpy scipy && /work/venvs/stats/bin/python tools/make_stats_fixtures.py [--out DIR]
"""

import argparse
import json
import math
from collections import Counter
from fractions import Fraction
from pathlib import Path

import numpy as np
import scipy
import scipy.stats as st

Z975 = float(st.norm.ppf(0.975))
Z80 = float(st.norm.ppf(0.8))
RESAMPLES = 10_000


def versions():
    return f"numpy {np.__version__}, scipy {scipy.__version__}"


# --- one-number functions ------------------------------------------------------------------------------------------
def normal_quantile_rows():
    ps = [1e-12, 1e-6, 0.001, 0.02, 0.02425, 0.025, 0.05, 0.1, 0.2, 0.5, 0.8, 0.9, 0.95, 0.975, 0.99, 0.999999]
    return [{"p": p, "expected": float(st.norm.ppf(p)), "note": "scipy.stats.norm.ppf"} for p in ps]


def pass_at_k_rows():
    cases = [(1, 0, 1), (1, 1, 1), (5, 0, 1), (5, 2, 1), (5, 2, 2), (5, 2, 5), (5, 4, 2), (10, 3, 5), (16, 1, 8),
             (16, 15, 1), (64, 7, 16), (100, 1, 1), (100, 1, 50), (200, 13, 100), (8, 0, 8), (8, 8, 8)]
    rows = []
    for n, c, k in cases:
        exact = 1 - Fraction(math.comb(n - c, k), math.comb(n, k))
        chen = 1.0 if n - c < k else 1.0 - float(np.prod(1.0 - k / np.arange(n - c + 1, n + 1)))  # Chen et al. fig. 3
        assert abs(float(exact) - chen) < 1e-12, (n, c, k)
        rows.append({"n": n, "c": c, "k": k, "expected": float(exact), "note": "1 - C(n-c,k)/C(n,k), exact"})
    return rows


def clustered_se_sample_level(correct_by_problem, k):
    """Cluster-robust SE of the sample-level mean (rows = samples, clusters = problems), with n/(n-1)."""
    x = np.concatenate([np.r_[np.ones(c), np.zeros(k - c)] for c in correct_by_problem])
    n = len(correct_by_problem)
    resid = (x - x.mean()).reshape(n, k).sum(axis=1)
    return math.sqrt(n / (n - 1) * np.sum(resid ** 2)) / (n * k)


def mean_estimate_rows():
    rows = []
    cases = [("two problems", [0.0, 1.0]), ("all correct", [1.0] * 5), ("k=4 fractions", [0.25, 0.5, 1.0, 0.0, 0.75]),
             ("one problem", [0.5]), ("empty", [])]
    rng = np.random.default_rng(11)
    k = 8
    counts = rng.binomial(k, rng.beta(2, 1, 300))
    cases.append(("300 problems, k=8, planted", list(counts / k)))
    for note, v in cases:
        a = np.asarray(v, dtype=float)
        row = {"values": v, "note": note}
        if len(a) == 0:
            row.update(value=None, std_error=None, ci95=None)
        elif len(a) == 1:
            row.update(value=100 * float(a[0]), std_error=None, ci95=None)
        else:
            se = 100 * float(a.std(ddof=1)) / math.sqrt(len(a))
            if note.startswith("300"):
                assert abs(se - 100 * clustered_se_sample_level(counts, k)) < 1e-9
            m = 100 * float(a.mean())
            row.update(value=m, std_error=se, ci95=[max(0.0, m - Z975 * se), min(100.0, m + Z975 * se)])
        rows.append(row)
    return rows


def percentile_rows():
    rng = np.random.default_rng(12)
    cases = [("five values", [3.0, 1.0, 2.0, 5.0, 4.0], 0.95), ("ties", [1.0, 1.0, 1.0, 2.0], 0.5),
             ("one value", [7.0], 0.95), ("2,000 normals", list(rng.normal(size=2000)), 0.95),
             ("1,001 values, 90%", list(rng.uniform(size=1001)), 0.9)]
    rows = []
    for note, v, level in cases:
        lo, hi = np.percentile(v, [50 * (1 - level), 50 * (1 + level)])
        rows.append({"values": v, "level": level, "ci": [float(lo), float(hi)], "note": note})
    return rows


def binomial_rows():
    cases = [(0, 0), (1, 0), (0, 5), (3, 3), (2, 9), (9, 2), (10, 25), (1, 30), (120, 90), (3000, 3150), (400, 7)]
    return [{"a": a, "b": b, "expected": 1.0 if a + b == 0 else float(st.binomtest(min(a, b), a + b, 0.5).pvalue),
             "note": "scipy.stats.binomtest two-sided"} for a, b in cases]


def permutation_p(d, rng):
    x, y = np.asarray(d, dtype=float), np.zeros(len(d))
    res = st.permutation_test((x, y), lambda a, b, axis: np.mean(a - b, axis=axis), permutation_type="samples",
                              vectorized=True, n_resamples=RESAMPLES, alternative="two-sided", rng=rng)
    return float(res.pvalue)


def sign_flip_rows():
    rng = np.random.default_rng(13)
    rows = []
    exact = [("all positive", [12.5, 25.0, 50.0, 12.5]), ("mixed", [25.0, -12.5, 50.0, 0.0, 37.5, -25.0, 12.5]),
             ("zeros only", [0.0, 0.0, 0.0]), ("13 values", list(np.round(rng.normal(5, 20, 13), 3)))]
    for note, d in exact:
        rows.append({"differences": d, "expected": permutation_p(d, rng), "exact": True, "tolerance": 1e-12,
                     "note": note + " (exact: 2^n <= 10,000)"})
    # Random sign patterns on both sides: p-values agree within Monte Carlo error (sd <= 0.005 each at 10,000).
    for note, mean, sd, n in [("400 differences, small shift", 2.0, 25.0, 400), ("2,000, no shift", 0.0, 30.0, 2000)]:
        d = list(np.round(rng.normal(mean, sd, n) / 12.5) * 12.5)  # multiples of 1/8 (k = 8), in points
        rows.append({"differences": d, "expected": permutation_p(d, rng), "exact": False, "tolerance": 0.03,
                     "note": note + " (random: Monte Carlo tolerance)"})
    return rows


def nemo_majority(samples, k):
    graded = [s for s in sorted(samples, key=lambda s: s[0]) if s[1] != "error"]
    if k > 0:
        graded = graded[:k]
    pairs = sorted((s[2], s[1] == "correct") for s in graded if s[2] != "")
    if not pairs:
        return "", False, 0
    (answer, correct), votes = Counter(pairs).most_common(1)[0]
    return answer, correct, votes


def majority_rows():
    C, I, N, E = "correct", "incorrect", "no_answer", "error"
    cases = [
        ("clear majority", [[0, C, "42"], [1, I, "41"], [2, C, "42"]], 0),
        ("tie goes to the smallest answer", [[0, I, "7"], [1, C, "12"]], 0),
        ("tie: bytewise order, '1' < 'a'", [[0, I, "a"], [1, C, "1"], [2, I, "a"], [3, C, "1"]], 0),
        ("empty answers do not vote", [[0, N, ""], [1, N, ""], [2, I, "B"]], 0),
        ("nobody voted", [[0, N, ""], [1, E, ""]], 0),
        ("errors are skipped before k", [[0, E, ""], [1, I, "C"], [2, C, "D"], [3, C, "D"]], 2),
        ("first k by sample index", [[3, C, "D"], [0, I, "C"], [2, C, "D"], [1, I, "C"]], 3),
        ("same answer graded both ways: pairs vote", [[0, C, "x"], [1, I, "x"], [2, I, "x"], [3, C, "y"]], 0),
        ("unicode answers", [[0, C, "\u03c0"], [1, I, "3.14"], [2, C, "\u03c0"]], 0),
    ]
    rows = []
    for note, samples, k in cases:
        answer, correct, votes = nemo_majority(samples, k)
        rows.append({"samples": samples, "k": k, "answer": answer, "correct": correct, "votes": votes,
                     "note": note})
    return rows


# --- paired comparisons --------------------------------------------------------------------------------------------
def plant(rng, n, kb, kc, base, cand, sigma):
    """Correlated pairs: a shared per-problem difficulty on the probit scale (mean accuracies exactly base and cand:
    E[Phi(a + z)] = Phi(a / sqrt(1 + sigma^2)) for z ~ N(0, sigma^2)); returns correct counts out of kb and kc."""
    s = math.sqrt(1 + sigma ** 2)
    z = rng.normal(0, sigma, n)
    pb = st.norm.cdf(st.norm.ppf(base) * s + z)
    pc = st.norm.cdf(st.norm.ppf(cand) * s + z)
    return rng.binomial(kb, pb), rng.binomial(kc, pc)


def bootstrap_ci(b, c, rng):
    def ret(x, y, axis):
        return 100 * np.mean(y, axis=axis) / np.mean(x, axis=axis)

    def delta(x, y, axis):
        return 100 * (np.mean(y, axis=axis) - np.mean(x, axis=axis))

    out = {}
    for name, f in [("retention", ret), ("delta", delta)]:
        r = st.bootstrap((b, c), f, paired=True, vectorized=True, n_resamples=RESAMPLES, method="percentile",
                         rng=rng)
        out[name] = ([float(r.confidence_interval.low), float(r.confidence_interval.high)], float(r.standard_error))
    return out


def compare_case(task, note, seed, n, kb, kc, base, cand, sigma, drop_ids=()):
    rng = np.random.default_rng(seed)
    cb, cc = plant(rng, n, kb, kc, base, cand, sigma)
    ids = [f"{task}-{i:05d}" for i in range(n)]
    baseline = [[ids[i], int(cb[i]), kb] for i in range(n)]
    candidate = [[ids[i], int(cc[i]), kc] for i in range(n)]
    # Unpaired problems: dropped from one side, or all samples errors (graded 0) on one side.
    for i in drop_ids:
        if i % 2 == 0:
            candidate[i] = None
        else:
            baseline[i][1], baseline[i][2] = 0, 0
    baseline = [r for r in baseline if r]
    candidate = [r for r in candidate if r]
    bmap = {r[0]: r for r in baseline if r[2] > 0}
    cmap = {r[0]: r for r in candidate if r[2] > 0}
    paired = sorted(set(bmap) & set(cmap))
    b = np.array([bmap[i][1] / bmap[i][2] for i in paired])
    c = np.array([cmap[i][1] / cmap[i][2] for i in paired])
    d = 100 * (c - b)
    solved_b = np.array([2 * bmap[i][1] > bmap[i][2] for i in paired])
    solved_c = np.array([2 * cmap[i][1] > cmap[i][2] for i in paired])
    gained, lost = int(np.sum(~solved_b & solved_c)), int(np.sum(solved_b & ~solved_c))
    if kb == 1 and kc == 1:
        test = {"method": "mcnemar_exact", "p_value": float(st.binomtest(min(gained, lost), gained + lost, 0.5).pvalue)
                if gained + lost else 1.0, "tolerance": 1e-9}
    else:
        test = {"method": "sign_flip_permutation", "p_value": permutation_p(list(d), rng), "tolerance": 0.03}
    ci = bootstrap_ci(b, c, rng)
    sd = float(np.std(d, ddof=1))
    mdd = (Z975 + Z80) * sd / math.sqrt(len(paired))
    return {
        "task": task, "note": note, "baseline": baseline, "candidate": candidate,
        "n_problems": len(paired), "n_baseline_only": len(set(bmap) - set(cmap)),
        "n_candidate_only": len(set(cmap) - set(bmap)),
        "baseline_accuracy": 100 * float(b.mean()), "candidate_accuracy": 100 * float(c.mean()),
        "retention": 100 * float(c.mean() / b.mean()), "delta": 100 * float(c.mean() - b.mean()),
        "gained": gained, "lost": lost, "test": test,
        "mdd_points": mdd, "mdd_percent_of_baseline": 100 * mdd / (100 * float(b.mean())), "sd_points": sd,
        "retention_ci95": ci["retention"][0], "retention_se": ci["retention"][1],
        "delta_ci95": ci["delta"][0], "delta_se": ci["delta"][1],
    }


def compare_rows():
    return [
        compare_case("aime_like", "60 problems, k=16, low accuracy", 21, 60, 16, 16, 0.35, 0.33, 1.5),
        compare_case("gpqa_like", "198 problems, k=1 (McNemar)", 22, 198, 1, 1, 0.7, 0.68, 1.0),
        compare_case("math_like", "500 problems, k=4, 6 unpaired", 23, 500, 4, 4, 0.9, 0.88, 2.0,
                     drop_ids=(3, 10, 77, 78, 301, 444)),
        compare_case("mixed_k", "300 problems, baseline k=8, candidate k=2", 24, 300, 8, 2, 0.6, 0.6, 1.0),
    ]


def average_rows():
    rng = np.random.default_rng(31)
    spec = [("t_small", 80, 8, 0.4, 0.37, 1.5), ("t_mid", 198, 4, 0.7, 0.69, 1.0), ("t_big", 1000, 1, 0.85, 0.84, 1.0)]
    tasks, bs, cs = [], [], []
    for name, n, k, base, cand, sigma in spec:
        cb, cc = plant(rng, n, k, k, base, cand, sigma)
        ids = [f"{name}-{i:04d}" for i in range(n)]
        tasks.append({"task": name, "baseline": [[ids[i], int(cb[i]), k] for i in range(n)],
                      "candidate": [[ids[i], int(cc[i]), k] for i in range(n)]})
        bs.append(cb / k)
        cs.append(cc / k)

    def sums(idx, axis):
        sb = sum(bs[t][i].mean(axis=axis) for t, i in enumerate(idx))
        sc = sum(cs[t][i].mean(axis=axis) for t, i in enumerate(idx))
        return sb, sc

    def ret(*idx, axis):
        sb, sc = sums(idx, axis)
        return 100 * sc / sb

    def delta(*idx, axis):
        sb, sc = sums(idx, axis)
        return 100 * (sc - sb) / len(idx)

    data = tuple(np.arange(len(b)) for b in bs)
    out = {}
    for name, f in [("retention", ret), ("delta", delta)]:
        r = st.bootstrap(data, f, paired=False, vectorized=True, n_resamples=RESAMPLES, method="percentile", rng=rng)
        out[name] = ([float(r.confidence_interval.low), float(r.confidence_interval.high)], float(r.standard_error))
    mb = [100 * float(b.mean()) for b in bs]
    mc = [100 * float(c.mean()) for c in cs]
    seb = [100 * float(b.std(ddof=1)) / math.sqrt(len(b)) for b in bs]
    sec = [100 * float(c.std(ddof=1)) / math.sqrt(len(c)) for c in cs]
    avg = {"n_tasks": len(bs), "baseline": float(np.mean(mb)), "candidate": float(np.mean(mc)),
           "baseline_se": math.sqrt(sum(s * s for s in seb)) / len(bs),
           "candidate_se": math.sqrt(sum(s * s for s in sec)) / len(bs),
           "retention": 100 * float(np.mean(mc) / np.mean(mb)), "delta": float(np.mean(mc) - np.mean(mb)),
           "retention_ci95": out["retention"][0], "retention_se": out["retention"][1],
           "delta_ci95": out["delta"][0], "delta_se": out["delta"][1]}
    return [{"tasks": tasks, "average": avg, "note": "3 tasks: 80 x k=8, 198 x k=4, 1000 x k=1"}]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent.parent / "tests/data/stats")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    files = {
        "normal_quantile": normal_quantile_rows(), "pass_at_k": pass_at_k_rows(), "mean_estimate": mean_estimate_rows(),
        "percentile": percentile_rows(), "binomial": binomial_rows(), "sign_flip": sign_flip_rows(),
        "majority": majority_rows(), "compare": compare_rows(), "average": average_rows(),
    }
    for name, rows in files.items():
        with open(args.out / f"{name}.jsonl", "w", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        print(f"{name}.jsonl: {len(rows)} rows")
    (args.out / "VERSIONS").write_text(f"written by tools/make_stats_fixtures.py with {versions()}\n")


if __name__ == "__main__":
    main()
