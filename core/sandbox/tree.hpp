// The pieces of a sandbox execution that the cold path (sandbox.cpp: run) and the warm interpreters (warm.cpp) share:
// starting the process tree A -> I -> C in new namespaces on a tmpfs root, P's loop over the program's streams
// (stdin fed, stdout and stderr read with their caps, the wall-clock watchdog), and the outcome from what ended it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <sys/types.h>
#include <utility>
#include <vector>

#include "core/sandbox/cgroups.hpp"
#include "core/sandbox/sandbox.hpp"

namespace qeval::core::sandbox::detail {

using Clock = std::chrono::steady_clock;

constexpr uid_t kInsideUser = 1000; // the program's uid and gid inside
// own_uids() holds 4096 uid pairs: cold executions take turns over the first kColdSlots, warm zygotes have the rest.
constexpr unsigned kColdSlots = 3072, kSlots = 4096;

// What ended the program: its waitpid status and usage (status -1: unknown, the tree died without saying).
struct Report {
    int status = 0;
    double cpu_seconds = 0;
    long max_rss_kb = 0;
    double wall_seconds = 0;
};

enum class Role {
    program, // C is the program: uid 1000 inside, every limit, seccomp; I reports its end on `report`
    zygote,  // C is a warm interpreter (zygote.py): root inside, no seccomp or CPU limit, fd 3 its control socket
};

// One process tree as qeval (P) holds it. The fds are P's ends (-1 when closed).
struct Tree {
    pid_t a = -1, init = -1;
    int in = -1, out = -1, err = -1; // C's stdin, stdout, stderr
    int error = -1;                  // set-up failures in A, I or C (EOF at execve)
    int report = -1;                 // Role::program: I's Report
    int control = -1;                // Role::zygote: the control socket
    Cgroups cg;
    bool have_cg = false;
    std::string root; // the tmpfs mount point (unsafe mode: the working folder)
    bool isolated = true;
};

// The uid outside of execution slot `slot` (root inside; the program's uid inside is base + 1).
uid_t slot_uid(unsigned slot);

// Starts `argv` (argv[0] absolute inside) in a new tree with `files` in /work and cgroups named `cgroup_name`.
// Returns "" or why it failed; on failure the tree is already finished.
std::string launch(Tree& t, Role role, const std::vector<std::string>& argv,
                   const std::vector<std::pair<std::string, std::string>>& files, const Limits& limits, unsigned slot,
                   const std::string& cgroup_name);
// Kills what is left of the tree, waits for A, closes P's ends, removes the cgroups and the root.
void finish(Tree& t);

// P's ends of one execution's streams; the loop closes `in` once stdin is written.
struct Streams {
    int in = -1, out = -1, err = -1;
};
enum class ReportRead { more, done, lost };
struct Pumped {
    bool report = false; // the report came (or was lost: see lost)
    bool lost = false;   // the reporter ended without one
    bool wall = false;   // the watchdog fired (kill called)
    bool output = false; // stdout passed its cap (kill called)
};
// Feeds stdin, reads stdout/stderr into `res` (capped), reads `error_fd` into `error_text`, and calls `read_report`
// when `report_fd` is readable, until the report is in and both streams are closed, or a limit ends it by `kill`.
Pumped pump(Streams& s, const std::string& stdin_data, const Limits& l, Clock::time_point deadline, int report_fd,
            const std::function<ReportRead(int)>& read_report, int& error_fd, std::string& error_text, Result& res,
            const std::function<void()>& kill);
// The outcome from the report, what the loop saw and the memory cgroup's OOM count.
void classify(Result& res, const Report& report, const Pumped& pumped, bool oom, const Limits& l);

// A request's limits as both paths apply them: argv[0] checked (absolute inside the sandbox), the wall clock's default
// (2 x CPU + 5 s) filled in.
Limits request_limits(const Request& rq);
// The program's RLIMIT_AS: with a memory cgroup bounding the tree, twice the memory (address space is only virtual).
std::uint64_t address_space(const Limits& l, bool have_cg);

std::string read_available(int fd); // what a (non-blocking or closed) fd has now
void write_all(int fd, const void* data, std::size_t n);

} // namespace qeval::core::sandbox::detail
