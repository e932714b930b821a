#!/usr/bin/env python3
"""Checks and summarises the qeval runs made by tools/real_server_check.sh (dev only, not CI; stdlib only).

Reads `qeval runs --json`, and per variant its `qeval export` JSONL and the server-side record of the requests made
during that run (tools/llama_server_recorded.py). Fails (exit 1) when a variant is missing from `qeval runs`, does
not hold exactly --expect distinct (id, sample) rows, has a row with an error, the verdict "error" or an empty
response; when the server saw fewer chat requests than rows or answered one with a status other than 200; when a
`stream` variant's requests did not ask for `"stream": true` or did not get a finished event stream (finish_reason
and [DONE]), or a `no-stream` variant's requests asked to stream. With --same-text (greedy decoding), also fails
when the variants' responses differ for the same (id, sample). Prints, per variant: rows, verdict and finish_reason
counts, latency, token counts, attempts > 1, the request fields qeval sent, and one response.

Usage: real_server_report.py RUNS_JSON --run LABEL stream|no-stream EXPORT_JSONL WIRE_JSONL [--run ...]
         --expect N [--same-text]
"""
import argparse
import collections
import json
import sys


def load_jsonl(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def mentions(obj, label):
    """True when some "variant" field anywhere in `qeval runs --json` output equals label."""
    if isinstance(obj, dict):
        return obj.get("variant") == label or any(mentions(v, label) for v in obj.values())
    if isinstance(obj, list):
        return any(mentions(v, label) for v in obj)
    return False


def check_wire(label, mode, wire, rows, problems):
    """Checks and prints what the server saw during one variant's run."""
    chats = [w for w in wire if w.get("method") == "POST" and w.get("path", "").endswith("/chat/completions")]
    if len(chats) < len(rows):
        problems.append(f"{label}: the server saw {len(chats)} chat requests for {len(rows)} stored rows")
    bad_status = [w.get("status") for w in chats if w.get("status") != 200]
    if bad_status:
        problems.append(f"{label}: {len(bad_status)} chat requests answered with status {sorted(set(bad_status))}")
    for w in chats:
        streamed = w.get("content_type", "").startswith("text/event-stream")
        if mode == "stream" and not (w.get("stream") is True and streamed):
            problems.append(f"{label}: a request was not streamed (stream={w.get('stream')!r}, "
                            f"content-type {w.get('content_type')!r})")
            break
        if mode == "stream" and not (w.get("sse_done") and w.get("sse_finish_reasons")):
            problems.append(f"{label}: an event stream ended without finish_reason/[DONE]: {w}")
            break
        if mode == "no-stream" and (w.get("stream") or streamed):
            problems.append(f"{label}: --no-stream request asked to stream (stream={w.get('stream')!r}, "
                            f"content-type {w.get('content_type')!r})")
            break
    keys = sorted({k for w in chats for k in w.get("keys", [])})
    print(f"   server saw:        {len(chats)} chat requests, {sum(1 for w in chats if w.get('stream'))} streamed,"
          f" statuses {dict(collections.Counter(w.get('status') for w in chats))}")
    print(f"   body keys sent:    {keys}")
    for k in ("stream", "stream_options", "max_tokens", "temperature", "top_p", "top_k", "min_p", "stop"):
        vals = collections.Counter(json.dumps(w[k]) for w in chats if k in w)
        if vals:
            print(f"   {k + ':':<18} {dict(vals)}")
    seeds = [w["seed"] for w in chats if "seed" in w]
    if seeds:
        print(f"   seed:              {len(set(seeds))} distinct over {len(seeds)} requests")
    if mode == "stream":
        print(f"   sse events/req:    mean {sum(w.get('sse_data_events', 0) for w in chats) / max(1, len(chats)):.1f},"
              f" pings {sum(w.get('sse_pings', 0) for w in chats)}")


def summarise(label, rows, expect, problems):
    keys = collections.Counter((r.get("id"), r.get("sample")) for r in rows)
    dupes = [k for k, n in keys.items() if n > 1]
    if len(keys) != expect or dupes:
        problems.append(f"{label}: {len(keys)} distinct (id, sample) rows, {len(rows)} rows in all, "
                        f"expected {expect}; duplicates: {dupes[:5]}")
    for r in rows:
        where = f"{label} id={r.get('id')} sample={r.get('sample')}"
        if r.get("error"):
            problems.append(f"{where}: error {r['error']!r}")
        elif r.get("verdict") == "error":
            problems.append(f"{where}: verdict error (stage {r.get('stage')!r})")
        elif not r.get("response"):
            problems.append(f"{where}: empty response (finish_reason {r.get('finish_reason')!r})")

    def stat(field):
        vals = [r[field] for r in rows if isinstance(r.get(field), (int, float))]
        if not vals:
            return "none stored"
        return f"mean {sum(vals) / len(vals):.1f}, max {max(vals)} ({len(vals)} rows)"

    print(f"== {label}: {len(rows)} rows, {len(keys)} distinct (id, sample)")
    print(f"   verdicts:          {dict(collections.Counter(r.get('verdict') for r in rows))}")
    print(f"   finish_reason:     {dict(collections.Counter(r.get('finish_reason') for r in rows))}")
    print(f"   latency_ms:        {stat('latency_ms')}")
    print(f"   prompt_tokens:     {stat('prompt_tokens')}")
    print(f"   completion_tokens: {stat('completion_tokens')}")
    print(f"   attempts > 1:      {sum(1 for r in rows if (r.get('attempts') or 1) > 1)}")
    print(f"   reasoning stored:  {sum(1 for r in rows if r.get('reasoning'))}")
    if rows:
        r = rows[0]
        print(f"   sample id={r.get('id')}: response {r.get('response')!r:.200}, extracted {r.get('extracted')!r}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("runs_json")
    ap.add_argument("--run", nargs=4, action="append", required=True,
                    metavar=("LABEL", "MODE", "EXPORT_JSONL", "WIRE_JSONL"))
    ap.add_argument("--expect", type=int, required=True, help="distinct (id, sample) rows per variant")
    ap.add_argument("--same-text", action="store_true", help="responses must match across variants")
    args = ap.parse_args()

    problems = []
    with open(args.runs_json) as f:
        runs = json.load(f)
    exports = {}
    for label, mode, export, wire in args.run:
        if mode not in ("stream", "no-stream"):
            ap.error(f"--run {label}: MODE must be stream or no-stream, not {mode}")
        if not mentions(runs, label):
            problems.append(f"`qeval runs --json` does not list variant {label}")
        exports[label] = load_jsonl(export)
        summarise(label, exports[label], args.expect, problems)
        check_wire(label, mode, load_jsonl(wire), exports[label], problems)

    if len(exports) >= 2:
        texts = [{(r.get("id"), r.get("sample")): r.get("response") for r in rows} for rows in exports.values()]
        diff = [k for k in texts[0] if any(t.get(k) != texts[0][k] for t in texts[1:])]
        note = f"{len(diff)} of {len(texts[0])} (id, sample) responses differ between variants"
        print(f"== {note}" + (f", e.g. id={diff[0][0]}" if diff else ""))
        if diff and args.same_text:
            problems.append(note + " (greedy decoding: stream and non-stream should agree)")

    if problems:
        print(f"\nFAILED ({len(problems)} problems):")
        for p in problems[:40]:
            print("  " + p)
        return 1
    print("\nOK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
