// The sandbox that untrusted code (LiveCodeBench solutions) runs in: one fresh process tree per execution, built
// from Linux primitives, no Docker, failing closed.
//
//   qeval (parent)                        reads stdout/stderr (capped), writes stdin, wall-clock watchdog
//     └─ init (pid 1 of new user, pid, net, mount, ipc, uts namespaces; root inside, an unprivileged uid outside)
//          mounts: a size-limited tmpfs as "/", /usr and the interpreter's prefix read-only, /proc of the new pid
//          namespace, /dev/{null,zero,random,urandom}; pivot_root, the host's tree detached
//          └─ program (uid 1000 inside = a per-slot unprivileged uid outside, no capabilities)
//               PR_SET_NO_NEW_PRIVS, rlimits (CPU, address space, processes, file size, open files, no core),
//               seccomp (seccomp_policy.cpp), every fd but 0/1/2 closed, a clean environment, then execve
//
// When the program exits, init exits and the kernel kills whatever is left in the namespace (daemons, forks).
// The network namespace has only a loopback that is down; abstract unix sockets are per network namespace.
// If any step of the set-up fails, the program is not started and the result says so (sandbox_error): code never
// runs unsandboxed here. The caller compares outputs; nothing the program prints is interpreted by the sandbox.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace qeval::core::sandbox {

struct Limits {
    double cpu_seconds = 6.0;                 // RLIMIT_CPU of the program: the verdict clock (SIGXCPU, then KILL)
    double wall_seconds = 0;                  // watchdog on the whole tree; 0: 2 x cpu_seconds + 5
    std::uint64_t memory_bytes = 2ULL << 30;  // the tree's memory (cgroup) and each process's address space
    int processes = 32;                       // RLIMIT_NPROC of the per-slot uid
    std::uint64_t file_bytes = 16ULL << 20;   // RLIMIT_FSIZE: largest file the program may write
    std::uint64_t tmpfs_bytes = 64ULL << 20;  // the writable tmpfs ("/", /tmp, the working directory)
    int open_files = 64;                      // RLIMIT_NOFILE
    std::uint64_t stdout_bytes = 64ULL << 20; // more output than this kills the tree: output_limit
    std::uint64_t stderr_bytes = 1ULL << 20;  // stderr beyond this is dropped (not an error)
};

struct Request {
    std::vector<std::string> argv; // argv[0] an absolute path inside the sandbox (see python_interpreter())
    std::string stdin_data;
    std::vector<std::pair<std::string, std::string>> files; // (name, content) written into the working directory
    Limits limits;
};

enum class Outcome {
    exited,        // the program ended by itself; see exit_code
    signaled,      // killed by a signal other than the limits' (SIGSEGV, SIGABRT...)
    cpu_limit,     // RLIMIT_CPU
    wall_limit,    // the watchdog (sleeping, blocked)
    memory_limit,  // the memory cgroup's OOM killer ended it
    output_limit,  // stdout exceeded Limits::stdout_bytes
    sandbox_error, // the sandbox could not be set up (the program did not run); see error
};
const char* to_string(Outcome o);

struct Result {
    Outcome outcome = Outcome::sandbox_error;
    int exit_code = -1; // exited
    int signal = 0;     // signaled (also cpu_limit / wall_limit: the signal that ended it)
    std::string out, err;
    bool err_truncated = false;
    double cpu_seconds = 0;  // user + system of the program and the children it waited for
    double wall_seconds = 0; // from start to the program's end
    std::uint64_t max_rss_bytes = 0;
    std::string error; // sandbox_error: what failed
};

// Runs one request. Thread-safe: each call gets its own slot uid and namespaces.
Result run(const Request& request);

// The uids outside that this process's executions run as, [first, last): a pair per execution (root and the program
// inside), so RLIMIT_NPROC counts one execution's processes. And the prefix of this process's sandbox roots in /tmp
// and cgroup names ("qeval-sandbox-<pid>-"). Tests use both to check that nothing is left behind.
std::pair<unsigned, unsigned> own_uids();
std::string own_prefix();

// --unsafe-no-sandbox: programs run without namespaces, uid change or a new root, in a plain folder under /tmp,
// with the rlimits, seccomp filter, cgroups (when writable), watchdog and output caps still on. Process-wide; for
// machines where user namespaces are not allowed. Runs made so record it (settings "unsafe_no_sandbox").
void set_unsafe_no_isolation(bool on);
bool unsafe_no_isolation();

// Whether namespaces can be made on this machine (a user namespace with pid, net, mount, ipc and uts); when not,
// `why` says what failed. Cached after the first call.
bool available(std::string* why = nullptr);

// The interpreter code runs with: $QEVAL_PYTHON, else /usr/bin/python3, else python3 on PATH, resolved to a real
// binary (pyenv shims and symlinks followed by asking the interpreter for sys.executable), with the install prefix
// the sandbox mounts read-only when it is not under /usr. Throws Error(runtime) when none is found.
struct Interpreter {
    std::filesystem::path executable;
    std::filesystem::path prefix; // sys.base_prefix
    std::string version;
};
const Interpreter& python_interpreter();

} // namespace qeval::core::sandbox
