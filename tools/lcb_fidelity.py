#!/usr/bin/env python3
"""Verdict fidelity of qeval's LiveCodeBench grading against the official checker (dev tool, issue 6).

For the first N stdin and N call-based problems of the real data file, programs are MADE BY RULES from each
problem's public tests (nothing copied: a lookup table from test input to test output, then variants of it that
are wrong on the last test, crash on the second, spin on the first, print numbers as 5.0 or with doubled spaces,
iterate over sys.stdin, call exit() or quit(), read open(0), return tuples (top-level and nested), floats, NaN,
generators, keep state between calls, call sys.exit()). Each program is graded by
  - the official checker: tools/lcb_official_verdicts.py (imports lcb_runner from --lcb-repo; see its docstring
    for the venv and the official tree), and
  - qeval: `qeval score --task livecodebench` (the sandbox and livecodebench_driver.py), once sequentially (-j1)
    and once as two processes at the same time over the two halves (-j2),
and the official per-test lists are compared: qeval's "official" list must equal lcb_runner's, entry by entry.
The generated programs embed test data, so they stay in a temporary folder and are never committed.

Usage: QEVAL_DATA_DIR=../shared/data tools/lcb_fidelity.py --lcb-repo /tmp/lcb_official \
           --python /tmp/qeval-lcb-venv/bin/python [--qeval build/qeval] [--per-kind 40] [--slow 3]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path


def stdin_programs(tests, slow):
    table = {t["input"]: t["output"] for t in tests}
    head = f"import sys\n_T = {table!r}\n"
    first, second, last = tests[0]["input"], tests[min(1, len(tests) - 1)]["input"], tests[-1]["input"]
    numeric = all(tok.lstrip("-").replace(".", "", 1).isdigit() for t in tests for tok in t["output"].split())
    progs = {
        "table": head + "print(_T[sys.stdin.read()], end='')\n",
        "wrong_last": head + f"d = sys.stdin.read()\nprint(_T[d] + ('\\n0' if d == {last!r} else ''), end='')\n",
        "crash_second": head + f"d = sys.stdin.read()\nif d == {second!r}:\n    raise ValueError('no')\nprint(_T[d])\n",
        "spaced": head + "print('\\n'.join('  '.join(l.split()) for l in _T[sys.stdin.read()].split('\\n')) + '\\n\\n')\n",
        "iterate": head + "for line in sys.stdin:\n    pass\nprint(_T[sys.stdin.read()])\n",
        "exit_early": head + "print(_T[sys.stdin.read()])\nexit()\nprint('after')\n",
        "quit": head + "print(_T[sys.stdin.read()])\nquit()\n",
        "open0": head + "print(_T.get(open(0).read(), 'none'))\n",
        "input_lines": head + "lines = []\nwhile True:\n    try:\n        lines.append(input())\n    except EOFError:\n"
                       "        break\nprint(_T['\\n'.join(lines) + '\\n'])\n",
    }
    if numeric:
        progs["decimal"] = head + ("print('\\n'.join(' '.join(t + '.0' if t.lstrip('-').isdigit() else t "
                                   "for t in l.split()) for l in _T[sys.stdin.read()].split('\\n')))\n")
    if slow:
        progs["slow_first"] = head + f"d = sys.stdin.read()\nwhile d == {first!r}:\n    pass\nprint(_T[d])\n"
    return progs


def call_programs(tests, fn, slow):
    table = {json.dumps([json.loads(x) for x in t["input"].split("\n")]): t["output"] for t in tests}
    keys = list(table)
    head = (f"import json\nclass Solution:\n    _T = {table!r}\n    calls = 0\n    def {fn}(self, *args):\n"
            "        key = json.dumps(list(args))\n        Solution.calls += 1\n")
    progs = {
        "table": head + "        return json.loads(self._T[key])\n",
        "wrong_last": head + f"        v = json.loads(self._T[key])\n        return [v, 1] if key == {keys[-1]!r} else v\n",
        "crash_second": head + f"        if key == {keys[min(1, len(keys) - 1)]!r}:\n            raise KeyError(key)\n"
                               "        return json.loads(self._T[key])\n",
        "tuple": head + "        v = json.loads(self._T[key])\n        return tuple(v) if isinstance(v, list) else v\n",
        "nested_tuple": head + "        v = json.loads(self._T[key])\n        return [tuple(x) if isinstance(x, list) "
                               "else x for x in v] if isinstance(v, list) else v\n",
        "nan": head + "        v = json.loads(self._T[key])\n        return float('nan') if type(v) in (int, float) "
                      "else [float('nan')] * len(v) if isinstance(v, list) else v\n",
        "float": head + "        v = json.loads(self._T[key])\n        return float(v) if type(v) is int else v\n",
        "generator": head + "        v = json.loads(self._T[key])\n        return iter(v) if isinstance(v, list) else v\n",
        "state": head + "        v = json.loads(self._T[key])\n        return None if Solution.calls == 2 else v\n",
        "sysexit": head + "        import sys\n        sys.exit(0)\n",
        "prints": head + "        print('noise', key)\n        return json.loads(self._T[key])\n",
    }
    if slow:
        progs["slow_first"] = head + f"        while key == {keys[0]!r}:\n            pass\n" \
                                     "        return json.loads(self._T[key])\n"
    return progs


def load_problems(data_dir, per_kind):
    path = Path(data_dir) / "livecodebench" / "problems_release_v6.jsonl"
    stdin, call = [], []
    with open(path) as f:
        for line in f:
            row = json.loads(line)
            if not row.get("public_test_cases"):
                continue
            tests = json.loads(row["public_test_cases"])
            if not tests:
                continue
            if tests[0]["testtype"] == "functional":
                starter = row.get("starter_code") or ""
                at = starter.find("def ")
                if at < 0 or len(call) >= per_kind:
                    continue
                fn = starter[at + 4:starter.index("(", at)].strip()
                call.append((row["question_id"], tests, fn))
            elif len(stdin) < per_kind:
                stdin.append((row["question_id"], tests, None))
            if len(stdin) >= per_kind and len(call) >= per_kind:
                break
    return stdin + call


def official_list(v):
    return [1 if x is True else 0 if x is False else x for x in v]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--lcb-repo")
    ap.add_argument("--python", help="the venv python for tools/lcb_official_verdicts.py")
    ap.add_argument("--qeval", default="build/qeval")
    ap.add_argument("--per-kind", type=int, default=40)
    ap.add_argument("--slow", type=int, default=3, help="problems of each kind that also get a spinning program")
    ap.add_argument("--emit", help="only write the programs as {question_id, label, code} JSONL here, and the "
                    "matching `qeval score` input beside it (FILE.qeval.jsonl); for tools/bench_sandbox.sh")
    a = ap.parse_args()
    data = os.environ["QEVAL_DATA_DIR"]
    root = Path(__file__).resolve().parent.parent
    tmp = Path(tempfile.mkdtemp(prefix="qeval-lcb-fidelity-"))
    solutions = []
    counts = {"stdin": 0, "call": 0}
    for qid, tests, fn in load_problems(data, a.per_kind):
        kind = "call" if fn else "stdin"
        slow = counts[kind] < a.slow
        counts[kind] += 1
        progs = call_programs(tests, fn, slow) if fn else stdin_programs(tests, slow)
        for label, code in progs.items():
            solutions.append({"question_id": qid, "label": label, "code": code, "tests": len(tests)})
    if a.emit:
        Path(a.emit).write_text("".join(json.dumps(s) + "\n" for s in solutions))
        Path(a.emit + ".qeval.jsonl").write_text("".join(json.dumps(
            {"id": s["question_id"], "response": "```python\n" + s["code"] + "\n```"}) + "\n" for s in solutions))
        return 0
    sol = tmp / "solutions.jsonl"
    sol.write_text("".join(json.dumps(s) + "\n" for s in solutions))
    print(f"{len(solutions)} programs for {counts['stdin']} stdin and {counts['call']} call-based problems "
          f"({sum(s['tests'] for s in solutions)} test runs); working folder {tmp}", flush=True)

    subprocess.run([a.python, str(root / "tools/lcb_official_verdicts.py"), "--lcb-repo", a.lcb_repo,
                    "--data", str(Path(data) / "livecodebench"), "--solutions", str(sol), "--tests", "public",
                    "--out", str(tmp / "official.jsonl")], capture_output=True, text=True, check=True)
    official = [json.loads(l) for l in (tmp / "official.jsonl").read_text().splitlines() if l.strip()]

    def qeval_score(lines, out):
        inp = out.with_suffix(".in.jsonl")
        inp.write_text("".join(json.dumps({"id": s["question_id"], "response": "```python\n" + s["code"] + "\n```"})
                               + "\n" for s in lines))
        return subprocess.Popen([a.qeval, "score", "--task", "livecodebench", "--in", str(inp), "--out", str(out),
                                 "--data-dir", data], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)

    p = qeval_score(solutions, tmp / "j1.jsonl")
    p.wait()
    half = len(solutions) // 2
    p1, p2 = qeval_score(solutions[:half], tmp / "j2a.jsonl"), qeval_score(solutions[half:], tmp / "j2b.jsonl")
    p1.wait(), p2.wait()
    j1 = [json.loads(l) for l in (tmp / "j1.jsonl").read_text().splitlines()]
    j2 = [json.loads(l) for l in ((tmp / "j2a.jsonl").read_text() + (tmp / "j2b.jsonl").read_text()).splitlines()]

    agree = same_j = tests_agree = tests_total = 0
    for s, o, q, q2 in zip(solutions, official, j1, j2):
        want = official_list(o.get("verdicts", []))
        got = q.get("tests", {}).get("official")
        ok = got == want and (q["verdict"] == "correct") == bool(o.get("passed"))
        agree += ok
        same_j += q.get("tests") == q2.get("tests") and q["verdict"] == q2["verdict"]
        tests_total += s["tests"]
        tests_agree += s["tests"] if ok else 0
        if not ok:
            print(f"DIFFER {s['question_id']} {s['label']}: official {want} passed={o.get('passed')}; "
                  f"qeval {got} {q['verdict']} ({q.get('tests', {}).get('why', q.get('error', ''))[:200]})")
    print(f"agreement with the official checker: {agree}/{len(solutions)} programs "
          f"({tests_agree}/{tests_total} test runs on agreeing programs); -j1 vs -j2 identical: {same_j}/{len(solutions)}")
    labels = {}
    for s, o in zip(solutions, official):
        labels.setdefault(s["label"], [0, 0])
        labels[s["label"]][0] += 1
        labels[s["label"]][1] += bool(o.get("passed"))
    print("programs by rule (count, officially passing):", json.dumps(labels))
    return 0 if agree == len(solutions) and same_j == len(solutions) else 1


if __name__ == "__main__":
    sys.exit(main())
