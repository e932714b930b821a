// P's side of one execution's streams (see tree.hpp): stdin fed, stdout and stderr read with their caps, the
// watchdog, and the outcome from what ended the program. Shared by the cold path (sandbox.cpp) and the warm one
// (warm.cpp).
#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/sandbox/tree.hpp"

namespace qeval::core::sandbox::detail {

Limits request_limits(const Request& rq) {
    QEVAL_CHECK(!rq.argv.empty() && rq.argv[0].starts_with("/"), ErrorCode::usage,
                "sandbox: argv[0] must be an absolute path inside the sandbox");
    Limits l = rq.limits;
    if (l.wall_seconds <= 0) l.wall_seconds = 2 * l.cpu_seconds + 5;
    return l;
}

std::uint64_t address_space(const Limits& l, bool have_cg) {
    return have_cg ? 2 * l.memory_bytes : l.memory_bytes;
}

void write_all(int fd, const void* data, std::size_t n) {
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
        ssize_t w = ::write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return;
        p += w;
        n -= static_cast<std::size_t>(w);
    }
}

std::string read_available(int fd) {
    std::string out;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0)
            out.append(buf, static_cast<std::size_t>(n));
        else if (n < 0 && errno == EINTR)
            continue;
        else
            break;
    }
    return out;
}

Pumped pump(Streams& s, const std::string& stdin_data, const Limits& l, Clock::time_point deadline, int report_fd,
            const std::function<ReportRead(int)>& read_report, int& error_fd, std::string& error_text, Result& res,
            const std::function<void()>& kill) {
    Pumped pumped;
    std::size_t in_off = 0;
    if (stdin_data.empty()) {
        ::close(s.in);
        s.in = -1;
    } else {
        ::fcntl(s.in, F_SETFL, O_NONBLOCK);
    }
    bool out_open = true, err_open = true;
    char buf[65536];
    while (!pumped.report || out_open || err_open) {
        std::array<pollfd, 5> fds{};
        int n = 0;
        auto watch = [&](int fd, short events) {
            if (fd >= 0) fds[static_cast<std::size_t>(n++)] = {fd, events, 0};
        };
        watch(out_open ? s.out : -1, POLLIN);
        watch(err_open ? s.err : -1, POLLIN);
        watch(pumped.report ? -1 : report_fd, POLLIN);
        watch(error_fd, POLLIN);
        watch(s.in, POLLOUT);
        const auto now = Clock::now();
        if (now >= deadline && !pumped.report) {
            kill();
            pumped.wall = true;
            break;
        }
        // After the report, daemons may hold the pipes: the namespace is dying; give it a moment.
        const int timeout_ms =
            pumped.report
                ? 200
                : static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
        const int ready = ::poll(fds.data(), static_cast<nfds_t>(n), timeout_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0 && pumped.report) break;
        for (int k = 0; k < n; ++k) {
            const pollfd& f = fds[static_cast<std::size_t>(k)];
            if (!f.revents) continue;
            if (f.fd == s.in) {
                ssize_t w = ::write(s.in, stdin_data.data() + in_off, stdin_data.size() - in_off);
                if (w > 0) in_off += static_cast<std::size_t>(w);
                if (w < 0 && errno != EAGAIN && errno != EINTR) in_off = stdin_data.size(); // EPIPE: closed
                if (in_off >= stdin_data.size()) {
                    ::close(s.in);
                    s.in = -1;
                }
                continue;
            }
            if (f.fd == report_fd) {
                const ReportRead r = read_report(report_fd);
                pumped.report = r != ReportRead::more;
                pumped.lost = r == ReportRead::lost;
                continue;
            }
            ssize_t got = ::read(f.fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR) continue;
            if (f.fd == error_fd) {
                if (got > 0) error_text.append(buf, static_cast<std::size_t>(got));
                if (got <= 0) {
                    ::close(error_fd);
                    error_fd = -1;
                }
            } else if (f.fd == s.out) {
                if (got <= 0) {
                    out_open = false;
                } else {
                    res.out.append(buf, static_cast<std::size_t>(got));
                    if (res.out.size() > l.stdout_bytes) {
                        kill();
                        pumped.output = true;
                        res.out.resize(l.stdout_bytes);
                        return pumped;
                    }
                }
            } else if (f.fd == s.err) {
                if (got <= 0) {
                    err_open = false;
                } else if (res.err.size() < l.stderr_bytes) {
                    res.err.append(buf, std::min(static_cast<std::size_t>(got), l.stderr_bytes - res.err.size()));
                } else {
                    res.err_truncated = true;
                }
            }
        }
    }
    return pumped;
}

void classify(Result& res, const Report& report, const Pumped& pumped, bool oom, const Limits& l) {
    if (pumped.wall) {
        res.outcome = Outcome::wall_limit;
        res.signal = SIGKILL;
    } else if (pumped.output) {
        res.outcome = Outcome::output_limit;
    } else if (pumped.lost || report.status == -1) {
        res.outcome = oom ? Outcome::memory_limit : Outcome::sandbox_error;
        if (!oom) res.error = "the sandbox's init ended without a report";
    } else {
        res.cpu_seconds = report.cpu_seconds;
        res.wall_seconds = report.wall_seconds;
        res.max_rss_bytes = std::max(res.max_rss_bytes, static_cast<std::uint64_t>(report.max_rss_kb) * 1024);
        if (WIFEXITED(report.status)) {
            res.outcome = Outcome::exited;
            res.exit_code = WEXITSTATUS(report.status);
        } else if (WIFSIGNALED(report.status)) {
            res.signal = WTERMSIG(report.status);
            if (res.signal == SIGXCPU || (res.signal == SIGKILL && res.cpu_seconds >= l.cpu_seconds))
                res.outcome = Outcome::cpu_limit;
            else if (res.signal == SIGKILL && oom)
                res.outcome = Outcome::memory_limit;
            else
                res.outcome = Outcome::signaled;
        }
    }
}

} // namespace qeval::core::sandbox::detail
