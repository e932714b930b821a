// See warm.hpp. P's side of the zygote protocol (zygote.py): a stream socket, messages of a 4-byte little-endian
// length and JSON. P sends a hello (the seccomp filter as BPF, the modules to import) and waits for "ready"; then,
// per execution, a request with the execution's stdin, stdout and stderr attached (SCM_RIGHTS), and reads the
// streams with pump() as run() does until the zygote's reply (the program's waitpid status and usage, or a set-up
// error). A zygote is killed, and replaced on the next run, when the watchdog or the output cap ends an execution,
// when it dies or answers out of protocol. Zygotes are started by one thread of the pool's own: A and I die with the
// thread that forked them (PR_SET_PDEATHSIG), which must outlive the zygote, not the grading thread that asked.
#include "core/sandbox/warm.hpp"

#include <atomic>
#include <cerrno>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/data/base64.hpp"
#include "core/error.hpp"
#include "core/sandbox/seccomp_policy.hpp"
#include "core/sandbox/tree.hpp"
#include "core/types.hpp"

namespace qeval::core::sandbox {

extern const char* const kZygoteSource; // generated from zygote.py

namespace {

using namespace detail;

constexpr double kStartSeconds = 30; // a zygote's start-up (imports) before it is given up

std::string tail(std::string s, std::size_t n = 2000) {
    return s.size() > n ? s.substr(s.size() - n) : s;
}

struct Zygote {
    Tree tree;
    std::uint64_t baseline = 0; // memory charged to its cgroup when idle
    std::string inbox;          // bytes of a reply not yet complete
    std::string said;           // the tail of what the zygote wrote on stdout/stderr (drained so it never blocks)

