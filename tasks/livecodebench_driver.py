# qeval's LiveCodeBench test driver. It runs inside core/sandbox, never on the host, and reproduces what the
# official checker (lcb_runner/evaluation/testing_util.py: run_test, grade_call_based, grade_stdio, call_method,
# clean_if_name, make_function, reliability_guard; tools/lcb_checker_notes.md describes them) does to a program,
# written anew for qeval. It does not judge: it reports what the program produced for each test, framed with a
# nonce on a private copy of stdout, and qeval compares with the expected outputs outside the sandbox (the expected
# outputs never enter it).
#
# stdin: one JSON object {"nonce", "fn_name" (null: stdin/stdout tests), "timeout", "wall", "inputs": [...]}.
# solution.py (in the working directory): the program. Frames: "\n<nonce> <test> <kind> <base64>\n", kind one of
#   out   stdin/stdout test: everything the program printed (captured as the official Capturing does)
#   ret   call-based test: json.dumps of the return value (tuples made lists at the top level), or "" if it has none
#         or does not come back equal from JSON
#   exc   the test raised (repr); tle: the test ran out of time; err: "error during testing" (test = -1)
#   done  every test ran
# Kept light: a sample's interpreter starts fresh, so every import here is paid per sample (no `ast`, `base64`,
# `subprocess` or `shutil` at start-up: _ast, binascii and an import hook do their part).
import _ast
import binascii
import io
import json
import os
import signal
import sys
import types

_out = os.fdopen(os.dup(1), "wb", buffering=0)
_header = json.loads(sys.stdin.read())
_nonce = _header["nonce"].encode()


def _frame(test, kind, payload=b""):
    if isinstance(payload, str):
        payload = payload.encode("utf-8", "surrogateescape")
    _out.write(b"\n" + _nonce + b" " + str(test).encode() + b" " + kind.encode() + b" " +
               binascii.b2a_base64(payload, newline=False) + b"\n")


class TimeoutException(Exception):  # the official name: "timeoutexception" in repr() marks a time limit
    pass


def _on_timer(signum, frame):
    raise TimeoutException


def _arm(seconds, wall):
    signal.setitimer(signal.ITIMER_PROF, seconds)  # CPU time of the process: the verdict clock
    signal.setitimer(signal.ITIMER_REAL, wall)     # wall clock, looser: a program that sleeps


def _disarm():
    signal.setitimer(signal.ITIMER_PROF, 0)
    signal.setitimer(signal.ITIMER_REAL, 0)


# What the official code puts in front of every program (testing_util.import_string): these names are in scope.
_MODULES = ["string", "re", "datetime", "collections", "heapq", "bisect", "copy", "math", "random", "statistics",
            "itertools", "functools", "operator", "io", "sys", "json", "builtins", "typing"]
PRELUDE = ("".join(f"from {m} import *\n" for m in _MODULES) +
           "".join(f"import {m}\n" for m in _MODULES if m not in ("builtins", "typing")) +
           "sys.setrecursionlimit(50000)\n")


def _parse(code):
    return compile(code, "<solution>", "exec", _ast.PyCF_ONLY_AST)


def _is_main_guard(test):
    # What ast.unparse() writes as "__name__ == '__main__'" (the official clean_if_name compares that text).
    return (isinstance(test, _ast.Compare) and isinstance(test.left, _ast.Name) and test.left.id == "__name__" and
            len(test.ops) == 1 and isinstance(test.ops[0], _ast.Eq) and len(test.comparators) == 1 and
            isinstance(test.comparators[0], _ast.Constant) and test.comparators[0].value == "__main__" and
            type(test.comparators[0].value) is str and test.comparators[0].kind is None)


def _stdio_module(code):
    # The official clean_if_name then make_function, on the tree: a last top-level `if __name__ == '__main__':` is
    # replaced by its body, imports stay at module level, every other top-level statement goes into
    # wrapped_function, all after the prelude. (The official code unparses and re-parses; compiling the tree runs
    # the same statements.) A parse error, or nothing but imports, is an error during testing, as there.
    body = _parse(code).body
    if body and isinstance(body[-1], _ast.If) and _is_main_guard(body[-1].test):
        body = body[:-1] + body[-1].body
    imports = [st for st in body if isinstance(st, (_ast.Import, _ast.ImportFrom))]
    rest = [st for st in body if not isinstance(st, (_ast.Import, _ast.ImportFrom))]
    fn = _ast.FunctionDef(name="wrapped_function", args=_ast.arguments(posonlyargs=[], args=[], kwonlyargs=[],
                          kw_defaults=[], defaults=[]), body=rest, decorator_list=[], returns=None, type_comment=None,
                          lineno=1, col_offset=0, end_lineno=1, end_col_offset=0)
    module = types.ModuleType("tmp_sol", "")
    exec(PRELUDE, module.__dict__)
    exec(compile(_ast.Module(body=imports + [fn], type_ignores=[]), "<solution>", "exec"), module.__dict__)
    return module


