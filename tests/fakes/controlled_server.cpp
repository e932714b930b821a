// The connection loop of ControlledServer (see controlled_server.hpp): a buffered httplib::Stream over the accepted
// socket, the keep-alive loop (poll in 50 ms slices so a stop is noticed), and the abortive close behind a reset.
#include "tests/fakes/controlled_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

namespace qeval::testing {
namespace {

constexpr int kSliceMs = 50;            // how often waits look at the stop flag
constexpr std::size_t kFlushAt = 16384; // buffered bytes that force a send
constexpr std::size_t kReadBuf = 16384;

void describe(const sockaddr_storage& addr, std::string& ip, int& port) {
    char text[INET6_ADDRSTRLEN] = {};
    if (addr.ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(&addr);
        inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
        port = ntohs(a->sin_port);
    } else if (addr.ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(&addr);
        inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
        port = ntohs(a->sin6_port);
    }
    ip = text;
}

class Connection : public httplib::Stream {
public:
    Connection(int fd, const ControlledServer& server, int read_timeout_ms, int write_timeout_ms)
        : fd_(fd), server_(server), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {
        sockaddr_storage addr{};
        socklen_t len = sizeof addr;
        if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) describe(addr, remote_ip_, remote_port_);
        len = sizeof addr;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) describe(addr, local_ip_, local_port_);
        in_.resize(kReadBuf);
    }

    bool is_readable() const override { return in_pos_ < in_len_ || poll_for(POLLIN, read_timeout_ms_) > 0; }
    bool is_writable() const override { return !aborted_ && !broken_ && poll_for(POLLOUT, write_timeout_ms_) > 0; }

    ssize_t read(char* ptr, size_t size) override {
        if (in_pos_ == in_len_) {
            if (!flush() || !wait_input(read_timeout_ms_, false)) return -1;
            ssize_t n;
            do
                n = ::recv(fd_, in_.data(), in_.size(), 0);
            while (n < 0 && errno == EINTR);
            if (n <= 0) return n;
            in_pos_ = 0;
            in_len_ = static_cast<std::size_t>(n);
        }
        std::size_t n = std::min(size, in_len_ - in_pos_);
        std::memcpy(ptr, in_.data() + in_pos_, n);
        in_pos_ += n;
        return static_cast<ssize_t>(n);
    }

    ssize_t write(const char* ptr, size_t size) override {
        if (aborted_ || broken_) return -1;
        out_.append(ptr, size);
        if (out_.size() >= kFlushAt && !flush()) return -1;
        return static_cast<ssize_t>(size);
    }

    void get_remote_ip_and_port(std::string& ip, int& port) const override {
        ip = remote_ip_;
        port = remote_port_;
    }
    void get_local_ip_and_port(std::string& ip, int& port) const override {
        ip = local_ip_;
        port = local_port_;
    }
    socket_t socket() const override { return fd_; }

    bool flush() {
        std::size_t sent = 0;
        while (!broken_ && !aborted_ && sent < out_.size()) {
            ssize_t n = ::send(fd_, out_.data() + sent, out_.size() - sent, MSG_NOSIGNAL);
            if (n < 0 && errno == EINTR) continue;
            if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && poll_for(POLLOUT, write_timeout_ms_) > 0)
                continue;
            if (n <= 0)
                broken_ = true;
            else
                sent += static_cast<std::size_t>(n);
        }
        out_.clear();
        return !broken_ && !aborted_;
    }

    // Input (or EOF) is waiting within timeout_ms; false on timeout or stop, and with `give_way` when connections
    // wait for a worker.
    bool wait_input(int timeout_ms, bool give_way) const {
        if (in_pos_ < in_len_) return true;
        auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
        while (!server_.stopping()) {
            int r = poll_for(POLLIN, kSliceMs);
            if (r != 0) return r > 0;
            if (std::chrono::steady_clock::now() >= deadline || (give_way && server_.crowded())) return false;
        }
        return false;
    }

    bool peer_closed() const {
        pollfd p{fd_, POLLIN | POLLRDHUP, 0};
        if (::poll(&p, 1, 0) <= 0) return false;
        return (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) != 0;
    }

    void abort() { aborted_ = true; }
    bool aborted() const { return aborted_; }

private:
    int poll_for(short events, int timeout_ms) const {
        pollfd p{fd_, events, 0};
        int r;
        do
            r = ::poll(&p, 1, timeout_ms);
        while (r < 0 && errno == EINTR);
        if (r > 0 && (p.revents & (POLLERR | POLLNVAL)) && !(p.revents & events)) return -1;
        return r;
    }

    int fd_;
    const ControlledServer& server_;
    int read_timeout_ms_, write_timeout_ms_;
    std::string remote_ip_, local_ip_;
    int remote_port_ = -1, local_port_ = -1;
    std::string in_;
    std::size_t in_pos_ = 0, in_len_ = 0;
    std::string out_;
    bool aborted_ = false, broken_ = false;
};

thread_local Connection* tl_connection = nullptr;

// httplib's pool, counting the connections that wait for a worker.
class CountingPool : public httplib::ThreadPool {
public:
    CountingPool(std::size_t threads, std::atomic<int>& waiting) : httplib::ThreadPool(threads), waiting_(waiting) {}
    void enqueue(std::function<void()> fn) override {
        ++waiting_;
        httplib::ThreadPool::enqueue([this, fn = std::move(fn)] {
            --waiting_;
            fn();
        });
    }

private:
    std::atomic<int>& waiting_;
};

} // namespace

void ControlledServer::abort_connection() {
    if (tl_connection) tl_connection->abort();
}

bool ControlledServer::peer_closed() {
    return tl_connection && tl_connection->peer_closed();
}

bool ControlledServer::flush() {
    return tl_connection && tl_connection->flush();
}

void ControlledServer::set_threads(std::size_t threads) {
    threads_ = static_cast<int>(threads);
    new_task_queue = [this, threads] { return new CountingPool(threads, waiting_); };
}

bool ControlledServer::widen_backlog(int backlog) {
    return ::listen(svr_sock_, backlog) == 0;
}

bool ControlledServer::process_and_close_socket(socket_t sock) {
    int one = 1;
    setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto ms = [](time_t sec, time_t usec) { return static_cast<int>(sec * 1000 + usec / 1000); };
    Connection conn(sock, *this, ms(read_timeout_sec_, read_timeout_usec_),
                    ms(write_timeout_sec_, write_timeout_usec_));
    tl_connection = &conn;
    ++busy_;
    bool ok = false;
    for (std::size_t left = keep_alive_max_count_; left > 0 && !stopping_; --left) {
        bool first = left == keep_alive_max_count_; // a new connection is served at least once
        if (!conn.wait_input(static_cast<int>(keep_alive_timeout_sec_ * 1000), !first)) break;
        bool closed = false;
        ok = process_request(conn, left == 1 || crowded(), closed, nullptr);
        if (conn.aborted() || !conn.flush() || !ok || closed) break;
    }
    --busy_;
    tl_connection = nullptr;
    if (conn.aborted()) { // RST instead of FIN: the client sees "connection reset by peer"
        linger hard{1, 0};
        setsockopt(sock, SOL_SOCKET, SO_LINGER, &hard, sizeof hard);
    } else {
        conn.flush();
        ::shutdown(sock, SHUT_WR);
    }
    ::close(sock);
    return ok;
}

} // namespace qeval::testing
