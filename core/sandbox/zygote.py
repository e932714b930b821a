# qeval's warm interpreter (core/sandbox/warm.cpp). It runs as root of a sandbox's user namespace, inside the
# sandbox's mount, net, ipc, uts and pid namespaces and its tmpfs root, imports the modules programs use once, and
# then forks one process tree per execution, so an execution costs a few forks instead of an interpreter's start-up:
#
#   zygote (this loop; never runs a program's code, never reads what a program printed)
#     └─ S: new mount, pid and ipc namespaces; a fresh size-limited tmpfs for /work and /tmp with the files
#          └─ init (pid 1 of the new pid namespace): mounts its /proc, forks the program, reaps, reports, exits
#               └─ program: the execution's stdin/stdout/stderr, oom_score_adj 1000, uid 1000, rlimits,
#                  PR_SET_NO_NEW_PRIVS, every other fd closed, the seccomp filter qeval exported (the same one the
#                  cold path installs), then the script as __main__
#
# When the program ends, init ends and the kernel kills what is left in the pid namespace; the mount namespace and
# its tmpfs go with the last process, the ipc namespace with its segments. Protocol on fd 3 (a stream socket):
# messages are a 4-byte little-endian length and JSON; a request carries the execution's stdin, stdout and stderr
# as SCM_RIGHTS. Set-up failures are reported as {"error"}, never run around.
import binascii
import ctypes
import gc
import json
import os
import resource
import signal
import socket
import sys
import time
import types

CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWIPC = 0x00020000, 0x20000000, 0x08000000
MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_RDONLY, MS_BIND, MS_REC, MS_PRIVATE = 2, 4, 8, 1, 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_NO_NEW_PRIVS, PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 1, 38, 22, 2
SAMPLE = "/.sample"  # where each execution's tmpfs is mounted before /work and /tmp are bound from it

_libc = ctypes.CDLL(None, use_errno=True)
_control = socket.socket(fileno=3)


class SetupError(Exception):
    pass


def _check(rc, what):
    if rc != 0:
        e = ctypes.get_errno()
        raise SetupError(f"{what}: {os.strerror(e)}")


def _mount(source, target, fstype, flags, data=None):
    _check(_libc.mount(source.encode() if source else None, target.encode(), fstype.encode() if fstype else None,
                       ctypes.c_ulong(flags), data.encode() if data else None), f"mount {target}")


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def _receive():
    head, fds = b"", []
    while len(head) < 4:
        data, got, _, _ = socket.recv_fds(_control, 65536, 8)
        if not data:
            return None, []
        head += data
        fds += got
    size = int.from_bytes(head[:4], "little")
    body = bytearray(head[4:])
    while len(body) < size:
        data = _control.recv(min(1 << 20, size - len(body)))
        if not data:
            return None, []
        body += data
    return json.loads(bytes(body)), fds


def _send(message):
    data = json.dumps(message).encode()
    _control.sendall(len(data).to_bytes(4, "little") + data)


def _read_all(fd):
    chunks = []
    while True:
        data = os.read(fd, 65536)
        if not data:
            os.close(fd)
            return b"".join(chunks)
        chunks.append(data)


def _fail(error_w, where, e):
    try:
        os.write(error_w, f"{where}: {e}".encode("utf-8", "replace")[:4000])
    finally:
        os._exit(127)


def _fork(child, *args):
    # The child runs child(*args) and never comes back into its caller's loop, whatever it raises.
    pid = os.fork()
    if pid == 0:
        try:
            child(*args)
        finally:
            os._exit(127)
    return pid


# ---- the program -------------------------------------------------------------------------------------------------

def _exit_code(e):
    if e.code is None:
        return 0
    if isinstance(e.code, int):
        return e.code & 0xFF
    try:
        print(e.code, file=sys.stderr)
    except Exception:
        pass
    return 1


_compiled = {}  # (path, source) -> code object: the scripts qeval named in the hello (its own), compiled once


def _run_main(script, argv):
    # What the interpreter does with `python3 -I script`: the script as a fresh __main__, an uncaught exception
    # printed by sys.excepthook (exit 1), SystemExit's code, then threads joined, atexit run, streams flushed.
    with open(script, "rb") as f:
        source = f.read()
    main = types.ModuleType("__main__")
    main.__file__ = os.path.join(os.getcwd(), script)
    main.__builtins__ = __builtins__
    sys.modules["__main__"] = main
    sys.argv = list(argv)
    code = 0
    try:
        compiled = _compiled.get((main.__file__, source))
        exec(compiled or compile(source, main.__file__, "exec"), main.__dict__)
    except SystemExit as e:
        code = _exit_code(e)
    except BaseException:
        sys.excepthook(*sys.exc_info())
        code = 1
    try:
        if "threading" in sys.modules:
            sys.modules["threading"]._shutdown()
        import atexit
        atexit._run_exitfuncs()
    except SystemExit as e:
        code = _exit_code(e)
    except BaseException:
        sys.excepthook(*sys.exc_info())
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            code = code or 120
    os._exit(code)


