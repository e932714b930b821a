#!/usr/bin/env python3
"""Runs llama-cpp-python's stock OpenAI-compatible server, recording what each HTTP request asked for (dev only).

Same command line as `python -m llama_cpp.server` (its own __main__ runs unchanged), plus one ASGI middleware around
its app that appends one JSON line per HTTP request to WIRE_LOG: method, path, the request body's top-level keys,
the values of the fields a client sets (model, stream, stream_options, max_tokens, temperature, top_p, top_k, min_p,
seed, stop, n), the response status and content-type, and for event streams the number of `data:` events, whether
`data: [DONE]` was sent and the finish_reasons seen. The middleware only observes: bodies pass through unchanged.
tools/real_server_check.sh uses it to check that `qeval run --stream` really streams and `--no-stream` does not.

Usage: $LLAMA_PY tools/llama_server_recorded.py WIRE_LOG [python -m llama_cpp.server arguments...]
"""
import json
import re
import runpy
import sys
import time

import uvicorn

FIELDS = ("model", "stream", "stream_options", "max_tokens", "max_completion_tokens", "temperature", "top_p",
          "top_k", "min_p", "seed", "stop", "n")
FINISH = re.compile(rb'"finish_reason": ?"([a-z_]+)"')


class Recorder:
    """ASGI middleware: passes every message through, writes one summary line per HTTP request."""

    def __init__(self, app, path):
        self.app = app
        self.log = open(path, "a", buffering=1)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        rec = {"t": round(time.time(), 3), "method": scope["method"], "path": scope["path"]}
        request_body, response_body = [], []
        sse = False

        async def receive_and_keep():
            msg = await receive()
            if msg["type"] == "http.request":
                request_body.append(msg.get("body", b""))
            return msg

        async def send_and_look(msg):
            nonlocal sse
            if msg["type"] == "http.response.start":
                rec["status"] = msg["status"]
                headers = {k.decode().lower(): v.decode() for k, v in msg.get("headers", [])}
                rec["content_type"] = headers.get("content-type", "")
                sse = rec["content_type"].startswith("text/event-stream")
            elif msg["type"] == "http.response.body" and sse:
                response_body.append(msg.get("body", b""))
            await send(msg)

        try:
            await self.app(scope, receive_and_keep, send_and_look)
        finally:
            self.write(rec, b"".join(request_body), b"".join(response_body) if sse else None)

    def write(self, rec, body, stream):
        try:
            j = json.loads(body) if body else None
        except ValueError:
            j = None
        if isinstance(j, dict):
            rec["keys"] = sorted(j)
            rec.update({k: j[k] for k in FIELDS if k in j})
        elif body:
            rec["body_not_json"] = len(body)
        if stream is not None:
            rec["sse_data_events"] = len(re.findall(rb"(?m)^data:", stream))
            rec["sse_done"] = b"data: [DONE]" in stream
            rec["sse_finish_reasons"] = [m.decode() for m in FINISH.findall(stream)]
            rec["sse_pings"] = len(re.findall(rb"(?m)^: ?ping", stream))
        self.log.write(json.dumps(rec) + "\n")


def main():
    if len(sys.argv) < 2 or sys.argv[1].startswith("-"):
        sys.exit("usage: llama_server_recorded.py WIRE_LOG [python -m llama_cpp.server arguments...]")
    wire_log = sys.argv.pop(1)
    stock_run = uvicorn.run
    uvicorn.run = lambda app, **kw: stock_run(Recorder(app, wire_log), **kw)
    sys.argv[0] = "llama_cpp.server"
    runpy.run_module("llama_cpp.server", run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
