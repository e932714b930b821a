// The sandbox against an attack suite: programs written here that try to escape, exhaust or spy, each with the
// outcome it must get, and after each one the host's state checked: no process of the sandbox's uids alive, no
// sandbox root or cgroup left, nothing written outside, the test's database intact, the harness still working.
// Each case runs cold (run(): a fresh interpreter per execution) and warm (WarmPool: forked from a zygote); warm, the
// zygotes live on between executions, so what is checked after each one is that no process of a program's uid is
// left, and everything else once the pool is shut down.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "core/sandbox/sandbox.hpp"
#include "core/sandbox/warm.hpp"
#include "harness/storage/db.hpp"
#include "test_util.hpp"

using namespace qeval;
namespace sb = core::sandbox;
namespace fs = std::filesystem;

namespace {

#define QEVAL_NEED_SANDBOX()                                                                                           \
    do {                                                                                                               \
        std::string why_;                                                                                              \
        if (!sb::available(&why_)) {                                                                                   \
            WARN("SKIPPED: the sandbox cannot be set up on this machine: " << why_);                                   \
            return;                                                                                                    \
        }                                                                                                              \
    } while (0)

sb::WarmPool* g_pool = nullptr; // the warm runs' pool; null: cold

// Set for one test case's warm run: a pool of its own, shut down and checked empty at the end.
struct WarmScope {
    std::unique_ptr<sb::WarmPool> pool;
    explicit WarmScope(bool warm) {
        if (warm) pool = std::make_unique<sb::WarmPool>(std::vector<std::string>{"json", "re", "collections"});
        g_pool = pool.get();
    }
    ~WarmScope() { g_pool = nullptr; }
};

sb::Result python(const std::string& code, sb::Limits limits = {}, const std::string& stdin_data = "") {
    sb::Request rq;
    rq.argv = {sb::python_interpreter().executable.string(), "-I", "main.py"};
    rq.files = {{"main.py", code}};
    rq.stdin_data = stdin_data;
    rq.limits = limits;
    if (!g_pool) return sb::run(rq);
    sb::Result r = g_pool->run(rq);
    CHECK(g_pool->fallback() == ""); // it ran warm
    return r;
}

// Processes whose real uid is one of this test process's sandbox uids, anywhere on the host (only programs' uids:
// the odd ones).
std::vector<int> sandbox_processes(bool programs_only = false) {
    std::vector<int> out;
    for (const auto& e : fs::directory_iterator("/proc")) {
        const std::string name = e.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(e.path() / "status");
        for (std::string line; std::getline(in, line);)
            if (line.rfind("Uid:", 0) == 0) {
                const auto uid = static_cast<unsigned>(std::atol(line.c_str() + 4));
                if (uid >= sb::own_uids().first && uid < sb::own_uids().second &&
                    (!programs_only || (uid - sb::own_uids().first) % 2 == 1))
                    out.push_back(std::stoi(name));
                break;
            }
    }
    return out;
}

std::size_t leftovers() { // this process's sandbox roots and cgroups
    std::size_t n = 0;
    const std::string prefix = sb::own_prefix();
    for (const auto& e : fs::directory_iterator("/tmp"))
        n += e.path().filename().string().rfind(prefix, 0) == 0;
    for (const char* dir : {"/sys/fs/cgroup/memory", "/sys/fs/cgroup/pids", "/sys/fs/cgroup"}) {
        std::error_code ec;
        for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
             it.increment(ec)) {
            if (it.depth() > 3) it.disable_recursion_pending();
            n += it->path().filename().string().rfind(prefix, 0) == 0;
        }
    }
    return n;
}

