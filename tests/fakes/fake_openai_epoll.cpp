// The fake OpenAI server's epoll engine (FakeOpenAIOptions::engine = FakeEngine::epoll), for benchmarks: the httplib
// engine's thread per connection costs more CPU than the client it measures, on the same cores. One or a few event
// loop threads (epoll(7), level-triggered, non-blocking sockets), HTTP/1.1 keep-alive and pipelining, request bodies
// by Content-Length; each response is built whole by fake_openai_wire (the same bodies, SSE events and answers as the
// httplib engine) and goes out in one send(). No faults, latency or chunk delays: those stay with the httplib engine.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "core/error.hpp"
#include "core/text.hpp"
#include "tests/fakes/fake_openai_engine.hpp"
#include "tests/fakes/fake_openai_wire.hpp"

namespace qeval::testing {
namespace {

constexpr int kBacklog = 4096;
constexpr std::size_t kMaxHead = 64 << 10;            // request line and headers
constexpr std::size_t kMaxBody = 64 << 20;            // a request body
constexpr std::size_t kReadChunk = 64 << 10;          // one recv()
constexpr std::size_t kSendAt = 256 << 10;            // pipelined responses buffered before a send
constexpr std::uint64_t kListenTag = 1, kWakeTag = 2; // epoll tags that are not connections

struct Connection {
    int fd = -1;
    std::string in;           // received bytes not yet taken by a request
    std::size_t in_pos = 0;   // the next request starts here
    std::string out;          // response bytes not yet sent
    std::size_t out_pos = 0;  // sent up to here
    bool close_after = false; // close once `out` is sent
    bool watching_out = false;
    bool held = false; // whole requests wait in `in` until the output drains (kSendAt)
    std::deque<std::pair<std::size_t, std::uint64_t>> done_at; // (end offset in `out`, key id): completed when sent
};

// One parsed request head.
struct Head {
    std::string_view method, path;
    std::size_t content_length = 0;
    bool close = false, chunked = false, bad_length = false;
    std::string_view authorization;
};

bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i])))
            return false;
    return true;
}

// The request line and headers (without the blank line); false when the request line is not one.
bool parse_head(std::string_view text, Head& h) {
    std::size_t eol = text.find("\r\n");
    std::string_view line = text.substr(0, eol);
    std::size_t sp1 = line.find(' '), sp2 = line.rfind(' ');
    if (sp1 == std::string_view::npos || sp2 == sp1) return false;
    h.method = line.substr(0, sp1);
    h.path = line.substr(sp1 + 1, sp2 - sp1 - 1);
    if (auto q = h.path.find('?'); q != std::string_view::npos) h.path = h.path.substr(0, q);
    std::string_view version = line.substr(sp2 + 1);
    if (version.rfind("HTTP/1.", 0) != 0) return false;
    h.close = version == "HTTP/1.0";
    while (eol != std::string_view::npos) {
        text.remove_prefix(eol + 2);
        eol = text.find("\r\n");
        std::string_view header = text.substr(0, eol);
        std::size_t colon = header.find(':');
        if (colon == std::string_view::npos) continue;
        std::string_view name = header.substr(0, colon), value = core::trim(header.substr(colon + 1));
        if (iequals(name, "content-length")) {
            auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), h.content_length);
            h.bad_length = ec != std::errc() || end != value.data() + value.size();
        } else if (iequals(name, "connection")) {
            if (iequals(value, "close")) h.close = true;
            if (iequals(value, "keep-alive")) h.close = false;
        } else if (iequals(name, "transfer-encoding")) {
            h.chunked = true;
        } else if (iequals(name, "authorization")) {
            h.authorization = value;
        }
    }
    return true;
}

const char* reason_phrase(int status) {
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 411:
        return "Length Required";
    case 413:
        return "Payload Too Large";
    case 431:
        return "Request Header Fields Too Large";
    default:
        return "Error";
    }
}

void append_head(std::string& out, int status, std::string_view content_type, bool close) {
    out += "HTTP/1.1 ";
    out += std::to_string(status);
    out += ' ';
    out += reason_phrase(status);
    out += "\r\nContent-Type: ";
    out += content_type;
    out += close ? "\r\nConnection: close\r\n" : "\r\nConnection: keep-alive\r\n";
}

void append_response(std::string& out, int status, std::string_view content_type, std::string_view body, bool close) {
    append_head(out, status, content_type, close);
    out += "Content-Length: ";
    out += std::to_string(body.size());
    out += "\r\n\r\n";
    out += body;
}