def _load_module(source):
    module = types.ModuleType("tmp_sol", "")
    exec(source, module.__dict__)
    return module


class _Stdin:
    # The official sys.stdin stand-in: readline/input from a stream, read() the whole input every time,
    # readlines() split on "\n", buffer.read() the whole input, buffer.readline() the first line, not iterable;
    # anything else from the stream.
    def __init__(self, text):
        self._text = text
        self._stream = io.StringIO(text)
        first = text.split("\n")[0]
        self.buffer = types.SimpleNamespace(read=lambda *a: text.encode(), readline=lambda *a: (first + "\n").encode())

    def readline(self, *args):
        return self._stream.readline(*args)

    def read(self, *args):
        return self._text

    def readlines(self, *args):
        return self._text.split("\n")

    def __getattr__(self, name):
        return getattr(self._stream, name)


def _run_stdio(method, text):
    lines = iter(text.split("\n"))
    real = sys.__stdin__
    saved = (sys.stdin, sys.stdout, real.readline, real.read, real.readlines)
    captured = io.StringIO()
    sys.stdin, sys.stdout = _Stdin(text), captured
    real.readline = lambda *a: next(lines)  # names bound to the real stdin (from sys import *) read this way
    real.read = lambda *a: text
    real.readlines = lambda *a: text.split("\n")
    try:
        method()
    except SystemExit:
        pass
    finally:
        sys.stdin, sys.stdout, real.readline, real.read, real.readlines = saved
    return captured.getvalue()


class _PatchOnImport:
    # subprocess.Popen and shutil.rmtree/move/chown are None once imported, as after the official guard, without
    # importing them for programs that never do.
    patch = {"subprocess": ("Popen",), "shutil": ("rmtree", "move", "chown")}

    def find_spec(self, name, path=None, target=None):
        if name not in self.patch:
            return None
        from importlib.machinery import PathFinder
        spec = PathFinder.find_spec(name, path)
        if spec is None:
            return None
        run = spec.loader.exec_module

        def exec_module(module):
            run(module)
            for attr in self.patch[name]:
                setattr(module, attr, None)
        spec.loader.exec_module = exec_module
        return spec


def _guard():
    # What the official reliability_guard() takes away before the program runs (it changes verdicts: calling one of
    # these raises TypeError). The sandbox, not this, is what contains the program.
    import builtins
    import faulthandler
    faulthandler.disable()
    builtins.quit = None
    builtins.help = None
    os.environ["OMP_NUM_THREADS"] = "1"
    for name in ["kill", "system", "putenv", "remove", "removedirs", "rmdir", "fchdir", "setuid", "fork", "forkpty",
                 "killpg", "rename", "renames", "truncate", "replace", "unlink", "fchmod", "fchown", "chmod", "chown",
                 "chroot", "lchflags", "lchmod", "lchown", "getcwd", "chdir"]:
        setattr(os, name, None)
    sys.meta_path.insert(0, _PatchOnImport())
    for name in ["ipdb", "joblib", "resource", "psutil", "tkinter"]:
        sys.modules[name] = None


def main():
    timeout, wall = float(_header["timeout"]), float(_header["wall"])
    fn_name, inputs = _header["fn_name"], _header["inputs"]
    sys.set_int_max_str_digits(50000)
    signal.signal(signal.SIGPROF, _on_timer)
    signal.signal(signal.SIGALRM, _on_timer)
    with open("solution.py", encoding="utf-8", errors="surrogateescape") as f:  # in the working directory
        code = f.read()
    _guard()
    try:
        _arm(timeout, wall)
        if fn_name is None:
            method = _stdio_module(code).wrapped_function
        else:
            module = _load_module(PRELUDE + "\n\n" + code)
            owner = module.Solution() if "class Solution" in code else module
            method = getattr(owner, fn_name)
            inputs = [[json.loads(line) for line in text.split("\n")] for text in inputs]
        _disarm()
    except BaseException as e:
        _disarm()
        _frame(-1, "err", repr(e))
        return
    for i, test in enumerate(inputs):
        try:
            _arm(timeout, wall)
            if fn_name is None:
                result = _run_stdio(method, test)
                _disarm()
                _frame(i, "out", result)
            else:
                value = method(*test)
                _disarm()
                if isinstance(value, tuple):
                    value = list(value)
                try:
                    text = json.dumps(value)
                    # The official compares the value itself with json.loads(expected): a value that JSON does not
                    # carry back equal (a nested tuple, a dict with int keys, NaN) equals no expected output.
                    if json.loads(text) != value:
                        text = ""
                except Exception:
                    text = ""  # not JSON: equal to no expected output
                _frame(i, "ret", text)
        except TimeoutException as e:
            _disarm()
            _frame(i, "tle", repr(e))
            return
        except Exception as e:
            _disarm()
            _frame(i, "exc", repr(e))
            return
    _frame(len(inputs), "done")


main()
_out.flush()
os._exit(0)
