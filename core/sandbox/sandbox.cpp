// See sandbox.hpp. Three processes per execution:
//   qeval (P) --fork--> A: unshares user, mount, net, ipc, uts and pid namespaces; waits until P has written its uid
//   and gid maps and put it in the execution's cgroups; becomes root inside; builds the new root on a tmpfs;
//   pivot_root --fork--> I (pid 1 of the new pid namespace): mounts /proc, forks the program C, reaps every process
//   that ends up under it, and when C ends sends C's status and usage to P and exits, which kills what is left.
// glibc's fork() keeps malloc usable in the child of a multi-threaded parent, so A may build strings; I and C only
// make system calls between fork and execve. A and I die with their parent (PR_SET_PDEATHSIG), so nothing outlives
// a killed qeval. The cgroups (memory, pids: v2 or v1, when writable) bound the whole tree and let P kill every
// process in it; without them the rlimits alone bound each process.
#include "core/sandbox/sandbox.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>
#include <thread>

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/sandbox/cgroups.hpp"
#include "core/sandbox/seccomp_policy.hpp"
#include "core/sandbox/tree.hpp"

namespace qeval::core::sandbox {
namespace {

namespace fs = std::filesystem;
using namespace detail;

// ---- small helpers -----------------------------------------------------------------------------------------------

// In A, I or C: report "what: strerror" to P on the error pipe and leave.
[[noreturn]] void die(int err_fd, const char* what) {
    const int e = errno;
    char buf[512];
    int n = std::snprintf(buf, sizeof buf, "%s: %s", what, std::strerror(e));
    if (n > 0) write_all(err_fd, buf, static_cast<std::size_t>(std::min(n, static_cast<int>(sizeof buf) - 1)));
    ::_exit(127);
}

double seconds(const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
}

// ---- the new root ------------------------------------------------------------------------------------------------

// Everything A needs, prepared by P before fork (paths as strings).
struct Plan {
    std::string root;                   // an empty directory P made; the tmpfs goes on it
    std::vector<std::string> read_only; // host directories bound read-only at the same path
    std::vector<std::string> symlinks;  // top-level names that are symlinks on the host (bin -> usr/bin)
    std::vector<std::string> devices = {"null", "zero", "random", "urandom"};
    std::vector<std::pair<std::string, std::string>> files; // into /work
    Limits limits;
    bool zygote = false; // also /.sample, where the zygote mounts each execution's tmpfs
};

void bind_read_only(int err, const std::string& from, const std::string& to) {
    if (::mount(from.c_str(), to.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0) die(err, ("bind " + from).c_str());
    // A read-only remount in a user namespace must keep the flags the host's mount has (they are locked).
    struct statvfs st {};
    unsigned long flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV;
    if (::statvfs(from.c_str(), &st) == 0) {
        if (st.f_flag & ST_NOEXEC) flags |= MS_NOEXEC;
        if (st.f_flag & ST_NOATIME) flags |= MS_NOATIME;
        if (st.f_flag & ST_NODIRATIME) flags |= MS_NODIRATIME;
        if (st.f_flag & ST_RELATIME) flags |= MS_RELATIME;
    }
    if (::mount(nullptr, to.c_str(), nullptr, flags, nullptr) != 0) die(err, ("read-only " + from).c_str());
}

void mkdirs(int err, const std::string& path) {
    for (std::size_t at = 1; at <= path.size(); ++at)
        if (at == path.size() || path[at] == '/') {
            const std::string part = path.substr(0, at);
            if (::mkdir(part.c_str(), 0755) != 0 && errno != EEXIST) die(err, ("mkdir " + part).c_str());
        }
}

// In A (root of the new user namespace): the tmpfs root with its mounts, then pivot_root into it.
void build_root(int err, const Plan& p) {
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) die(err, "make / private");
    const std::string opts = "size=" + std::to_string(p.limits.tmpfs_bytes) + ",mode=0755";
    if (::mount("tmpfs", p.root.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) != 0) die(err, "mount tmpfs");
    const std::string& r = p.root;
    for (const auto& dir : p.read_only) {
        mkdirs(err, r + dir);
        bind_read_only(err, dir, r + dir);
    }
    for (const auto& name : p.symlinks) {
        char target[256];
        ssize_t n = ::readlink(("/" + name).c_str(), target, sizeof target - 1);
        if (n <= 0) continue;
        target[n] = 0;
        if (::symlink(target, (r + "/" + name).c_str()) != 0) die(err, ("symlink " + name).c_str());
    }
    mkdirs(err, r + "/dev");
    for (const auto& d : p.devices) {
        const std::string to = r + "/dev/" + d;
        int fd = ::open(to.c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0666);
        if (fd < 0) die(err, ("create " + to).c_str());
        ::close(fd);
        if (::mount(("/dev/" + d).c_str(), to.c_str(), nullptr, MS_BIND, nullptr) != 0)
            die(err, ("bind /dev/" + d).c_str());
    }
    mkdirs(err, r + "/proc");
    mkdirs(err, r + "/tmp");
    mkdirs(err, r + "/work");
    if (p.zygote && ::mkdir((r + "/.sample").c_str(), 0700) != 0) die(err, "mkdir /.sample");
    for (const auto& [name, content] : p.files) {
        const std::string path = r + "/work/" + name;
        int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) die(err, ("write " + path).c_str());
        write_all(fd, content.data(), content.size());
        ::close(fd);
    }
    if (::chown((r + "/tmp").c_str(), kInsideUser, kInsideUser) != 0 || ::chmod((r + "/tmp").c_str(), 01777) != 0 ||
        ::chown((r + "/work").c_str(), kInsideUser, kInsideUser) != 0)
        die(err, "chown /tmp, /work");
}

// In I (pid 1 of the new pid namespace): /proc of that namespace, then the new root. proc must be mounted while the
// host's /proc is still in view (the kernel lets a user namespace mount proc only next to a fully visible one); where
// that is refused (a container that masks parts of /proc) the sandbox goes on without /proc.
void enter_root(int err, const Plan& p) {
    ::mount("proc", (p.root + "/proc").c_str(), "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr);
    if (::chdir(p.root.c_str()) != 0) die(err, "chdir root");
    if (::syscall(SYS_pivot_root, ".", ".") != 0) die(err, "pivot_root");
    if (::umount2(".", MNT_DETACH) != 0) die(err, "detach the host's tree");
    if (::chdir("/") != 0) die(err, "chdir /");
}

// In A, right after fork: closes every descriptor not in `keep`.
void close_all_but(int err, std::initializer_list<int> keep) {
    std::vector<int> open_fds;
    DIR* dir = ::opendir("/proc/self/fd");
    if (!dir) die(err, "opendir /proc/self/fd");
    const int own = ::dirfd(dir);
    while (dirent* e = ::readdir(dir)) {
        if (e->d_name[0] == '.') continue;
        const int fd = std::atoi(e->d_name);
        if (fd > 2 && fd != own && std::find(keep.begin(), keep.end(), fd) == keep.end()) open_fds.push_back(fd);
    }
    ::closedir(dir);
    for (int fd : open_fds)
        ::close(fd);
}

// Unsafe mode (no namespaces): the working directory is a plain folder under the host's /tmp.
void write_work_files(int err, const Plan& p, const std::string& workdir) {
    if (::mkdir(workdir.c_str(), 0700) != 0) die(err, ("mkdir " + workdir).c_str());
    for (const auto& [name, content] : p.files) {
        const std::string path = workdir + "/" + name;
        int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) die(err, ("write " + path).c_str());
        write_all(fd, content.data(), content.size());
        ::close(fd);
    }
}

// pid 1 of the namespace takes every process with it; in unsafe mode the session's process group goes.
void kill_tree(pid_t init, bool isolated) {
    ::kill(init, SIGKILL);
    if (!isolated) ::kill(-init, SIGKILL);
}

// The root's mount point is empty once the namespace is gone; in unsafe mode it holds the program's files.
void remove_root(const std::string& root, bool isolated) {
    std::error_code ec;
    if (isolated)
        ::rmdir(root.c_str());
    else
        fs::remove_all(root, ec);
}

// ---- processes ---------------------------------------------------------------------------------------------------

struct Pipes {
    int in[2], out[2], err[2], error[2], report[2], sync[2], go[2], control[2];
};

// C: drop to the unprivileged user, limits, seccomp, exec. Only system calls and the prepared argv/env. A zygote
// stays root of the user namespace (it makes each execution's namespaces and mounts, and drops to the program's uid,
// limits and seccomp filter there: zygote.py) and gets its control socket as fd 3.
[[noreturn]] void become_program(const Pipes& p, const Limits& l, char* const* argv, char* const* envp,
                                 const char* workdir, bool isolated, Role role) {
    int err = p.error[1];
    const bool zygote = role == Role::zygote;
    int control = -1;
    if (zygote) { // out of the way of 0-3 first
        control = ::fcntl(p.control[1], F_DUPFD, 10);
        err = ::fcntl(err, F_DUPFD_CLOEXEC, 10);
        if (control < 0 || err < 0) die(p.error[1], "dup");
    }
    if (::dup2(p.in[0], 0) < 0 || ::dup2(p.out[1], 1) < 0 || ::dup2(p.err[1], 2) < 0) die(err, "dup2");
    if (zygote && ::dup2(control, 3) < 0) die(err, "dup2 control");
    if (isolated && !zygote) {
        if (::setgroups(0, nullptr) != 0 && errno != EPERM) die(err, "setgroups");
        if (::setresgid(kInsideUser, kInsideUser, kInsideUser) != 0) die(err, "setresgid");
        if (::setresuid(kInsideUser, kInsideUser, kInsideUser) != 0) die(err, "setresuid");
    }
    auto limit = [&](int resource, rlim_t soft, rlim_t hard, const char* what) {
        rlimit r{soft, hard};
        if (::setrlimit(resource, &r) != 0) die(err, what);
    };
    const rlim_t cpu = static_cast<rlim_t>(std::max(1.0, std::ceil(l.cpu_seconds)));
    if (!zygote) {
        limit(RLIMIT_CPU, cpu, cpu + 1, "RLIMIT_CPU");
        limit(RLIMIT_AS, l.memory_bytes, l.memory_bytes, "RLIMIT_AS");
        if (isolated) // outside a user namespace the count would be all of the user's processes
            limit(RLIMIT_NPROC, static_cast<rlim_t>(l.processes), static_cast<rlim_t>(l.processes), "RLIMIT_NPROC");
        limit(RLIMIT_NOFILE, static_cast<rlim_t>(l.open_files), static_cast<rlim_t>(l.open_files), "RLIMIT_NOFILE");
    }
    limit(RLIMIT_FSIZE, l.file_bytes, l.file_bytes, "RLIMIT_FSIZE");
    limit(RLIMIT_CORE, 0, 0, "RLIMIT_CORE");
    if (::chdir(workdir) != 0) die(err, "chdir to the working directory");
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) die(err, "no_new_privs");
    // Every descriptor but 0, 1, 2 (3: the zygote's control socket) and the error pipe (close-on-exec) goes.
    const unsigned first = zygote ? 4 : 3;
    if (static_cast<unsigned>(err) > first) ::close_range(first, static_cast<unsigned>(err) - 1, 0);
    ::close_range(static_cast<unsigned>(err) + 1, ~0U, 0);
    if (!zygote) {
        if (std::string why = install_seccomp_policy(); !why.empty()) {
            errno = EPERM;
            die(err, why.c_str());
        }
    }
    ::execve(argv[0], argv, envp);
    die(err, "execve");
}