// SSE events as one chunk of a chunked body, then the last chunk.
void append_stream(std::string& out, const std::vector<std::string>& events, bool close) {
    append_head(out, 200, "text/event-stream", close);
    out += "Cache-Control: no-cache\r\nTransfer-Encoding: chunked\r\n\r\n";
    std::size_t bytes = 0;
    for (const auto& e : events)
        bytes += e.size();
    char hex[32];
    auto [end, ec] = std::to_chars(hex, hex + sizeof hex, bytes, 16);
    out.append(hex, end);
    out += "\r\n";
    for (const auto& e : events)
        out += e;
    out += "\r\n0\r\n\r\n";
}

class EpollServer : public FakeServerEngine {
public:
    explicit EpollServer(FakeOpenAIOptions options);
    ~EpollServer() override { stop(); }

    void stop() override;
    int port() const override { return port_; }
    const FakeOpenAIOptions& options() const override { return opt_; }
    FakeOpenAI::Stats stats() const override;
    std::string last_request() const override;

private:
    struct Loop {
        int epfd = -1;
        std::unordered_map<int, std::unique_ptr<Connection>> connections;
    };

    void run(Loop& loop);
    void accept_all(Loop& loop);
    void drop(Loop& loop, Connection* c);
    bool on_readable(Loop& loop, Connection* c); // false: the connection is gone
    bool flush(Loop& loop, Connection* c);       // false: the connection is gone
    bool take_requests(Connection* c);           // false: a bad request, answered, closing
    void serve(Connection* c, const Head& h, std::string_view body);
    void completion(Connection* c, std::string_view body, bool chat);

    FakeOpenAIOptions opt_;
    int listen_fd_ = -1, wake_fd_ = -1, port_ = 0;
    std::vector<Loop> loops_;
    std::vector<std::thread> threads_;
    std::atomic<bool> stopped_{false};
    std::atomic<std::uint64_t> next_id_{0};
    mutable std::mutex stats_mu_;
    std::int64_t requests_ = 0, completed_ = 0;
    // Per request key (a SHA-256 hex): attempts and completions, found by the key's first 64 bits (a benchmark sends
    // hundreds of thousands of keys; hashing and comparing 64-character strings was a tenth of this server's CPU; two
    // keys sharing 64 bits: about one chance in 10^7 at a million keys).
    struct KeyCounts {
        std::string key;
        int attempts = 0, completions = 0;
    };
    std::unordered_map<std::uint64_t, KeyCounts> keys_;
    static std::uint64_t key_id(const std::string& key) {
        std::uint64_t id = 0;
        std::from_chars(key.data(), key.data() + std::min<std::size_t>(16, key.size()), id, 16);
        return id;
    }
    std::string last_body_;
};

EpollServer::EpollServer(FakeOpenAIOptions options) : opt_(std::move(options)) {
    QEVAL_CHECK(opt_.fault_rate.empty() && opt_.latency_ms == 0 && opt_.chunk_delay_us == 0, ErrorCode::usage,
                "fake_openai: the epoll engine injects no faults, latency or chunk delays (use the httplib engine)");
    QEVAL_CHECK(opt_.event_loops >= 1, ErrorCode::usage, "fake_openai: event_loops must be >= 1");
    QEVAL_CHECK(opt_.content_chunks >= 1 && opt_.reasoning_chunks >= 0, ErrorCode::usage,
                "fake_openai: content_chunks must be >= 1 and reasoning_chunks >= 0");
    rlimit files{}; // a connection is a descriptor: allow as many as the hard limit does
    if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        setrlimit(RLIMIT_NOFILE, &files);
    }
    listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    QEVAL_CHECK(listen_fd_ >= 0, ErrorCode::network, std::string("fake_openai: socket: ") + std::strerror(errno));
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(opt_.port));
    bool ok = inet_pton(AF_INET, opt_.host.c_str(), &addr.sin_addr) == 1 &&
              bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
              listen(listen_fd_, kBacklog) == 0;
    socklen_t len = sizeof addr;
    if (ok) ok = getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
    if (!ok) {
        close(listen_fd_);
        throw_error(ErrorCode::network, "fake_openai: cannot listen on " + opt_.host + ":" + std::to_string(opt_.port) +
                                            " (in use, or not an IPv4 address?)");
    }
    port_ = ntohs(addr.sin_port);
    wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    loops_.resize(static_cast<std::size_t>(opt_.event_loops));
    for (Loop& loop : loops_) {
        loop.epfd = epoll_create1(EPOLL_CLOEXEC);
        epoll_event ev{};
        ev.events = EPOLLIN | EPOLLEXCLUSIVE; // one loop wakes per connect
        ev.data.u64 = kListenTag;
        epoll_ctl(loop.epfd, EPOLL_CTL_ADD, listen_fd_, &ev);
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeTag;
        epoll_ctl(loop.epfd, EPOLL_CTL_ADD, wake_fd_, &ev);
    }
    for (Loop& loop : loops_)
        threads_.emplace_back([this, &loop] { run(loop); });
}