void check_no_process(bool programs_only) {
    std::vector<int> alive;
    for (int i = 0; i < 100; ++i) { // the namespace is being torn down: give the kernel a moment
        alive = sandbox_processes(programs_only);
        if (alive.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(alive.empty());
}

// Warm: the pool shut down, nothing of it is left either.
void check_pool_gone() {
    if (!g_pool) return;
    g_pool->shutdown();
    check_no_process(false);
    CHECK(leftovers() == 0);
}

void check_host_clean(const fs::path& marker) {
    check_no_process(g_pool != nullptr);
    if (!g_pool) CHECK(leftovers() == 0);
    CHECK_FALSE(fs::exists(marker));
    // The harness still works.
    const sb::Result ok = python("print(6 * 7)");
    CHECK(ok.outcome == sb::Outcome::exited);
    CHECK(ok.out == "42\n");
}

struct Attack {
    const char* name;
    std::string code;
    std::vector<sb::Outcome> outcomes; // any of these
    std::string must_print = {};       // "" or a line the program's stdout must contain
    std::string must_not_print = {};   // "" or text that must not appear in stdout
};

} // namespace

TEST_CASE("sandbox runs a program with stdin, files, a clean environment and its own view", "[sandbox]") {
    QEVAL_NEED_SANDBOX();
    const bool warm = GENERATE(false, true);
    INFO((warm ? "warm" : "cold"));
    WarmScope scope(warm);
    ::setenv("QEVAL_TEST_SECRET", "hunter2", 1);
    const sb::Result r = python("import os, sys\n"
                                "print(sys.stdin.read().upper())\n"
                                "print(sorted(os.environ))\n"
                                "print(os.getuid(), os.getgid(), os.getpid())\n"
                                "print(os.getcwd(), sorted(os.listdir('/')))\n"
                                "print(sorted(os.listdir('/proc/self/fd')))\n"
                                "import socket; print(socket.gethostname())\n",
                                {}, "hello");
    INFO(r.err << r.error);
    REQUIRE(r.outcome == sb::Outcome::exited);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::StartsWith("HELLO\n"));
    CHECK_THAT(r.out, !Catch::Contains("QEVAL_TEST_SECRET") && !Catch::Contains("hunter2"));
    CHECK_THAT(r.out, Catch::Contains("['HOME', 'LANG', 'MALLOC_ARENA_MAX', 'PATH', 'TMPDIR']"));
    CHECK_THAT(r.out, Catch::Contains("1000 1000 2\n")); // unprivileged inside, pid 2 under the namespace's init
    CHECK_THAT(r.out, Catch::Contains("/work ["));
    CHECK_THAT(r.out, !Catch::Contains("'root'") && !Catch::Contains("'home'") && !Catch::Contains("'etc'"));
    CHECK_THAT(r.out, Catch::Contains("['0', '1', '2', '3']")); // 3: listdir's own descriptor
    CHECK_THAT(r.out, Catch::EndsWith("sandbox\n"));
    CHECK(r.cpu_seconds > 0);
    ::unsetenv("QEVAL_TEST_SECRET");
    check_pool_gone();
}

