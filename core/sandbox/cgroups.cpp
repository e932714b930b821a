// See cgroups.hpp.
#include "core/sandbox/cgroups.hpp"

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace qeval::core::sandbox::detail {

namespace fs = std::filesystem;

bool write_file(const std::string& path, const std::string& text) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    return ok;
}

std::string read_small(const std::string& path) {
    std::ifstream in(path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text;
}

std::string Cgroups::own_path(const std::string& controller) { // from /proc/self/cgroup
    std::ifstream in("/proc/self/cgroup");
    for (std::string line; std::getline(in, line);) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        const std::string list = line.substr(a + 1, b - a - 1);
        if ((controller.empty() && list.empty()) ||
            (!controller.empty() && ("," + list + ",").find("," + controller + ",") != std::string::npos))
            return line.substr(b + 1);
    }
    return "";
}

bool Cgroups::make(const std::string& name, const Limits& l) {
    // v2: the unified hierarchy mounted at /sys/fs/cgroup with the memory and pids controllers enabled.
    if (fs::exists("/sys/fs/cgroup/cgroup.controllers")) {
        const std::string parent = "/sys/fs/cgroup" + own_path("");
        const std::string dir = parent + "/" + name;
        if (::mkdir(dir.c_str(), 0755) == 0) {
            v2 = true;
            dirs = {dir};
            memory_dir = dir;
            if (write_file(dir + "/memory.max", std::to_string(l.memory_bytes)) &&
                write_file(dir + "/pids.max", std::to_string(l.processes))) {
                write_file(dir + "/memory.swap.max", "0");
                return true;
            }
            remove();
        }
    }
    // v1: separate memory and pids hierarchies.
    const std::string mem = "/sys/fs/cgroup/memory" + own_path("memory") + "/" + name;
    const std::string pids = "/sys/fs/cgroup/pids" + own_path("pids") + "/" + name;
    if (::mkdir(mem.c_str(), 0755) != 0) return false;
    dirs.push_back(mem);
    memory_dir = mem;
    if (!write_file(mem + "/memory.limit_in_bytes", std::to_string(l.memory_bytes))) return remove(), false;
    write_file(mem + "/memory.memsw.limit_in_bytes", std::to_string(l.memory_bytes)); // absent without swap
    if (::mkdir(pids.c_str(), 0755) == 0) {
        dirs.push_back(pids);
        if (!write_file(pids + "/pids.max", std::to_string(l.processes))) return remove(), false;
    }
    return true;
}

bool Cgroups::add(pid_t pid) const {
    for (const auto& d : dirs)
        if (!write_file(d + "/cgroup.procs", std::to_string(pid))) return false;
    return true;
}

void Cgroups::kill_all() const {
    for (const auto& d : dirs) {
        std::ifstream in(d + "/cgroup.procs");
        for (pid_t p; in >> p;)
            ::kill(p, SIGKILL);
    }
}

bool Cgroups::oom_killed() const {
    return oom_kills() > 0;
}

long Cgroups::oom_kills() const {
    if (memory_dir.empty()) return 0;
    const std::string text = read_small(memory_dir + (v2 ? "/memory.events" : "/memory.oom_control"));
    const auto at = text.find("oom_kill ");
    return at == std::string::npos ? 0 : std::atol(text.c_str() + at + 9);
}

std::uint64_t Cgroups::usage_bytes() const {
    if (memory_dir.empty()) return 0;
    const std::string t = read_small(memory_dir + (v2 ? "/memory.current" : "/memory.usage_in_bytes"));
    return t.empty() ? 0 : std::strtoull(t.c_str(), nullptr, 10);
}

bool Cgroups::set_limits(std::uint64_t memory_bytes, int processes) const {
    if (dirs.empty()) return false;
    const std::string bytes = std::to_string(memory_bytes), memsw = memory_dir + "/memory.memsw.limit_in_bytes";
    if (!v2) write_file(memsw, bytes); // v1 keeps memsw >= the limit: raised before it, lowered after (absent: no swap)
    bool ok = write_file(memory_dir + (v2 ? "/memory.max" : "/memory.limit_in_bytes"), bytes);
    if (!v2) write_file(memsw, bytes);
    for (const auto& d : dirs)
        if (d != memory_dir || v2) ok = write_file(d + "/pids.max", std::to_string(processes)) && ok;
    return ok;
}

std::uint64_t Cgroups::peak_bytes() const {
    if (memory_dir.empty()) return 0;
    std::string t = read_small(memory_dir + (v2 ? "/memory.peak" : "/memory.max_usage_in_bytes"));
    return t.empty() ? 0 : std::strtoull(t.c_str(), nullptr, 10);
}

void Cgroups::remove() {
    for (int attempt = 0; attempt < 200 && !dirs.empty(); ++attempt) {
        kill_all();
        std::erase_if(dirs, [](const std::string& d) { return ::rmdir(d.c_str()) == 0 || errno == ENOENT; });
        if (!dirs.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    dirs.clear();
}

} // namespace qeval::core::sandbox::detail