void EpollServer::stop() {
    if (stopped_.exchange(true)) return;
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = write(wake_fd_, &one, sizeof one);
    for (auto& t : threads_)
        t.join();
    for (Loop& loop : loops_) {
        for (auto& [fd, c] : loop.connections)
            close(fd);
        loop.connections.clear();
        close(loop.epfd);
    }
    close(listen_fd_);
    close(wake_fd_);
}

FakeOpenAI::Stats EpollServer::stats() const {
    std::lock_guard<std::mutex> lock(stats_mu_);
    FakeOpenAI::Stats s;
    s.requests = requests_;
    s.completed = completed_;
    for (const auto& [id, k] : keys_) {
        s.attempts_by_key.emplace(k.key, k.attempts);
        if (k.completions > 0) s.completed_by_key.emplace(k.key, k.completions);
    }
    return s;
}

std::string EpollServer::last_request() const {
    std::lock_guard<std::mutex> lock(stats_mu_);
    return last_body_;
}

void EpollServer::run(Loop& loop) {
    std::vector<epoll_event> events(512);
    while (!stopped_) {
        int n = epoll_wait(loop.epfd, events.data(), static_cast<int>(events.size()), -1);
        for (int i = 0; i < n; ++i) {
            const epoll_event& ev = events[static_cast<std::size_t>(i)];
            if (ev.data.u64 == kWakeTag) return;
            if (ev.data.u64 == kListenTag) {
                accept_all(loop);
                continue;
            }
            auto* c = static_cast<Connection*>(ev.data.ptr);
            if (ev.events & (EPOLLERR | EPOLLHUP)) {
                drop(loop, c);
                continue;
            }
            if ((ev.events & EPOLLOUT) && !flush(loop, c)) continue;
            if (ev.events & EPOLLIN) on_readable(loop, c);
        }
    }
}

void EpollServer::accept_all(Loop& loop) {
    for (;;) {
        int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            // Out of descriptors: the listening socket stays readable, so wait a little instead of spinning.
            if (errno == EMFILE || errno == ENFILE) std::this_thread::sleep_for(std::chrono::milliseconds(1));
            return; // EAGAIN: taken by another loop or none left; other errors: the client gave up
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        auto c = std::make_unique<Connection>();
        c->fd = fd;
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.ptr = c.get();
        epoll_ctl(loop.epfd, EPOLL_CTL_ADD, fd, &ev);
        loop.connections.emplace(fd, std::move(c));
    }
}

void EpollServer::drop(Loop& loop, Connection* c) {
    epoll_ctl(loop.epfd, EPOLL_CTL_DEL, c->fd, nullptr);
    close(c->fd);
    loop.connections.erase(c->fd); // frees c
}

bool EpollServer::on_readable(Loop& loop, Connection* c) {
    char buf[kReadChunk];
    ssize_t n = recv(c->fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) { // closed by the client (or reset)
        drop(loop, c);
        return false;
    }
    if (c->close_after) return true; // answering a bad request: the rest is ignored
    c->in.append(buf, static_cast<std::size_t>(n));
    take_requests(c);
    return flush(loop, c);
}

// Serves every whole request in the input buffer (HTTP/1.1 pipelining), appending the responses to the output.
bool EpollServer::take_requests(Connection* c) {
    c->held = false;
    while (!c->close_after) {
        std::string_view rest(c->in.data() + c->in_pos, c->in.size() - c->in_pos);
        std::size_t head_end = rest.find("\r\n\r\n");
        if (head_end == std::string_view::npos) {
            if (rest.size() <= kMaxHead) break;
            c->close_after = true;
            append_response(c->out, 431, "application/json",
                            error_body(431, "BadRequestError", "request headers over 64 KiB"), true);
            return false;
        }
        Head h;
        std::string bad;
        if (!parse_head(rest.substr(0, head_end), h)) bad = "malformed request line";
        if (h.chunked) bad = "chunked request bodies are not supported by the epoll engine (send Content-Length)";
        if (h.bad_length) bad = "malformed Content-Length";
        if (h.content_length > kMaxBody) bad = "request body over 64 MiB";
        if (!bad.empty()) {
            c->close_after = true;
            append_response(c->out, 400, "application/json", error_body(400, "BadRequestError", bad), true);
            return false;
        }
        if (rest.size() < head_end + 4 + h.content_length) break; // the body is still coming
        c->close_after = h.close;
        serve(c, h, rest.substr(head_end + 4, h.content_length));
        c->in_pos += head_end + 4 + h.content_length;
        if (c->out.size() - c->out_pos >= kSendAt) {
            c->held = c->in_pos < c->in.size();
            break;
        }
    }
    if (c->in_pos == c->in.size()) {
        c->in.clear();
        c->in_pos = 0;
    }
    return true;
}

