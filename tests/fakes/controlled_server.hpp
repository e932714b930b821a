// An httplib::Server (cpp-httplib 0.11.4) whose connections the fakes control. It runs each connection's keep-alive
// loop itself instead of httplib's (which busy-polls idle connections and notices stop() only between requests), so
// that a handler can reset its connection with no response byte sent (abort_connection: SO_LINGER 0, then close, so
// the client gets an RST), notice that its client went away (peer_closed), and that begin_stop() ends idle
// connections within ~50 ms. Writes are buffered per connection and sent once per response (or at flush()), so a
// small response is one send().
#pragma once

#include <httplib.h>

#include <atomic>
#include <cstddef>

namespace qeval::testing {

class ControlledServer : public httplib::Server {
public:
    ControlledServer() = default;

    // `threads` workers, one per open connection. When all are busy and connections wait for one, a connection
    // closes after its current response ("Connection: close") or when idle, so that waiting ones get served.
    void set_threads(std::size_t threads);
    bool crowded() const { return waiting_ > 0 && busy_ >= threads_; }

    // After bind: httplib 0.11.4 listens with a backlog of 5, so a burst of connects overflows the accept queue and
    // the dropped SYNs come back after 1, 3, 7... s of retransmission. Linux lets listen() be called again to widen it.
    bool widen_backlog(int backlog);

    // Connections end at their next poll (within ~50 ms), hung waits should check stopping(); then call stop().
    void begin_stop() { stopping_ = true; }
    bool stopping() const { return stopping_; }

    // From a handler or content provider, about the connection it runs on:
    static void abort_connection(); // nothing more is sent; the connection is reset when the handler returns
    static bool peer_closed();      // the client closed or reset its end
    static bool flush();            // sends what is buffered; false when the connection is broken

private:
    bool process_and_close_socket(socket_t sock) override;

    std::atomic<bool> stopping_{false};
    std::atomic<int> waiting_{0}; // accepted connections no worker has taken yet
    std::atomic<int> busy_{0};    // connections being served
    int threads_ = 1;
};

} // namespace qeval::testing