// I: pid 1 of the namespace (unsafe mode: the leader of a new session, killed as a group). Forks C, reaps every
// process that ends up under it, and when C ends reports to P and exits.
[[noreturn]] void become_init(const Pipes& p, const Plan& plan, const Limits& program_limits, char* const* argv,
                              char* const* envp, const char* workdir, bool isolated, Role role) {
    const int err = p.error[1];
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (isolated)
        enter_root(err, plan);
    else
        ::setsid();
    timespec t0{};
    ::clock_gettime(CLOCK_MONOTONIC, &t0);
    const pid_t c = ::fork();
    if (c == 0) become_program(p, program_limits, argv, envp, workdir, isolated, role);
    if (c < 0) die(err, "fork the program");
    for (int fd : {p.in[0], p.out[1], p.err[1], p.error[1], p.control[1]})
        if (fd >= 0) ::close(fd);
    Report r;
    for (;;) {
        int st = 0;
        rusage ru{};
        const pid_t w = ::wait4(-1, &st, 0, &ru);
        if (w < 0 && errno == EINTR) continue;
        if (w < 0) break;
        if (w == c) {
            timespec t1{};
            ::clock_gettime(CLOCK_MONOTONIC, &t1);
            r.status = st;
            r.cpu_seconds = seconds(ru.ru_utime) + seconds(ru.ru_stime);
            r.max_rss_kb = ru.ru_maxrss;
            r.wall_seconds =
                static_cast<double>(t1.tv_sec - t0.tv_sec) + static_cast<double>(t1.tv_nsec - t0.tv_nsec) / 1e9;
            break;
        }
    }
    write_all(p.report[1], &r, sizeof r);
    ::_exit(0); // pid 1 ends: the kernel kills every process left in the namespace
}

} // namespace

