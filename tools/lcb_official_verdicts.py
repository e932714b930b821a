#!/usr/bin/env python3
"""Grades LiveCodeBench code-generation samples with the OFFICIAL lcb_runner checker (dev tool, not CI).

Prints one JSON line per input line, in input order:
  {"question_id", "label"?, "verdicts": [official per-test results], "passed": bool, "metadata": {...},
   "tests": N, "notes": [...]}
  verdicts: what lcb_runner records per test: true (pass), false (call-based wrong answer), -1 (global timeout),
            -2 (wrong answer), -3 (time limit), -4 (runtime/compile error); see tools/lcb_checker_notes.md.
  passed:   the official per-sample grade (pass_k_utils.extract_instance_results: every entry > 0).
  metadata: the official metadata dict for the sample (error_code/error_message/... or {"execution time": s}).
  notes:    where this run differs from an official run because our data file lacks fields (see below).
A problem that cannot be graded (unknown question_id, no tests) gives {"question_id", "error": "..."}.

Nothing of lcb_runner is copied here: the official modules are imported from --lcb-repo at run time:
  lcb_runner/evaluation/compute_code_generation_metrics.py  evaluate_generations (-> check_correctness -> run_test)
  lcb_runner/evaluation/testing_util.py                      run_test (reached through check_correctness)
  lcb_runner/evaluation/pass_k_utils.py                      extract_instance_results
  lcb_runner/benchmarks/code_generation.py                   CodeGenerationProblem (test decoding,
                                                             get_evaluation_sample)
Each code string is graded exactly as codegen_metrics does it: one (sample, [code]) job per input line, run by
evaluate_generations in a ProcessPoolExecutor, each job in its own multiprocessing.Process with the global
timeout of check_correctness. The package __init__ files are skipped (they pull in pandas and HF datasets, which
grading never uses); `datasets` is replaced by an empty stand-in only while code_generation.py is imported.

Getting the official tree (the fetch tool's mirror is a bare git dir; this was written against commit
28fef95ea8c9f7a547c8329f2cd3d32b92c1fa24, 2025-07-16; at 16b2f9e3 only load_code_generation_dataset differs):
  MIRROR=/work/.mirror/LiveCodeBench+LiveCodeBench/repo
  mkdir -p /tmp/lcb_official && git --git-dir=$MIRROR archive HEAD lcb_runner | tar -x -C /tmp/lcb_official
or a work tree:  git --git-dir=$MIRROR worktree add --detach /tmp/lcb_official HEAD

Dependencies: testing_util and compute_code_generation_metrics import numpy and tqdm at module level, so plain
python3 is not enough. Versions as pinned in the official uv.lock:
  python3 -m venv /tmp/qeval-lcb-venv && /tmp/qeval-lcb-venv/bin/pip install numpy==2.2.5 tqdm==4.67.1
Use Python >= 3.11 (compute_code_generation_metrics calls sys.set_int_max_str_digits; testing_util uses
ast.unparse). Linux only (SIGALRM, fork).

Data (--data, default $QEVAL_DATA_DIR/livecodebench): a .jsonl file, or a folder holding the HF
code_generation_lite files test.jsonl, test2.jsonl ... test6.jsonl (all are read), else problems_release_v6.jsonl.
  - HF rows are passed to the official CodeGenerationProblem unchanged.
  - qeval's problems_release_v6.jsonl has no private_test_cases and no metadata. This tool then uses
    private_test_cases = "[]" (public tests only: optimistic vs. official pass@1) and, for problems whose public
    tests are "functional", metadata = {"func_name": <first `def NAME(` of starter_code>}; both are reported in
    "notes". Without a func_name the official checker would run a LeetCode problem as a stdin program.
  - public_test_cases null (196 problems of the v6 file) -> {"error": ...}; lcb_runner itself would crash on it.
  --tests public|private|all restricts the tests (default all, as lcb_runner; private needs HF rows).

Solutions (--solutions): JSONL of {"question_id", "code", ...}; "label" is echoed back; all other keys ignored.
"code" is the already extracted program (lcb_runner's extract_code output), graded as is.

Usage:
  /tmp/qeval-lcb-venv/bin/python tools/lcb_official_verdicts.py --lcb-repo /tmp/lcb_official \
      --data /work/shared/data/livecodebench --solutions tools/lcb_fixture_solutions.jsonl [--timeout 6] \
      [--num-process 12] [--out FILE] [--check]
  --timeout      per-test seconds (lcb_runner --timeout, default 6)
  --num-process  evaluate_generations workers (lcb_runner --num_process_evaluate, default 12)
  --check        exit 1 when a solution line carrying "expect_passed" gets another grade
Warning: like lcb_runner, this executes the code in-process under reliability_guard, which is not a sandbox.
"""
import argparse
import importlib
import json
import os
import re
import sys
import types
from pathlib import Path


def load_official(repo: Path):
    """Imports the official grading modules from repo without running the lcb_runner package __init__ files."""
    root = repo / "lcb_runner"
    for rel in ("evaluation/testing_util.py", "evaluation/compute_code_generation_metrics.py",
                "evaluation/pass_k_utils.py", "benchmarks/code_generation.py"):
        if not (root / rel).is_file():
            sys.exit(f"--lcb-repo {repo}: {root / rel} not found (see this script's docstring)")
    for pkg, path in (("lcb_runner", root), ("lcb_runner.evaluation", root / "evaluation"),
                      ("lcb_runner.benchmarks", root / "benchmarks")):
        mod = types.ModuleType(pkg)
        mod.__path__ = [str(path)]
        sys.modules[pkg] = mod
    try:
        metrics = importlib.import_module("lcb_runner.evaluation.compute_code_generation_metrics")
        passk = importlib.import_module("lcb_runner.evaluation.pass_k_utils")
    except ModuleNotFoundError as e:
        sys.exit(f"{e}: the official checker needs numpy and tqdm (see this script's docstring for the venv)")
    stub = None
    if "datasets" not in sys.modules:
        stub = types.ModuleType("datasets")

        def load_dataset(*_a, **_k):
            raise RuntimeError("datasets stand-in: not available in lcb_official_verdicts.py")

        stub.load_dataset = load_dataset
        sys.modules["datasets"] = stub
    try:
        codegen = importlib.import_module("lcb_runner.benchmarks.code_generation")
    finally:
        if stub is not None and sys.modules.get("datasets") is stub:
            del sys.modules["datasets"]  # graded code must not see the stand-in
    return metrics, passk, codegen


