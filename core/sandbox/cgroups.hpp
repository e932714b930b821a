// The cgroups of one sandbox execution (sandbox.cpp): memory and pids limits for the whole process tree, its peak
// memory and OOM kills, and a way to kill every process in it. cgroup v2 (one directory with memory.max and
// pids.max) when the unified hierarchy is mounted at /sys/fs/cgroup, else v1 (memory and pids hierarchies), made
// next to qeval's own cgroup. Without write access the sandbox goes on with rlimits alone.
#pragma once

#include <cstdint>
#include <string>
#include <sys/types.h>
#include <vector>

#include "core/sandbox/sandbox.hpp"

namespace qeval::core::sandbox::detail {

// Writes `text` to an existing file (cgroup and /proc control files); false on failure (errno set).
bool write_file(const std::string& path, const std::string& text);
// A small file's content ("" when unreadable).
std::string read_small(const std::string& path);

// The execution's cgroups: v2 (one directory with memory.max and pids.max) or v1 (memory and pids hierarchies),
// made next to qeval's own cgroup. Empty when cgroups cannot be used here.
struct Cgroups {
    std::vector<std::string> dirs; // each holds cgroup.procs
    std::string memory_dir;        // for usage and OOM counters
    bool v2 = false;

    static std::string own_path(const std::string& controller); // qeval's cgroup in this hierarchy (/proc/self/cgroup)
    bool make(const std::string& name, const Limits& limits);   // false: no cgroups here (nothing left behind)
    bool add(pid_t pid) const;                                  // moves the process (and its future children) in
    void kill_all() const;                                      // SIGKILL to every process still in the cgroups
    bool oom_killed() const;                                    // the memory limit's OOM killer acted
    long oom_kills() const;                                     // how many times it has
    std::uint64_t usage_bytes() const;                          // memory charged now (0 when unknown)
    bool set_limits(std::uint64_t memory_bytes, int processes) const; // new limits for what runs next
    std::uint64_t peak_bytes() const;                                 // peak memory of the tree (0 when unknown)
    void remove();                                                    // kills what is left and removes the directories
};

} // namespace qeval::core::sandbox::detail