def _become_program(req, fds, error_w, seccomp, report_w):
    os.close(report_w)
    stage = "set-up"
    try:
        stage = "stdio"
        os.dup2(fds[0], 0)
        os.dup2(fds[1], 1)
        os.dup2(fds[2], 2)
        stage = "oom_score_adj"
        with open("/proc/self/oom_score_adj", "w") as f:  # the memory cgroup's OOM killer takes the program first
            f.write("1000")
        stage = "uid"
        uid = req["uid"]
        try:
            os.setgroups([])
        except PermissionError:  # setgroups is denied in the user namespace: there are none to drop
            pass
        os.setresgid(uid, uid, uid)
        os.setresuid(uid, uid, uid)
        stage = "rlimits"
        lim = req["limits"]
        cpu = lim["cpu"]
        for which, soft, hard in ((resource.RLIMIT_CPU, cpu, cpu + 1), (resource.RLIMIT_AS, lim["as"], lim["as"]),
                                  (resource.RLIMIT_NPROC, lim["nproc"], lim["nproc"]),
                                  (resource.RLIMIT_FSIZE, lim["fsize"], lim["fsize"]),
                                  (resource.RLIMIT_NOFILE, lim["nofile"], lim["nofile"]), (resource.RLIMIT_CORE, 0, 0)):
            resource.setrlimit(which, (soft, hard))
        stage = "chdir"
        os.chdir("/work")
        stage = "no_new_privs"
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        stage = "close descriptors"
        os.closerange(3, error_w)
        os.closerange(error_w + 1, 1 << 20)
        stage = "seccomp"
        prog = _SockFprog(len(seccomp), seccomp)
        _check(_libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0), "seccomp")
    except BaseException as e:
        _fail(error_w, stage, e)
    os.close(error_w)
    _run_main(req["argv"][0], req["argv"])


# ---- init and S --------------------------------------------------------------------------------------------------

def _init(req, fds, report_w, error_w, seccomp):
    # pid 1 of the execution's pid namespace.
    try:
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        try:
            _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
        except SetupError:  # no proc of its own: hide the zygote's rather than show it
            _mount("tmpfs", "/proc", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k,mode=0555")
    except BaseException as e:
        _fail(error_w, "init", e)
    t0 = time.monotonic()
    pid = _fork(_become_program, req, fds, error_w, seccomp, report_w)
    for fd in fds + [error_w]:
        os.close(fd)
    report = {"status": -1}
    while True:
        try:
            got, status, usage = os.wait4(-1, 0)
        except ChildProcessError:
            break
        if got == pid:
            report = {"status": status, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss,
                      "wall": time.monotonic() - t0}
            break
    os.write(report_w, json.dumps(report).encode())
    os._exit(0)  # pid 1 ends: the kernel kills every process left in the namespace


def _execution(req, fds, report_w, error_w, seccomp):
    # S: the execution's namespaces and files, then init.
    try:
        _check(_libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare (mount, pid, ipc)")
        _mount(None, "/", None, MS_REC | MS_PRIVATE)
        _mount("tmpfs", SAMPLE, "tmpfs", MS_NOSUID | MS_NODEV, f"size={req['limits']['tmpfs']},mode=0755")
        uid = req["uid"]
        for name in ("work", "tmp"):
            os.mkdir(f"{SAMPLE}/{name}")
            os.chown(f"{SAMPLE}/{name}", uid, uid)
        os.chmod(f"{SAMPLE}/tmp", 0o1777)
        for name, b64 in req["files"]:
            fd = os.open(f"{SAMPLE}/work/{name}", os.O_CREAT | os.O_WRONLY | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
            try:
                os.write(fd, binascii.a2b_base64(b64))
            finally:
                os.close(fd)
        _mount(f"{SAMPLE}/work", "/work", None, MS_BIND)
        _mount(f"{SAMPLE}/tmp", "/tmp", None, MS_BIND)
        _check(_libc.umount2(SAMPLE.encode(), MNT_DETACH), "detach the execution's tmpfs")
    except BaseException as e:
        _fail(error_w, "execution", e)
    pid = _fork(_init, req, fds, report_w, error_w, seccomp)
    for fd in fds + [report_w, error_w]:
        os.close(fd)
    os.waitpid(pid, 0)
    os._exit(0)


def _serve_one(req, fds, seccomp):
    if len(fds) != 3:
        for fd in fds:
            os.close(fd)
        return {"error": f"zygote: a request needs 3 descriptors, got {len(fds)}"}
    report_r, report_w = os.pipe()
    error_r, error_w = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    def execution():
        os.close(report_r)
        os.close(error_r)
        _control.detach()
        os.close(3)
        _execution(req, fds, report_w, error_w, seccomp)

    pid = _fork(execution)
    for fd in fds + [report_w, error_w]:
        os.close(fd)
    os.waitpid(pid, 0)
    error = _read_all(error_r).decode("utf-8", "replace")
    report = _read_all(report_r)
    if error:
        return {"error": error}
    if not report:
        return {"error": "the execution's init ended without a report"}
    return json.loads(report)


def main():
    hello, _ = _receive()
    if hello is None:
        os._exit(0)
    raw = binascii.a2b_base64(hello["seccomp"])
    count = len(raw) // 8
    seccomp = (_SockFilter * count).from_buffer_copy(raw[:count * 8])
    for name in hello["preload"]:
        __import__(name)
    for name, b64 in hello["scripts"]:  # qeval's own (the LiveCodeBench driver), never a program's
        path, source = f"/work/{name}", binascii.a2b_base64(b64)
        _compiled[(path, source)] = compile(source, path, "exec")
    for name in ("subprocess", "shutil"):  # programs must import these themselves (the LCB guard patches them)
        if name in sys.modules:
            _send({"error": f"zygote: {name} was imported at start-up"})
            os._exit(1)
    compile("pass", "<zygote>", "exec")  # the compiler's lazily made state (the AST types), made once here
    gc.freeze()  # what is here now is never collected: the collector leaves those pages alone in the forks
    _send({"ready": True, "modules": len(sys.modules)})
    while True:
        req, fds = _receive()
        if req is None:
            os._exit(0)
        try:
            reply = _serve_one(req, fds, seccomp)
        except BaseException as e:
            reply = {"error": f"zygote: {e!r}"}
        _send(reply)


main()