def data_files(path: Path):
    if path.is_file():
        return [path]
    hf = sorted(path.glob("test*.jsonl"), key=lambda p: (len(p.name), p.name))
    if hf:
        return hf
    single = path / "problems_release_v6.jsonl"
    if single.is_file():
        return [single]
    sys.exit(f"--data {path}: no test*.jsonl and no problems_release_v6.jsonl")


def load_rows(files, wanted):
    rows = {}
    for f in files:
        with open(f, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                m = re.search(r'"question_id"\s*:\s*"((?:[^"\\]|\\.)*)"', line)
                if m and json.loads('"' + m.group(1) + '"') not in wanted:
                    continue
                row = json.loads(line)
                if row.get("question_id") in wanted:
                    rows[row["question_id"]] = row
    return rows


STARTER_DEF = re.compile(r"def\s+([A-Za-z_]\w*)\s*\(")


def make_problem(codegen, row, which):
    """Official CodeGenerationProblem for row; missing fields are filled and explained in notes."""
    notes = []
    r = dict(row)
    if r.get("public_test_cases") is None:
        return None, "public_test_cases is null (lcb_runner's json.loads would fail on it)", notes
    if r.get("private_test_cases") is None:
        r["private_test_cases"] = "[]"
        notes.append("no private_test_cases in the data file: graded on public tests only")
    if r.get("metadata") is None:
        meta = {}
        public = json.loads(r["public_test_cases"])
        if any(t.get("testtype") == "functional" for t in public):
            m = STARTER_DEF.search(r.get("starter_code") or "")
            if m:
                meta["func_name"] = m.group(1)
                notes.append(f"no metadata in the data file: func_name {m.group(1)!r} taken from starter_code")
            else:
                notes.append("no metadata and no def in starter_code: graded as stdin (fn_name None)")
        r["metadata"] = json.dumps(meta)
    fields = codegen.CodeGenerationProblem.__dataclass_fields__
    problem = codegen.CodeGenerationProblem(**{k: r[k] for k in fields if k in r})
    if which == "public":
        problem.private_test_cases = []
    elif which == "private":
        problem.public_test_cases = []
    if not problem.public_test_cases and not problem.private_test_cases:
        return None, f"no tests ({which})", notes
    return problem, None, notes


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lcb-repo", required=True, type=Path)
    ap.add_argument("--data", type=Path,
                    default=Path(os.environ.get("QEVAL_DATA_DIR", "/work/shared/data")) / "livecodebench")
    ap.add_argument("--solutions", required=True, type=Path)
    ap.add_argument("--timeout", type=int, default=6)
    ap.add_argument("--num-process", type=int, default=12)
    ap.add_argument("--tests", choices=("all", "public", "private"), default="all")
    ap.add_argument("--out", type=Path)
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()

    metrics, passk, codegen = load_official(args.lcb_repo.resolve())
    with open(args.solutions, encoding="utf-8") as fh:
        sols = [json.loads(line) for line in fh if line.strip()]
    rows = load_rows(data_files(args.data), {s["question_id"] for s in sols})

    out_lines = [None] * len(sols)
    samples, generations, where, notes_of = [], [], [], {}
    for i, s in enumerate(sols):
        qid = s["question_id"]
        head = {"question_id": qid, **({"label": s["label"]} if "label" in s else {})}
        row = rows.get(qid)
        if row is None:
            out_lines[i] = {**head, "error": "question_id not in the data file"}
            continue
        problem, err, notes = make_problem(codegen, row, args.tests)
        if err:
            out_lines[i] = {**head, "error": err}
            continue
        sample = problem.get_evaluation_sample()
        notes_of[i] = (head, notes, len(json.loads(sample["input_output"])["inputs"]))
        samples.append(sample)
        generations.append([s["code"]])  # codegen_metrics linearises to one generation per job
        where.append(i)

    if samples:
        results, metadata = metrics.evaluate_generations(
            samples, generations, debug=False, num_process_evaluate=args.num_process, timeout=args.timeout)
        for j, i in enumerate(where):
            res, meta = results[j][0], metadata[j][0]
            passed = passk.extract_instance_results({0: [res]})[0][0]
            head, notes, n = notes_of[i]
            out_lines[i] = {**head, "verdicts": res, "passed": bool(passed), "metadata": meta, "tests": n,
                            **({"notes": notes} if notes else {})}

    bad = 0
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    for s, line in zip(sols, out_lines):
        if "expect_passed" in s:
            ok = line.get("passed") == s["expect_passed"]
            line["expect_passed"] = s["expect_passed"]
            bad += not ok
        out.write(json.dumps(line, default=str) + "\n")
    if out is not sys.stdout:
        out.close()
    graded = [x for x in out_lines if "passed" in x]
    print(f"graded {len(graded)}/{len(sols)}, passed {sum(x['passed'] for x in graded)}, "
          f"expectation mismatches {bad}", file=sys.stderr)
    if args.check and bad:
        sys.exit(1)


if __name__ == "__main__":
    main()