void EpollServer::serve(Connection* c, const Head& h, std::string_view body) {
    const bool authorized = opt_.api_key.empty() || h.authorization == "Bearer " + opt_.api_key;
    const bool chat = h.path == "/v1/chat/completions";
    if (h.method == "POST" && (chat || h.path == "/v1/completions")) {
        {
            std::lock_guard<std::mutex> lock(stats_mu_);
            ++requests_;
            last_body_.assign(body);
        }
        if (!authorized)
            return append_response(c->out, 401, "application/json",
                                   error_body(401, "AuthenticationError", kUnauthorized), c->close_after);
        return completion(c, body, chat);
    }
    if (h.method == "GET" && h.path == "/v1/models") {
        if (!authorized)
            return append_response(c->out, 401, "application/json",
                                   error_body(401, "AuthenticationError", kUnauthorized), c->close_after);
        return append_response(c->out, 200, "application/json", models_body(opt_.model), c->close_after);
    }
    append_response(c->out, 404, "application/json",
                    error_body(404, "NotFoundError", "no route " + std::string(h.method) + " " + std::string(h.path)),
                    c->close_after);
}

void EpollServer::completion(Connection* c, std::string_view body, bool chat) {
    Plan p;
    if (std::string bad = parse_request(body, chat, p); !bad.empty())
        return append_response(c->out, 400, "application/json", error_body(400, "BadRequestError", bad),
                               c->close_after);
    if (!p.model.empty() && p.model != opt_.model)
        return append_response(c->out, 404, "application/json",
                               error_body(404, "NotFoundError", "The model `" + p.model + "` does not exist."),
                               c->close_after);
    {
        std::lock_guard<std::mutex> lock(stats_mu_);
        KeyCounts& k = keys_[key_id(p.key)];
        if (k.key.empty()) k.key = p.key;
        p.attempt = k.attempts++;
    }
    draw_answer(opt_, p);
    Answer a = make_answer(opt_, p.prompt, p.correct, p.length, p.chat);
    std::string id = (p.chat ? "chatcmpl-fake-" : "cmpl-fake-") + std::to_string(next_id_++);
    Frame frame{id, p.chat, opt_.model, static_cast<std::int64_t>(std::time(nullptr)), opt_.reasoning_field};
    if (p.stream)
        append_stream(c->out, frame.events(a, p.prompt_tokens, p.include_usage, Ending::complete), c->close_after);
    else
        append_response(c->out, 200, "application/json", frame.body(a, p.prompt_tokens), c->close_after);
    c->done_at.emplace_back(c->out.size(), key_id(p.key));
}

bool EpollServer::flush(Loop& loop, Connection* c) {
    while (c->out_pos < c->out.size()) {
        ssize_t n = send(c->fd, c->out.data() + c->out_pos, c->out.size() - c->out_pos, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) break;
        if (n < 0) {
            drop(loop, c);
            return false;
        }
        c->out_pos += static_cast<std::size_t>(n);
    }
    if (!c->done_at.empty() && c->done_at.front().first <= c->out_pos) {
        std::lock_guard<std::mutex> lock(stats_mu_);
        while (!c->done_at.empty() && c->done_at.front().first <= c->out_pos) {
            ++completed_;
            ++keys_[c->done_at.front().second].completions;
            c->done_at.pop_front();
        }
    }
    const bool pending = c->out_pos < c->out.size();
    if (!pending) {
        c->out.clear();
        c->out_pos = 0;
        if (c->close_after) {
            drop(loop, c);
            return false;
        }
        // Requests left unserved when the output filled up (kSendAt).
        if (c->held) {
            take_requests(c);
            return flush(loop, c);
        }
    }
    if (pending != c->watching_out) {
        epoll_event ev{};
        ev.events = EPOLLIN | (pending ? EPOLLOUT : 0u);
        ev.data.ptr = c;
        epoll_ctl(loop.epfd, EPOLL_CTL_MOD, c->fd, &ev);
        c->watching_out = pending;
    }
    return true;
}

} // namespace

std::unique_ptr<FakeServerEngine> make_epoll_engine(FakeOpenAIOptions options) {
    return std::make_unique<EpollServer>(std::move(options));
}

} // namespace qeval::testing