TEST_CASE("sandbox attack suite: every attack is contained and the host is unchanged", "[sandbox]") {
    QEVAL_NEED_SANDBOX();
    const bool warm = GENERATE(false, true);
    INFO((warm ? "warm" : "cold"));
    WarmScope scope(warm);
    using O = sb::Outcome;
    test::TempDir tmp;
    const fs::path marker = tmp / "escaped";
    // A database the attacks must not reach; checked intact at the end.
    const fs::path db_path = tmp / "q.sqlite";
    {
        harness::Database db(db_path);
        db.exec("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)");
    }
    // A listening abstract unix socket on the host: a sandboxed program must not reach it.
    const std::string abstract = "qeval-test-" + std::to_string(::getpid());
    int listener = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path + 1, abstract.data(), abstract.size());
    const socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract.size());
    REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&addr), len) == 0);
    REQUIRE(::listen(listener, 4) == 0);

    const std::string mk = "open(" + ("'" + marker.string() + "'") + ", 'w').write('x')";
    const std::vector<Attack> attacks = {
        {"fork bomb",
         "import os\nn = 0\nwhile True:\n    try:\n        os.fork(); n += 1\n    except OSError:\n        break\n"
         "print('stopped')\n",
         {O::exited, O::cpu_limit, O::wall_limit, O::memory_limit, O::signaled}},
        {"thread bomb",
         "import threading, time\nts = []\ntry:\n    while True:\n        t = threading.Thread(target=time.sleep, "
         "args=(30,), daemon=True); t.start(); ts.append(t)\nexcept RuntimeError:\n    print('stopped', len(ts) < "
         "64)\n",
         {O::exited},
         "stopped True"},
        {"daemon outliving the program (double fork, setsid)",
         "import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        time.sleep(3)\n"
         "        " +
             mk + "\n    os._exit(0)\nprint('parent done')\n",
         {O::exited},
         "parent done"},
        {"kill the parent and kill -1",
         "import os, signal\ntry:\n    os.kill(os.getppid(), signal.SIGKILL)\nexcept OSError as e:\n    print('ppid', "
         "e.errno)\ntry:\n    os.kill(-1, signal.SIGKILL)\nexcept OSError as e:\n    print('kill -1', e.errno)\n",
         {O::exited, O::signaled}},
        {"ignoring signals while sleeping",
         "import signal, time\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGXCPU):\n    "
         "signal.signal(s, signal.SIG_IGN)\ntime.sleep(1000)\n",
         {O::wall_limit}},
        // cpu_limit, or the watchdog when a loaded machine gives it less than 1 s of CPU in 3 s (the CPU clock itself
        // is checked with a generous wall limit below)
        {"infinite loop", "while True:\n    pass\n", {O::cpu_limit, O::wall_limit}},
        {"sleep forever", "import time\ntime.sleep(10**6)\n", {O::wall_limit}},
        {"heap bomb", "x = []\nwhile True:\n    x.append(bytearray(10**7))\n", {O::memory_limit, O::exited}},
        {"mmap bomb",
         "import mmap\nms = []\nwhile True:\n    m = mmap.mmap(-1, 10**8); m.write(b'x' * 10**8); ms.append(m)\n",
         {O::memory_limit, O::exited}},
        {"tmpfs fill (/tmp, /dev/shm)",
         "import os\nprint(os.path.exists('/dev/shm'))\ntry:\n    with open('/tmp/big', 'wb') as f:\n        while "
         "True:\n            f.write(b'x' * 10**6)\nexcept OSError as e:\n    print('full', e.errno)\n",
         {O::exited},
         "full"},
        {"deep recursion",
         "import sys\nsys.setrecursionlimit(10**9)\ndef f(n):\n    return f(n + 1) + 1\nf(0)\n",
         {O::signaled, O::exited, O::memory_limit}},
        {"writing outside",
         "import os\nfor p in ['/usr/x', '/x', '/etc/x', " + ("'" + marker.string() + "'") +
             "]:\n    try:\n        open(p, 'w').write('x'); print('WROTE', p)\n    except OSError as e:\n        "
             "print('denied', p, e.errno)\n",
         {O::exited},
         "denied /usr/x",
         "WROTE"},
        {"disk fill in the working directory",
         "try:\n    with open('fill', 'wb') as f:\n        while True:\n            f.write(b'y' * 10**6)\nexcept "
         "OSError as e:\n    print('stopped', e.errno)\n",
         {O::exited},
         "stopped"},
        {"reading host secrets",
         "import os\nfor p in ['/proc/1/environ', '/root', '/home', '/etc/shadow', '/etc/passwd', "
         "'/proc/self/environ']:\n    try:\n        print(p, 'READ', len(open(p).read()) if not os.path.isdir(p) "
         "else os.listdir(p))\n    except OSError as e:\n        print(p, 'denied', "
         "e.errno)\nprint(os.listdir('/proc/self/fd'))\n",
         {O::exited},
         "/root denied",
         "hunter2"},
        {"fd exhaustion",
         "fs = []\ntry:\n    while True:\n        fs.append(open('/dev/null'))\nexcept OSError as e:\n    "
         "print('stopped', len(fs) < 100, e.errno)\n",
         {O::exited},
         "stopped True 24"},
        {"network: inet, inet6, netlink, packet, loopback, abstract unix",
         "import socket\nfor fam, typ in [(socket.AF_INET, socket.SOCK_STREAM), (socket.AF_INET6, "
         "socket.SOCK_DGRAM), (socket.AF_NETLINK, socket.SOCK_RAW), (socket.AF_PACKET, socket.SOCK_RAW)]:\n    "
         "try:\n        s = socket.socket(fam, typ); print('OPENED', fam)\n    except OSError as e:\n        "
         "print('denied', e.errno)\ns = socket.socket(socket.AF_UNIX)\ntry:\n    s.connect('\\0" +
             abstract + "'); print('CONNECTED')\nexcept OSError as e:\n    print('unix refused', e.errno)\n",
         {O::exited},
         "unix refused",
         "OPENED"},
        {"huge output", "import sys\nwhile True:\n    sys.stdout.write('x' * 65536)\n", {O::output_limit}},
        {"binary output", "import sys\nsys.stdout.buffer.write(bytes(range(256)) * 4)\n", {O::exited}},
        {"ctypes, posix.fork and execv bypasses",
         "import ctypes, os, posix\nlibc = ctypes.CDLL(None)\nprint('unshare', libc.unshare(0x10000000 | "
         "0x20000000))\nprint('mount', libc.mount(b'none', b'/tmp', b'tmpfs', 0, None))\nprint('ptrace', "
         "libc.ptrace(0, 0, 0, 0))\nif posix.fork() == 0:\n    os.execv('/bin/sh', ['sh', '-c', 'id -u; ls / | tr "
         "\"\\\\n\" \" \"'])\nos.wait()\n",
         {O::exited},
         "unshare -1",
         "root"},
        {"setuid, TIOCSTI, clock_settime",
         "import os, fcntl, termios, time\nfor name, f in [('setuid', lambda: os.setuid(0)), ('tiocsti', lambda: "
         "fcntl.ioctl(0, termios.TIOCSTI, b'x')), ('clock', lambda: time.clock_settime(time.CLOCK_REALTIME, "
         "0.0))]:\n    try:\n        f(); print('ALLOWED', name)\n    except OSError as e:\n        print('denied', "
         "name)\n",
         {O::exited},
         "denied clock",
         "ALLOWED"},
    };
    sb::Limits limits;
    limits.cpu_seconds = 1;
    limits.wall_seconds = 3;
    limits.memory_bytes = 256ULL << 20;
    limits.stdout_bytes = 1 << 20;
    ::setenv("QEVAL_TEST_SECRET", "hunter2", 1);
    for (const Attack& a : attacks) {
        INFO(a.name);
        const auto t0 = std::chrono::steady_clock::now();
        const sb::Result r = python(a.code, limits);
        const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        INFO("outcome " << sb::to_string(r.outcome) << " exit " << r.exit_code << " signal " << r.signal << "\nout: "
                        << r.out.substr(0, 600) << "\nerr: " << r.err.substr(0, 600) << "\nerror: " << r.error);
        CHECK(std::find(a.outcomes.begin(), a.outcomes.end(), r.outcome) != a.outcomes.end());
        CHECK(wall < limits.wall_seconds + 2); // nothing holds the harness past the watchdog
        if (!a.must_print.empty()) CHECK_THAT(r.out, Catch::Contains(a.must_print));
        if (!a.must_not_print.empty()) CHECK_THAT(r.out, !Catch::Contains(a.must_not_print));
        check_host_clean(marker);
    }
    ::unsetenv("QEVAL_TEST_SECRET");
    // The daemon's marker would appear after 3 s if it had survived.
    std::this_thread::sleep_for(std::chrono::milliseconds(3200));
    CHECK_FALSE(fs::exists(marker));
    ::close(listener);
    harness::Database db(db_path);
    CHECK(db.query_int("SELECT COUNT(*) FROM t") == 3);
    CHECK(db.query_int("PRAGMA quick_check = 1") == 0); // "ok" is text: 0 as an integer
    // Warm, zygotes were reused: a new one only after the watchdog or the output cap killed one (5 attacks here).
    if (g_pool) CHECK(g_pool->started() <= 6);
    check_pool_gone();
}

