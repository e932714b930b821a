// Warm interpreters for many short Python programs (LiveCodeBench samples). A cold execution (run()) starts a fresh
// interpreter, which pays Python's start-up and the imports every program makes (30-40 ms here); a WarmPool keeps
// zygotes: sandboxes built exactly as run() builds them (user, mount, net, ipc, uts and pid namespaces, the tmpfs
// root, cgroups, a uid pair of their own), whose interpreter (zygote.py, root of its user namespace, never running
// a program's code) has imported the modules programs use and forks one process tree per execution. Each execution
// still gets new mount, pid and ipc namespaces, a fresh tmpfs for /work and /tmp, pid 1 of its own that takes every
// process with it, uid 1000 (a per-zygote uid outside), the rlimits, PR_SET_NO_NEW_PRIVS and the same seccomp filter
// (exported as BPF), every other descriptor closed, and the same Result. What it shares with the executions before
// it in the same zygote: the interpreter's already-imported modules and hash seed, the network namespace (nothing
// up; sockets die with their processes) and the cgroup (its memory limit is the program's plus what the idle
// zygote holds; OOM kills are counted per execution).
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "core/sandbox/sandbox.hpp"

namespace qeval::core::sandbox {

class WarmPool {
public:
    // `preload`: modules every zygote imports once (what the programs import anyway). Never subprocess or shutil.
    // `scripts`: (name, source) of the caller's own scripts that executions run from /work (a driver), compiled once
    // in the zygote; an execution whose file has exactly that source runs the compiled code. Never a program's code.
    explicit WarmPool(std::vector<std::string> preload, std::vector<std::pair<std::string, std::string>> scripts = {});
    ~WarmPool();
    WarmPool(const WarmPool&) = delete;
    WarmPool& operator=(const WarmPool&) = delete;

    // Runs rq, whose argv is {python_interpreter().executable, "-I", script, args...} with the script among
    // rq.files, in an idle zygote (a new one when none is idle). Thread-safe. In unsafe mode, for any other argv, or
    // when no zygote can start (fallback() says why), it is run(rq): cold, with the same isolation.
    Result run(const Request& rq);

    void shutdown();              // ends the idle zygotes; the next run starts new ones
    std::size_t started() const;  // zygotes started so far
    std::string fallback() const; // why the last run went cold ("" when it did not)

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

} // namespace qeval::core::sandbox