    void drain() { said = tail(said + read_available(tree.out) + read_available(tree.err), 2000); }
};

bool send_message(int fd, const std::string& body, const std::vector<int>& fds) {
    const std::uint32_t n = static_cast<std::uint32_t>(body.size());
    std::string data(4, '\0');
    for (int k = 0; k < 4; ++k)
        data[static_cast<std::size_t>(k)] = static_cast<char>((n >> (8 * k)) & 0xFF);
    data += body;
    std::size_t off = 0;
    while (off < data.size()) {
        iovec iov{data.data() + off, data.size() - off};
        msghdr msg{};
        msg.msg_iov = &iov;
        msg.msg_iovlen = 1;
        alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)] = {};
        if (off == 0 && !fds.empty()) { // the descriptors ride with the first byte
            msg.msg_control = control;
            msg.msg_controllen = CMSG_SPACE(sizeof(int) * fds.size());
            cmsghdr* c = CMSG_FIRSTHDR(&msg);
            c->cmsg_level = SOL_SOCKET;
            c->cmsg_type = SCM_RIGHTS;
            c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
            std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
        }
        const ssize_t w = ::sendmsg(fd, &msg, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return false;
        off += static_cast<std::size_t>(w);
    }
    return true;
}

// Reads what is there into `inbox`; a complete message is parsed into `out`.
ReportRead read_message(int fd, std::string& inbox, Json& out) {
    char buf[4096];
    ssize_t got;
    while ((got = ::read(fd, buf, sizeof buf)) < 0 && errno == EINTR) {
    }
    if (got <= 0) return ReportRead::lost;
    inbox.append(buf, static_cast<std::size_t>(got));
    if (inbox.size() < 4) return ReportRead::more;
    std::uint32_t n = 0;
    for (int k = 3; k >= 0; --k)
        n = (n << 8) | static_cast<unsigned char>(inbox[static_cast<std::size_t>(k)]);
    if (inbox.size() < 4 + static_cast<std::size_t>(n)) return ReportRead::more;
    out = Json::parse(inbox.substr(4, n), nullptr, false);
    inbox.erase(0, 4 + static_cast<std::size_t>(n));
    return out.is_discarded() ? ReportRead::lost : ReportRead::done;
}

// Starts a zygote in warm slot `slot`; nullptr with `error` set when it cannot.
std::unique_ptr<Zygote> start_zygote(unsigned slot, const std::string& hello, std::string& error) {
    auto z = std::make_unique<Zygote>();
    Limits l;
    l.memory_bytes = 4ULL << 30; // until the first execution sets its own
    l.processes = 64;
    l.tmpfs_bytes = 1ULL << 20; // the slot's root holds zygote.py only; executions get their own tmpfs
    const std::vector<std::string> argv = {python_interpreter().executable.string(), "-I", "/work/zygote.py"};
    if (error = launch(z->tree, Role::zygote, argv, {{"zygote.py", kZygoteSource}}, l, slot,
                       own_prefix() + "z" + std::to_string(slot));
        !error.empty())
        return nullptr;
    Tree& t = z->tree;
    ::close(t.in); // the zygote reads nothing on stdin
    t.in = -1;
    for (int fd : {t.out, t.err})
        ::fcntl(fd, F_SETFL, O_NONBLOCK);
    auto give_up = [&](const std::string& why) {
        std::string said = (t.error >= 0 ? read_available(t.error) : "") + tail(read_available(t.err));
        finish(t);
        error = "zygote: " + why + (said.empty() ? "" : ": " + said);
        return nullptr;
    };
    if (!send_message(t.control, hello, {})) return give_up("hello not delivered");
    const auto deadline = Clock::now() + std::chrono::duration<double>(kStartSeconds);
    for (;;) {
        pollfd fds[2] = {{t.control, POLLIN, 0}, {t.error, POLLIN, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return give_up("no answer to hello");
        const int ready = ::poll(fds, t.error >= 0 ? 2 : 1, static_cast<int>(left));
        if (ready < 0 && errno == EINTR) continue;
        if (t.error >= 0 && fds[1].revents) {
            const std::string said = read_available(t.error);
            if (!said.empty()) return give_up("set-up: " + said);
            ::close(t.error); // EOF at execve: the interpreter runs
            t.error = -1;
        }
        if (!fds[0].revents) continue;
        Json reply;
        const ReportRead r = read_message(t.control, z->inbox, reply);
        if (r == ReportRead::more) continue;
        if (r == ReportRead::lost) return give_up("ended before ready");
        if (!reply.value("ready", false)) return give_up(reply.value("error", std::string("not ready")));
        break;
    }
    z->baseline = t.cg.usage_bytes();
    return z;
}

struct Executed {
    Result result;
    bool healthy = false;   // the zygote can take the next execution
    bool delivered = false; // the request reached it
};

Executed execute(Zygote& z, const Request& rq) {
    Executed o;
    Result& res = o.result;
    const Limits l = request_limits(rq);
    Tree& t = z.tree;
    z.drain();
    int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
    auto close_all = [&] {
        for (int* p : {in, out, err})
            for (int k : {0, 1})
                if (p[k] >= 0) ::close(p[k]), p[k] = -1;
    };
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        res.error = std::string("pipe: ") + std::strerror(errno);
        close_all();
        o.healthy = true;
        return o;
    }
    if (t.have_cg) t.cg.set_limits(z.baseline + l.memory_bytes, l.processes + 8);
    const long ooms_before = t.have_cg ? t.cg.oom_kills() : 0;
    Json files = Json::array();
    for (const auto& [name, content] : rq.files)
        files.push_back(Json::array({name, base64_encode(content)}));
    Json args = Json::array();
    for (std::size_t k = 2; k < rq.argv.size(); ++k)
        args.push_back(rq.argv[k]);
    const Json request = {{"uid", kInsideUser},
                          {"argv", args},
                          {"files", files},
                          {"limits",
                           {{"cpu", static_cast<long>(std::max(1.0, std::ceil(l.cpu_seconds)))},
                            {"as", address_space(l, t.have_cg)},
                            {"nproc", l.processes},
                            {"fsize", l.file_bytes},
                            {"nofile", l.open_files},
                            {"tmpfs", l.tmpfs_bytes}}}};
    const auto start = Clock::now();
    o.delivered =
        send_message(t.control, request.dump(-1, ' ', false, Json::error_handler_t::replace), {in[0], out[1], err[1]});
    for (int* fd : {&in[0], &out[1], &err[1]})
        ::close(*fd), *fd = -1;
    if (!o.delivered) {
        res.error = "zygote: the request was not delivered";
        close_all();
        return o;
    }
    Streams s{in[1], out[0], err[0]};
    in[1] = out[0] = err[0] = -1;
    Report report;
    std::string setup_error, no_error_text;
    int no_error_fd = -1;
    const auto read_reply = [&](int fd) {
        Json reply;
        const ReportRead r = read_message(fd, z.inbox, reply);
        if (r != ReportRead::done) return r;
        if (reply.contains("error")) {
            setup_error = reply["error"].is_string() ? reply["error"].get<std::string>() : reply["error"].dump();
            return ReportRead::done;
        }
        report.status = reply.value("status", -1);
        report.cpu_seconds = reply.value("cpu", 0.0);
        report.max_rss_kb = reply.value("rss_kb", 0L);
        report.wall_seconds = reply.value("wall", 0.0);
        return ReportRead::done;
    };
    const auto kill = [&] {
        ::kill(t.a, SIGKILL); // A, then I (PR_SET_PDEATHSIG): the zygote's pid namespace and all in it
        t.cg.kill_all();
    };
    const Pumped pumped =
        pump(s, rq.stdin_data, l,
             start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(l.wall_seconds)),
             t.control, read_reply, no_error_fd, no_error_text, res, kill);
    for (int fd : {s.in, s.out, s.err})
        if (fd >= 0) ::close(fd);
    res.wall_seconds = std::chrono::duration<double>(Clock::now() - start).count();
    o.healthy = !pumped.wall && !pumped.output && !pumped.lost;
    if (!setup_error.empty()) {
        res.outcome = Outcome::sandbox_error;
        res.error = setup_error;
        return o;
    }
    const bool oom = t.have_cg && t.cg.oom_kills() > ooms_before;
    classify(res, report, pumped, oom, l);
    if (pumped.lost && res.outcome == Outcome::sandbox_error)
        res.error = "the warm interpreter ended: " + (z.drain(), tail(z.said, 500));
    return o;
}

bool warm_shape(const Request& rq) {
    if (rq.argv.size() < 3 || rq.argv[1] != "-I" || rq.argv[0] != python_interpreter().executable.string())
        return false;
    for (const auto& f : rq.files)
        if (f.first == rq.argv[2]) return true;
    return false;
}

} // namespace