TEST_CASE("sandbox binary output comes back byte for byte and the clock is CPU time", "[sandbox]") {
    QEVAL_NEED_SANDBOX();
    const bool warm = GENERATE(false, true);
    INFO((warm ? "warm" : "cold"));
    WarmScope scope(warm);
    sb::Result r = python("import sys\nsys.stdout.buffer.write(bytes(range(256)) * 4)\n");
    REQUIRE(r.outcome == sb::Outcome::exited);
    REQUIRE(r.out.size() == 1024);
    for (std::size_t i = 0; i < r.out.size(); ++i)
        REQUIRE(static_cast<unsigned char>(r.out[i]) == i % 256);
    // A noisy neighbour: two CPU hogs beside a program that needs ~0.3 s of CPU under a 1 s CPU limit and a long
    // wall limit. The neighbour slows it down in wall time, never into a time-limit verdict.
    sb::Limits hog;
    hog.cpu_seconds = 3;
    std::vector<std::thread> hogs;
    for (int i = 0; i < 2; ++i)
        hogs.emplace_back([&] { python("while True:\n    pass\n", hog); });
    sb::Limits small;
    small.cpu_seconds = 1;
    small.wall_seconds = 20;
    const sb::Result s = python("n = 0\nfor i in range(3 * 10**6):\n    n += i\nprint(n)\n", small);
    for (auto& t : hogs)
        t.join();
    sb::Limits spin;
    spin.cpu_seconds = 1;
    spin.wall_seconds = 30;
    CHECK(python("while True:\n    pass\n", spin).outcome == sb::Outcome::cpu_limit); // the verdict clock is CPU
    INFO(s.err << s.error);
    CHECK(s.outcome == sb::Outcome::exited);
    CHECK(s.out == "4499998500000\n");
    CHECK(s.cpu_seconds < 1.0);
    check_pool_gone();
}