const char* to_string(Outcome o) {
    switch (o) {
    case Outcome::exited:
        return "exited";
    case Outcome::signaled:
        return "signaled";
    case Outcome::cpu_limit:
        return "cpu_limit";
    case Outcome::wall_limit:
        return "wall_limit";
    case Outcome::memory_limit:
        return "memory_limit";
    case Outcome::output_limit:
        return "output_limit";
    case Outcome::sandbox_error:
        return "sandbox_error";
    }
    return "sandbox_error";
}

namespace {

// The host's top-level names that are symlinks (bin -> usr/bin on merged-/usr systems) are recreated; those that
// are directories are bound read-only when they hold what the interpreter needs (lib, lib64).
void plan_system_paths(Plan& plan) {
    plan.read_only.push_back("/usr");
    for (const char* name : {"bin", "sbin", "lib", "lib32", "lib64", "libx32"}) {
        const fs::path p = fs::path("/") / name;
        std::error_code ec;
        if (fs::is_symlink(p, ec))
            plan.symlinks.push_back(name);
        else if (fs::is_directory(p, ec) && std::string(name).starts_with("lib"))
            plan.read_only.push_back(p.string());
    }
    const fs::path prefix = python_interpreter().prefix;
    const std::string pre = prefix.lexically_normal().string();
    if (!pre.starts_with("/usr/") && pre != "/usr") plan.read_only.push_back(pre);
}

std::vector<char*> c_strings(std::vector<std::string>& v) {
    std::vector<char*> out;
    for (auto& s : v)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

} // namespace

namespace detail {

uid_t slot_uid(unsigned slot) {
    return own_uids().first + static_cast<uid_t>(slot % ((own_uids().second - own_uids().first) / 2)) * 2;
}

void finish(Tree& t) {
    if (t.init > 0 && !t.isolated) ::kill(-t.init, SIGKILL); // unsafe mode: what the program left behind
    for (int* fd : {&t.in, &t.out, &t.err, &t.error, &t.report, &t.control})
        if (*fd >= 0) {
            ::close(*fd);
            *fd = -1;
        }
    if (t.a > 0) {
        ::kill(t.a, SIGKILL);
        while (::waitpid(t.a, nullptr, 0) < 0 && errno == EINTR) {
        }
        t.a = -1;
    }
    t.cg.kill_all();
    if (t.have_cg) t.cg.remove();
    t.have_cg = false;
    if (!t.root.empty()) remove_root(t.root, t.isolated);
    t.root.clear();
}

std::string launch(Tree& t, Role role, const std::vector<std::string>& argv_in,
                   const std::vector<std::pair<std::string, std::string>>& files, const Limits& l, unsigned slot,
                   const std::string& cgroup_name) {
    const uid_t base = slot_uid(slot);
    Plan plan;
    std::string root_template = "/tmp/" + own_prefix() + "XXXXXX";
    if (!::mkdtemp(root_template.data())) return std::string("mkdtemp: ") + std::strerror(errno);
    plan.root = t.root = root_template.c_str();
    t.isolated = !unsafe_no_isolation();
    const std::string workdir = t.isolated ? "/work" : plan.root + "/work";
    if (t.isolated) plan_system_paths(plan);
    plan.files = files;
    plan.limits = l;
    plan.zygote = role == Role::zygote;

    t.have_cg = t.cg.make(cgroup_name, l);
    Limits program_limits = l;
    program_limits.memory_bytes = address_space(l, t.have_cg);

    std::vector<std::string> argv_s = argv_in;
    std::vector<std::string> env_s = {"PATH=/usr/local/bin:/usr/bin:/bin", "HOME=/work", "LANG=C.UTF-8",
                                      "MALLOC_ARENA_MAX=2", "TMPDIR=/tmp"};
    std::vector<char*> argv = c_strings(argv_s), envp = c_strings(env_s);

    Pipes p{};
    for (int* fds : {p.in, p.out, p.err, p.error, p.report, p.sync, p.go, p.control})
        fds[0] = fds[1] = -1;
    for (int* fds : {p.in, p.out, p.err, p.error, p.report, p.sync, p.go})
        if (::pipe2(fds, O_CLOEXEC) != 0) {
            const std::string why = std::string("pipe: ") + std::strerror(errno);
            for (int* f : {p.in, p.out, p.err, p.error, p.report, p.sync, p.go})
                for (int k : {0, 1})
                    if (f[k] >= 0) ::close(f[k]);
            finish(t);
            return why;
        }
    if (role == Role::zygote && ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p.control) != 0) {
        const std::string why = std::string("socketpair: ") + std::strerror(errno);
        for (int* f : {p.in, p.out, p.err, p.error, p.report, p.sync, p.go})
            for (int k : {0, 1})
                ::close(f[k]);
        finish(t);
        return why;
    }
    const pid_t parent = ::getpid();
    const pid_t a = ::fork();
    if (a == 0) {
        // ---- A ----
        const int err = p.error[1];
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) ::_exit(127);
        // Only this execution's child ends stay open: P's ends (the program must see EOF on stdin when P closes it)
        // and every descriptor another thread of qeval had open at the fork (another execution's pipes, whose EOF
        // would otherwise wait for this one) are closed.
        close_all_but(err, {p.in[0], p.out[1], p.err[1], p.error[1], p.report[1], p.sync[1], p.go[0], p.control[1]});
        if (t.isolated &&
            ::unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWPID) != 0)
            die(err, "unshare (user, mount, net, ipc, uts, pid namespaces)");
        write_all(p.sync[1], "u", 1);
        char go = 0;
        if (::read(p.go[0], &go, 1) != 1 || go != 'g') ::_exit(127);
        if (t.isolated) {
            if (::setresgid(0, 0, 0) != 0 || ::setresuid(0, 0, 0) != 0) die(err, "become root of the user namespace");
            if (::sethostname("sandbox", 7) != 0) die(err, "sethostname");
            build_root(err, plan);
        } else {
            write_work_files(err, plan, workdir);
        }
        const pid_t i = ::fork();
        if (i == 0) become_init(p, plan, program_limits, argv.data(), envp.data(), workdir.c_str(), t.isolated, role);
        if (i < 0) die(err, "fork init");
        write_all(p.sync[1], &i, sizeof i);
        int st = 0;
        while (::waitpid(i, &st, 0) < 0 && errno == EINTR) {
        }
        ::_exit(0);
    }

    // ---- P ----
    for (int fd : {p.in[0], p.out[1], p.err[1], p.error[1], p.report[1], p.sync[1], p.go[0], p.control[1]})
        if (fd >= 0) ::close(fd);
    t.a = a;
    t.in = p.in[1];
    t.out = p.out[0];
    t.err = p.err[0];
    t.error = p.error[0];
    t.report = p.report[0];
    t.control = p.control[0];
    auto failed = [&](const std::string& what) {
        ::close(p.sync[0]);
        if (p.go[1] >= 0) ::close(p.go[1]);
        std::string why = t.error >= 0 ? read_available(t.error) : "";
        finish(t);
        return what + (why.empty() ? "" : ": " + why);
    };
    if (a < 0) return failed(std::string("fork: ") + std::strerror(errno));
    char u = 0;
    if (::read(p.sync[0], &u, 1) != 1) return failed("namespaces");
    const std::string pid_dir = "/proc/" + std::to_string(a);
    if (t.isolated) {
        const std::string map = "0 " + std::to_string(base) + " 1\n" + std::to_string(kInsideUser) + " " +
                                std::to_string(base + 1) + " 1\n";
        if (!write_file(pid_dir + "/setgroups", "deny") || !write_file(pid_dir + "/uid_map", map) ||
            !write_file(pid_dir + "/gid_map", map))
            return failed(std::string("uid/gid maps: ") + std::strerror(errno));
    }
    if (t.have_cg && !t.cg.add(a)) return failed("cgroup");
    write_all(p.go[1], "g", 1);
    ::close(p.go[1]);
    p.go[1] = -1;
    if (::read(p.sync[0], &t.init, sizeof t.init) != sizeof t.init) return failed("sandbox set-up");
    ::close(p.sync[0]);
    return "";
}

} // namespace detail

