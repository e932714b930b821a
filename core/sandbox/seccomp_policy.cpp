// The seccomp filter of the sandboxed program (libseccomp): everything allowed but one table of calls a solution
// never needs and an escape would: tracing other processes, mounts and new namespaces, kernel attack surface (bpf,
// perf, io_uring, keys, userfaultfd, modules), the clock, terminal injection, and sockets of any family but AF_UNIX
// (the network namespace has nothing up anyway; this closes raw and netlink sockets too). Denied calls fail with
// EPERM (clone3 with ENOSYS, so the C library falls back to clone, whose namespace flags are checked here).
#include "core/sandbox/seccomp_policy.hpp"

#include <cerrno>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <seccomp.h>

namespace qeval::core::sandbox {
namespace {

// Denied outright (EPERM).
constexpr const char* kDenied[] = {
    // other processes and privilege
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "kcmp",
    "pidfd_getfd",
    // mounts, roots and namespaces
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "unshare",
    "setns",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "mount_setattr",
    "name_to_handle_at",
    "open_by_handle_at",
    // kernel surface
    "bpf",
    "perf_event_open",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "keyctl",
    "add_key",
    "request_key",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "syslog",
    "quotactl",
    "lookup_dcookie",
    "iopl",
    "ioperm",
    "vhangup",
    "fanotify_init",
    "personality",
    // the clock
    "clock_settime",
    "clock_adjtime",
    "settimeofday",
    "adjtimex",
    "stime",
};

constexpr unsigned long kNamespaceFlags[] = {CLONE_NEWUSER, CLONE_NEWNS,  CLONE_NEWPID,    CLONE_NEWNET,
                                             CLONE_NEWIPC,  CLONE_NEWUTS, CLONE_NEWCGROUP, CLONE_NEWTIME};

} // namespace

namespace {

// The filter in a new context; "" or what failed (ctx then released and null).
std::string build(scmp_filter_ctx& ctx) {
    ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) return "seccomp_init failed";
    auto fail = [&](const std::string& what, int rc) {
        seccomp_release(ctx);
        ctx = nullptr;
        return "seccomp: " + what + ": error " + std::to_string(-rc);
    };
    int rc = 0;
    for (const char* name : kDenied) {
        const int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR) continue; // not on this architecture (stime, iopl...)
        if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0)) < 0) return fail(name, rc);
    }
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0)) < 0) return fail("clone3", rc);
    for (unsigned long flag : kNamespaceFlags)
        if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                                   SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag))) < 0)
            return fail("clone flags", rc);
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_NE, AF_UNIX))) <
        0)
        return fail("socket", rc);
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socketpair), 1,
                               SCMP_A0(SCMP_CMP_NE, AF_UNIX))) < 0)
        return fail("socketpair", rc);
    if ((rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                               SCMP_A1(SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu, TIOCSTI))) < 0)
        return fail("ioctl TIOCSTI", rc);
    return "";
}

} // namespace

std::string install_seccomp_policy() {
    scmp_filter_ctx ctx = nullptr;
    if (std::string why = build(ctx); !why.empty()) return why;
    const int rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc < 0 ? "seccomp: load: error " + std::to_string(-rc) : "";
}

std::string seccomp_policy_bpf(std::string& error) {
    scmp_filter_ctx ctx = nullptr;
    if (error = build(ctx); !error.empty()) return "";
    std::string out;
    const int fd = ::memfd_create("qeval-seccomp", MFD_CLOEXEC);
    if (fd < 0) {
        error = "seccomp: memfd_create failed";
    } else if (const int rc = seccomp_export_bpf(ctx, fd); rc < 0) {
        error = "seccomp: export: error " + std::to_string(-rc);
    } else {
        char buf[4096];
        ssize_t n = 0;
        for (off_t at = 0; (n = ::pread(fd, buf, sizeof buf, at)) > 0; at += n)
            out.append(buf, static_cast<std::size_t>(n));
    }
    if (fd >= 0) ::close(fd);
    seccomp_release(ctx);
    return out;
}

} // namespace qeval::core::sandbox