TEST_CASE("sandbox unsafe mode runs without namespaces, keeps the limits and leaves nothing", "[sandbox]") {
    struct Reset {
        ~Reset() { sb::set_unsafe_no_isolation(false); }
    } reset;
    sb::set_unsafe_no_isolation(true);
    REQUIRE(sb::available());
    sb::Limits limits;
    limits.cpu_seconds = 1;
    limits.wall_seconds = 5;
    // The host's view (the real uid, a working folder under /tmp), a forked child left sleeping, then a CPU limit.
    const sb::Result r = python("import os, time\nprint(os.getuid() == os.geteuid(), os.getcwd().startswith('/tmp/'))\n"
                                "if os.fork() == 0:\n    time.sleep(30)\n    os._exit(0)\nprint('forked')\n",
                                limits);
    INFO(r.err << r.error);
    CHECK(r.outcome == sb::Outcome::exited);
    CHECK(r.out == "True True\nforked\n");
    CHECK(python("while True:\n    pass\n", limits).outcome == sb::Outcome::cpu_limit);
    // Nothing left: the program's process group is killed and its folder removed.
    const std::string prefix = sb::own_prefix();
    std::size_t folders = 0;
    for (const auto& e : fs::directory_iterator("/tmp"))
        folders += e.path().filename().string().rfind(prefix, 0) == 0;
    CHECK(folders == 0);
}

TEST_CASE("sandbox warm executions in one zygote share nothing a program can leave behind", "[sandbox]") {
    QEVAL_NEED_SANDBOX();
    WarmScope scope(true);
    sb::Limits limits;
    limits.cpu_seconds = 2;
    limits.wall_seconds = 10;
    // One after the other: the same zygote serves both. The first leaves files, a shared memory segment, a changed
    // module, an environment variable and a daemon; the second must find none of them, nor the zygote's processes.
    const sb::Result first =
        python("import os, collections, json, sys, ctypes\n"
               "open('/tmp/left', 'w').write('x'); open('left', 'w').write('x')\n"
               "libc = ctypes.CDLL(None)\nprint('shm', libc.shmget(0x5eed, 4096, 0o1666) >= 0)\n"
               "collections.Counter = None; json.dumps = None; os.environ['LEFT'] = '1'\n"
               "if os.fork() == 0:\n    os.setsid()\n    import time; time.sleep(30)\n"
               "print('first', os.getpid(), sorted(p for p in os.listdir('/proc') if p.isdigit()))\n",
               limits);
    INFO(first.out << first.err << first.error);
    REQUIRE(first.outcome == sb::Outcome::exited);
    CHECK_THAT(first.out, Catch::Contains("shm True"));
    const sb::Result second =
        python("import os, collections, json, ctypes\n"
               "print(os.path.exists('/tmp/left'), os.path.exists('left'), sorted(os.listdir('.')))\n"
               "print('shm', ctypes.CDLL(None).shmget(0x5eed, 4096, 0o666) >= 0)\n"
               "print(collections.Counter is None, json.dumps is None, 'LEFT' in os.environ)\n"
               "print(sorted(p for p in os.listdir('/proc') if p.isdigit()))\n",
               limits);
    INFO(second.out << second.err << second.error);
    REQUIRE(second.outcome == sb::Outcome::exited);
    CHECK(second.out == "False False ['main.py']\nshm False\nFalse False False\n['1', '2']\n");
    CHECK(g_pool->started() == 1);
    check_no_process(true);
    check_pool_gone();
}

TEST_CASE("sandbox warm pool goes cold, isolated, when its zygotes cannot start", "[sandbox]") {
    QEVAL_NEED_SANDBOX();
    // A zygote refuses to start with subprocess imported (programs must find it unimported): every run goes cold.
    sb::WarmPool pool({"subprocess"});
    sb::Request rq;
    rq.argv = {sb::python_interpreter().executable.string(), "-I", "main.py"};
    rq.files = {{"main.py", "import os\nprint(os.getuid(), os.getpid())\n"}};
    for (int i = 0; i < 2; ++i) {
        const sb::Result r = pool.run(rq);
        INFO(r.err << r.error);
        CHECK(r.outcome == sb::Outcome::exited);
        CHECK(r.out == "1000 2\n");
        CHECK_THAT(pool.fallback(), Catch::Contains("subprocess was imported"));
    }
    CHECK(pool.started() == 0);
    // Any other argv runs cold as well.
    rq.argv = {"/bin/sh", "-c", "echo $((6 * 7))"};
    sb::WarmPool fine({"json"});
    const sb::Result sh = fine.run(rq);
    CHECK(sh.out == "42\n");
    CHECK_THAT(fine.fallback(), Catch::Contains("not {interpreter"));
    check_no_process(false);
    CHECK(leftovers() == 0);
}