struct WarmPool::Impl {
    std::string hello; // the hello message, or "" with hello_error
    std::string hello_error;
    std::mutex m;
    std::vector<std::unique_ptr<Zygote>> idle;
    std::string fallback;
    std::string broken; // why a zygote could not start: every run goes cold after that
    std::atomic<std::size_t> started{0};

    std::string broken_reason() {
        std::lock_guard lock(m);
        return broken;
    }
    std::atomic<unsigned> next_slot{0};

    // The spawner thread: starts zygotes on request.
    struct Spawn {
        std::promise<std::unique_ptr<Zygote>> done;
        std::string* error;
    };
    std::mutex sm;
    std::condition_variable scv;
    std::deque<Spawn*> queue;
    bool stopping = false;
    std::thread spawner;

    void spawn_loop() {
        for (;;) {
            Spawn* job = nullptr;
            {
                std::unique_lock lock(sm);
                scv.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty()) return;
                job = queue.front();
                queue.pop_front();
            }
            const unsigned slot = kColdSlots + next_slot++ % (kSlots - kColdSlots);
            auto z = start_zygote(slot, hello, *job->error);
            if (z) ++started;
            job->done.set_value(std::move(z));
        }
    }

    std::unique_ptr<Zygote> take(std::string& error) {
        {
            std::lock_guard lock(m);
            if (!idle.empty()) {
                auto z = std::move(idle.back());
                idle.pop_back();
                return z;
            }
        }
        Spawn job{{}, &error};
        auto result = job.done.get_future();
        {
            std::lock_guard lock(sm);
            if (!spawner.joinable()) spawner = std::thread([this] { spawn_loop(); });
            queue.push_back(&job);
        }
        scv.notify_one();
        return result.get();
    }
};

WarmPool::WarmPool(std::vector<std::string> preload, std::vector<std::pair<std::string, std::string>> scripts)
    : impl_(std::make_unique<Impl>()) {
    std::string bpf = seccomp_policy_bpf(impl_->hello_error);
    Json compiled = Json::array();
    for (const auto& [name, source] : scripts)
        compiled.push_back(Json::array({name, base64_encode(source)}));
    if (impl_->hello_error.empty())
        impl_->hello = Json{{"seccomp", base64_encode(bpf)}, {"preload", preload}, {"scripts", compiled}}.dump();
}

WarmPool::~WarmPool() {
    {
        std::lock_guard lock(impl_->sm);
        impl_->stopping = true;
    }
    impl_->scv.notify_all();
    if (impl_->spawner.joinable()) impl_->spawner.join();
    shutdown();
}

void WarmPool::shutdown() {
    std::vector<std::unique_ptr<Zygote>> gone;
    {
        std::lock_guard lock(impl_->m);
        gone.swap(impl_->idle);
    }
    for (auto& z : gone)
        finish(z->tree);
}

std::size_t WarmPool::started() const {
    return impl_->started;
}

std::string WarmPool::fallback() const {
    std::lock_guard lock(impl_->m);
    return impl_->fallback;
}

Result WarmPool::run(const Request& rq) {
    request_limits(rq); // checks argv[0] before either path runs it
    auto cold = [&](const std::string& why) {
        {
            std::lock_guard lock(impl_->m);
            impl_->fallback = why;
        }
        return sandbox::run(rq);
    };
    if (unsafe_no_isolation()) return cold("unsafe mode: no zygotes");
    if (!warm_shape(rq)) return cold("not {interpreter, -I, script among the files}");
    if (!impl_->hello_error.empty()) return cold(impl_->hello_error);
    if (std::string broken = impl_->broken_reason(); !broken.empty()) return cold(broken);
    for (int attempt = 0;; ++attempt) {
        std::string error;
        std::unique_ptr<Zygote> z = impl_->take(error);
        if (!z) {
            // Not tried again: where one cannot start, none will (and each try would cost the next run its time).
            std::lock_guard lock(impl_->m);
            impl_->broken = error;
        }
        if (!z) return cold(error);
        Executed o = execute(*z, rq);
        if (o.healthy) {
            std::lock_guard lock(impl_->m);
            impl_->idle.push_back(std::move(z));
            impl_->fallback.clear();
        } else {
            finish(z->tree);
        }
        // A zygote that died before it took the request (its starting thread's end, a crash) is replaced once.
        if (o.delivered || attempt > 0) return o.result;
    }
}

} // namespace qeval::core::sandbox