Result run(const Request& rq) {
    const Limits l = request_limits(rq);
    Result res;

    // A uid pair outside for this execution (the first kColdSlots pairs; the warm zygotes have the rest): the
    // program's processes count against RLIMIT_NPROC on their own.
    static std::atomic<unsigned> counter{0};
    const unsigned slot = counter++ % kColdSlots;
    Tree t;
    const auto start = Clock::now();
    if (std::string why = launch(t, Role::program, rq.argv, rq.files, l, slot, own_prefix() + std::to_string(slot));
        !why.empty()) {
        res.error = why;
        return res;
    }
    Streams s{t.in, t.out, t.err};
    t.in = t.out = t.err = -1;
    Report report;
    std::string error_text;
    const auto read_report = [&](int fd) {
        char buf[sizeof(Report) + 1];
        ssize_t got;
        while ((got = ::read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {
        }
        if (got != sizeof report) return ReportRead::lost; // init died without a report (killed)
        std::memcpy(&report, buf, sizeof report);
        return ReportRead::done;
    };
    const Pumped pumped =
        pump(s, rq.stdin_data, l,
             start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(l.wall_seconds)),
             t.report, read_report, t.error, error_text, res, [&] { kill_tree(t.init, t.isolated); });
    for (int fd : {s.in, s.out, s.err})
        if (fd >= 0) ::close(fd);
    res.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    if (!error_text.empty() || (t.error >= 0 && !(error_text = read_available(t.error)).empty())) {
        // Set-up or exec failed in A, I or C: the program never ran.
        res.outcome = Outcome::sandbox_error;
        res.error = error_text;
        finish(t);
        return res;
    }
    const bool oom = t.have_cg && t.cg.oom_killed();
    if (t.have_cg) res.max_rss_bytes = t.cg.peak_bytes();
    classify(res, report, pumped, oom, l);
    finish(t);
    return res;
}

std::pair<unsigned, unsigned> own_uids() {
    const unsigned first = 300000 + static_cast<unsigned>(::getpid() % 1024) * 8192;
    return {first, first + 8192};
}

std::string own_prefix() {
    return "qeval-sandbox-" + std::to_string(::getpid()) + "-";
}

namespace {
std::atomic<bool> g_unsafe{false};
} // namespace

void set_unsafe_no_isolation(bool on) {
    g_unsafe = on;
}

bool unsafe_no_isolation() {
    return g_unsafe;
}

bool available(std::string* why) {
    if (unsafe_no_isolation()) {
        if (why) *why = "unsafe mode: no isolation";
        return true;
    }
    static std::once_flag once;
    static bool ok = false;
    static std::string reason;
    std::call_once(once, [] {
        try {
            Request rq;
            rq.argv = {"/usr/bin/true"};
            rq.limits.cpu_seconds = 2;
            Result r = run(rq);
            ok = r.outcome == Outcome::exited && r.exit_code == 0;
            if (!ok) reason = r.error.empty() ? std::string("a test program ended: ") + to_string(r.outcome) : r.error;
        } catch (const std::exception& e) {
            reason = e.what();
        }
    });
    if (why) *why = reason;
    return ok;
}

const Interpreter& python_interpreter() {
    static std::once_flag once;
    static Interpreter found;
    static std::string failure;
    std::call_once(once, [] {
        std::vector<std::string> candidates;
        if (const char* env = std::getenv("QEVAL_PYTHON"); env && *env) candidates.push_back(env);
        candidates.push_back("/usr/bin/python3");
        candidates.push_back("python3");
        for (const auto& c : candidates) {
            if (c.starts_with("/") && !fs::exists(c)) continue;
            const std::string cmd = "'" + c +
                                    "' -I -c 'import sys; print(sys.executable); print(sys.base_prefix); "
                                    "print(sys.version.split()[0])' 2>/dev/null";
            FILE* f = ::popen(cmd.c_str(), "r");
            if (!f) continue;
            char line[4096];
            std::vector<std::string> lines;
            while (std::fgets(line, sizeof line, f)) {
                std::string s(line);
                while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
                    s.pop_back();
                lines.push_back(s);
            }
            if (::pclose(f) == 0 && lines.size() == 3 && lines[0].starts_with("/")) {
                std::error_code ec;
                found.executable = fs::canonical(lines[0], ec);
                if (ec) found.executable = lines[0];
                found.prefix = lines[1];
                found.version = lines[2];
                return;
            }
        }
        failure = "no Python interpreter found (tried $QEVAL_PYTHON, /usr/bin/python3, python3 on PATH)";
    });
    QEVAL_CHECK(!found.executable.empty(), ErrorCode::runtime, failure);
    return found;
}

} // namespace qeval::core::sandbox
