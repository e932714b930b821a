#!/usr/bin/env python3
"""The synthetic database tools/screenshot_report.sh renders (made like tools/bench_compare.sh's, smaller and with
responses): `fill DB` writes 3 variants (v0 the baseline, v1 a small drop, v2 a large one) x 3 tasks, 4 samples per
problem; `perturb DB NIGHT` redraws a tenth of the candidates' verdicts (a night's noise); `date DB NIGHT` dates the
comparisons stored since the last call back to that night (5 - NIGHT days ago, at 03:00), so the trend has dates."""
import datetime
import math
import random
import sqlite3
import sys

TASKS = {"math500": 200, "gpqa_diamond": 198, "aime24": 30}
VARIANTS = {"v0": 0.0, "v1": -0.06, "v2": -0.35}  # shift on the probit scale
K = 4


def phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def response(rng, task, i, answer, verdict):
    steps = "\n".join(f"Step {s + 1}: we simplify term {s + 1} of problem {i}." for s in range(rng.randint(2, 9)))
    if verdict == "no_answer":
        return steps + "\nI could not finish this one."
    return f"Problem {task}-{i}.\n{steps}\nTherefore the answer is \\boxed{{{answer}}}."


def fill(db):
    rng = random.Random(20261124)
    for task, n in TASKS.items():
        difficulty = [rng.gauss(0.5, 1.1) for _ in range(n)]
        for label, shift in VARIANTS.items():
            run = db.execute(
                "INSERT INTO runs (fingerprint, variant, task, task_version, settings, provenance, status, "
                "samples_total, created_at) VALUES (?, ?, ?, '1', '{}', '{}', 'done', ?, '2026-11-20T00:00:00Z')",
                (f"shot-{label}-{task}", label, task, n * K)).lastrowid
            rows = []
            for i in range(n):
                p = phi(difficulty[i] + shift)
                for k in range(K):
                    r = rng.random()
                    verdict = "correct" if r < p else ("no_answer" if r > 0.96 else "incorrect")
                    answer = {"correct": str(i), "incorrect": str(i + 1 + k), "no_answer": ""}[verdict]
                    rows.append((run, f"{task}-{i}", k, response(rng, task, i, answer, verdict), answer, verdict,
                                 "length" if rng.random() < 0.03 else "stop", rng.randint(300, 6000)))
            db.executemany(
                "INSERT INTO samples (run_id, problem_id, sample_index, response, extracted, verdict, finish_reason, "
                "completion_tokens, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '2026-11-20T00:00:00Z')", rows)


def perturb(db, night):
    rng = random.Random(night)
    rows = db.execute("SELECT s.rowid, s.problem_id FROM samples s JOIN runs r ON r.id = s.run_id "
                      "WHERE r.variant IN ('v1', 'v2')").fetchall()
    for rowid, problem in rng.sample(rows, len(rows) // 10):
        verdict = "correct" if rng.random() < 0.55 else "incorrect"
        answer = problem.split("-")[-1] if verdict == "correct" else "0"
        db.execute("UPDATE samples SET verdict = ?, extracted = ? WHERE rowid = ?", (verdict, answer, rowid))


def date(db, night):
    day = datetime.date.today() - datetime.timedelta(days=5 - int(night))
    db.execute("UPDATE comparisons SET created_at = ? WHERE created_at NOT LIKE '%T03:00:00Z'",
               (f"{day.isoformat()}T03:00:00Z",))


if __name__ == "__main__":
    conn = sqlite3.connect(sys.argv[2])
    {"fill": lambda: fill(conn), "perturb": lambda: perturb(conn, int(sys.argv[3])),
     "date": lambda: date(conn, sys.argv[3])}[sys.argv[1]]()
    conn.commit()
