// See transport.hpp. The event loop follows libcurl's "multi_socket" design (curl docs: libcurl-multi(3),
// CURLMOPT_SOCKETFUNCTION, CURLMOPT_TIMERFUNCTION; example ephiperfifo.c): curl tells us which sockets to watch and
// when to call it back; epoll waits; curl_multi_socket_action does the work for the ready socket only.
#include "runners/openai/transport.hpp"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstring>
#include <limits>
#include <memory>
#include <mutex>
#include <queue>
#include <random>

#include <curl/curl.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include "core/error.hpp"
#include "core/text.hpp"
#include "qeval/version.hpp"
#include "runners/openai/sse.hpp"

namespace qeval::runners {
namespace {

using Clock = std::chrono::steady_clock;
using openai::Endpoint;
using openai::global_init;
using openai::strip_slash;

const char* endpoint_path(Endpoint e) {
    return e == Endpoint::chat ? "/chat/completions" : "/completions";
}

// Let `need` connections fit under the open-file limit (the soft limit is often 1024).
void raise_fd_limit(rlim_t need) {
    rlimit lim{};
    if (getrlimit(RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur >= need) return;
    lim.rlim_cur = std::min(lim.rlim_max, std::max(need, lim.rlim_cur));
    setrlimit(RLIMIT_NOFILE, &lim);
}

bool ascii_iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

// Whether `text` contains `word`, ASCII case ignored.
bool contains_ci(std::string_view text, std::string_view word) {
    for (std::size_t i = 0; i + word.size() <= text.size(); ++i)
        if (ascii_iequals(text.substr(i, word.size()), word)) return true;
    return false;
}

std::string describe_curl(CURLcode code, const char* errbuf) {
    std::string s = curl_easy_strerror(code);
    if (errbuf && *errbuf) s += std::string(" (") + std::string(core::trim(errbuf)) + ")";
    return s;
}

// One try of one request on one connection.
struct Transfer {
    CURL* easy = nullptr;
    std::size_t index = 0;
    int server = 0;
    bool stream = false;    // asked for a stream
    bool as_stream = false; // the 200 response is an event stream (a server may answer JSON anyway)
    bool status_known = false;
    long status = 0;
    std::string body;        // non-stream body, or the error body of a non-200 answer
    std::string stop_reason; // why the write callback stopped the transfer
    bool stop_retryable = true;
    bool saw_done = false;
    std::string retry_after;
    core::ModelOutput out;
    SseReader sse;
    Clock::time_point started;
    Clock::time_point last_data;  // the last byte received (or the start): the idle clock
    std::chrono::seconds idle{0}; // this try is abandoned after this long without data
    bool active = false;          // in its shard's multi handle
    int url_server = -1;          // the server whose URL the easy handle holds
    bool idle_abort = false;      // abandoned by the idle check
    char errbuf[CURL_ERROR_SIZE] = {};
    struct Engine* engine = nullptr;
    struct Shard* shard = nullptr; // the multi handle it always runs in (its connections live there)

    void reset(std::size_t i, int srv, bool want_stream) {
        index = i;
        server = srv;
        stream = want_stream;
        as_stream = false;
        status_known = false;
        status = 0;
        body.clear();
        stop_reason.clear();
        stop_retryable = true;
        saw_done = false;
        retry_after.clear();
        out = core::ModelOutput{};
        sse.reset();
        errbuf[0] = '\0';
        started = Clock::now();
        last_data = started;
        idle_abort = false;
    }
};

struct Server {
    std::string url;         // <base>/chat/completions
    CURLU* parsed = nullptr; // the URL parsed once (CURLOPT_CURLU) instead of by every transfer; null: curl refused it
    int in_flight = 0;
    int refusals = 0; // consecutive connection failures
    Clock::time_point down_until{};
};

// One libcurl multi handle with its share of the connections. To reuse a connection libcurl walks every connection
// it holds to that host (7.88, ConnectionExists), so one multi handle for all of them costs CPU per request that
// grows with the concurrency (measured on loopback, the whole `qeval run`: 46 us of CPU per request at 64
// connections, 55 at 256, 88 at 1024; with shards of 16: 39, 43, 56). Transfers are spread over shards of at most
// kShardConnections; the shards share the epoll set and the loop.
constexpr int kShardConnections = 16;

struct Shard {
    struct Engine* engine = nullptr;
    std::uint32_t id = 0;
    CURLM* multi = nullptr;
    std::optional<Clock::time_point> deadline; // curl's timer for this multi handle
};

// The epoll tag of a socket: which shard's multi handle it belongs to, and the descriptor.
std::uint64_t socket_tag(const Shard& shard, curl_socket_t fd) {
    return (static_cast<std::uint64_t>(shard.id) << 32) | static_cast<std::uint32_t>(fd);
}

struct Slot {
    std::string body; // the request body, built on first admission, kept for retries
    int attempts = 0;
    int last_server = -1;
};

struct Engine {
    const OpenAISettings& s;
    const std::vector<GenerateRequest>& requests;
    const OnResult& on_result;
    curl_slist* headers_json = nullptr;
    curl_slist* headers_stream = nullptr;
    std::vector<std::unique_ptr<Shard>> shards;
    int epfd = -1;
    std::vector<Server> servers;
    std::vector<Slot> slots;
    std::vector<std::unique_ptr<Transfer>> all_transfers;
    std::vector<Transfer*> free_transfers;
    using Due = std::pair<Clock::time_point, std::size_t>;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> retries;
    std::size_t next_fresh = 0, finished = 0;
    int in_flight = 0;
    Clock::time_point next_idle_check{};
    Clock::time_point last_answer = Clock::now(); // the last time any server answered anything
    std::string last_transport_error;
    std::mt19937_64 rng{std::random_device{}()};

    Engine(const OpenAISettings& settings, const std::string& api_key, const std::vector<GenerateRequest>& reqs,
           const OnResult& cb)
        : s(settings), requests(reqs), on_result(cb), slots(reqs.size()) {
        global_init();
        for (const auto& base : s.base_urls)
            servers.push_back({strip_slash(base) + endpoint_path(s.endpoint)});
        for (auto& sv : servers) {
            sv.parsed = curl_url();
            QEVAL_CHECK(sv.parsed, ErrorCode::runtime, "curl_url failed");
            if (curl_url_set(sv.parsed, CURLUPART_URL, sv.url.c_str(), 0) != CURLUE_OK) { // fails each transfer
                curl_url_cleanup(sv.parsed);
                sv.parsed = nullptr;
            }
        }
        // "Expect:" off: curl would otherwise wait for a 100-continue on bodies over 1 KiB.
        for (auto* list : {&headers_json, &headers_stream}) {
            *list = curl_slist_append(*list, "Content-Type: application/json");
            *list = curl_slist_append(*list, "Expect:");
            if (!api_key.empty()) *list = curl_slist_append(*list, ("Authorization: Bearer " + api_key).c_str());
        }
        // The User-Agent in the list: curl would otherwise format it into a header anew for every request.
        const std::string agent = std::string("User-Agent: qeval/") + kVersion;
        headers_json = curl_slist_append(headers_json, agent.c_str());
        headers_stream = curl_slist_append(headers_stream, agent.c_str());
        headers_json = curl_slist_append(headers_json, "Accept: application/json");
        headers_stream = curl_slist_append(headers_stream, "Accept: text/event-stream");
        raise_fd_limit(static_cast<rlim_t>(s.concurrency) * 2 + 256);
        epfd = epoll_create1(EPOLL_CLOEXEC);
        QEVAL_CHECK(epfd >= 0, ErrorCode::runtime, std::string("epoll_create1: ") + std::strerror(errno));
        // Transfers go to shards in turn as they are created, and there are never more than `concurrency` of them.
        const int count = (s.concurrency + kShardConnections - 1) / kShardConnections;
        const long per_shard = (s.concurrency + count - 1) / count;
        for (int i = 0; i < count; ++i) {
            auto shard = std::make_unique<Shard>();
            shard->engine = this;
            shard->id = static_cast<std::uint32_t>(i);
            CURLM* multi = shard->multi = curl_multi_init();
            QEVAL_CHECK(multi, ErrorCode::runtime, "curl_multi_init failed");
            curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, &Engine::on_socket);
            curl_multi_setopt(multi, CURLMOPT_SOCKETDATA, shard.get());
            curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, &Engine::on_timer);
            curl_multi_setopt(multi, CURLMOPT_TIMERDATA, shard.get());
            curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, per_shard + static_cast<long>(servers.size()));
            curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, per_shard);
            shards.push_back(std::move(shard));
        }
    }

    ~Engine() {
        for (auto& t : all_transfers) {
            if (t->easy) {
                curl_multi_remove_handle(t->shard->multi, t->easy);
                curl_easy_cleanup(t->easy);
            }
        }
        for (auto& shard : shards)
            curl_multi_cleanup(shard->multi);
        if (epfd >= 0) close(epfd);
        curl_slist_free_all(headers_json);
        curl_slist_free_all(headers_stream);
        for (auto& sv : servers)
            curl_url_cleanup(sv.parsed);
    }

    // ---- curl callbacks -----------------------------------------------------------------------------------------

    // The epoll registration of each descriptor is kept when libcurl stops watching it (CURL_POLL_REMOVE: a
    // transfer finished and its connection went back to the cache) and updated only when what is watched changes:
    // a reused connection then costs no epoll_ctl at all instead of a delete and an add. A descriptor left
    // registered but unwatched that reports an event (the server closed an idle connection) is deleted then.
    // libcurl closes its sockets through on_close, which forgets the registration (the kernel drops it on close).
    struct Watch {
        std::uint64_t tag = 0;    // the epoll tag it is registered with
        std::uint32_t events = 0; // the events it is registered for
        bool registered = false;  // in the epoll set
        bool watched = false;     // libcurl wants events for it
    };
    std::vector<Watch> watches; // by descriptor

    Watch& watch(curl_socket_t fd) {
        if (static_cast<std::size_t>(fd) >= watches.size()) watches.resize(static_cast<std::size_t>(fd) + 64);
        return watches[static_cast<std::size_t>(fd)];
    }

    void unregister(curl_socket_t fd, bool closing) {
        Watch& w = watch(fd);
        if (w.registered && !closing) epoll_ctl(epfd, EPOLL_CTL_DEL, fd, nullptr); // closing drops it anyway
        w = Watch{};
    }

    static int on_socket(CURL*, curl_socket_t fd, int what, void* userp, void*) {
        auto* shard = static_cast<Shard*>(userp);
        Engine* e = shard->engine;
        Watch& w = e->watch(fd);
        if (what == CURL_POLL_REMOVE) {
            w.watched = false;
            return 0;
        }
        epoll_event ev{};
        ev.data.u64 = socket_tag(*shard, fd);
        if (what & CURL_POLL_IN) ev.events |= EPOLLIN;
        if (what & CURL_POLL_OUT) ev.events |= EPOLLOUT;
        w.watched = true;
        if (w.registered && w.events == ev.events && w.tag == ev.data.u64) return 0;
        if (w.registered) {
            epoll_ctl(e->epfd, EPOLL_CTL_MOD, fd, &ev);
        } else if (epoll_ctl(e->epfd, EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) {
            epoll_ctl(e->epfd, EPOLL_CTL_MOD, fd, &ev);
        }
        w.registered = true;
        w.events = ev.events;
        w.tag = ev.data.u64;
        return 0;
    }

    static int on_close(void* userp, curl_socket_t fd) {
        static_cast<Engine*>(userp)->unregister(fd, true);
        return close(fd);
    }

    static int on_timer(CURLM*, long timeout_ms, void* userp) {
        auto* shard = static_cast<Shard*>(userp);
        if (timeout_ms < 0)
            shard->deadline.reset();
        else
            shard->deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
        return 0;
    }

    // Of the response headers only Retry-After is kept (the Content-Type is asked of curl when the body starts). A
    // status line starts a new response (after a 1xx) and is data for the idle clock.
    static size_t on_header(char* data, size_t size, size_t n, void* userp) {
        auto* t = static_cast<Transfer*>(userp);
        std::string_view line(data, size * n);
        constexpr std::string_view kRetryAfter = "retry-after:";
        if (line.rfind("HTTP/", 0) == 0) {
            t->last_data = Clock::now();
            t->retry_after.clear();
        } else if (line.size() > kRetryAfter.size() && ascii_iequals(line.substr(0, kRetryAfter.size()), kRetryAfter)) {
            t->retry_after = core::trim(line.substr(kRetryAfter.size()));
        }
        return size * n;
    }

    static size_t on_write(char* data, size_t size, size_t n, void* userp) {
        auto* t = static_cast<Transfer*>(userp);
        t->last_data = Clock::now();
        const std::size_t bytes = size * n;
        if (!t->status_known) {
            curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
            t->status_known = true;
            // A stream, by its Content-Type, or by its first bytes when a server labels it otherwise (not as JSON).
            if (t->stream && t->status == 200) {
                const char* type = nullptr;
                curl_easy_getinfo(t->easy, CURLINFO_CONTENT_TYPE, &type);
                const std::string_view content_type = type ? type : "", first(data, bytes);
                t->as_stream =
                    contains_ci(content_type, "text/event-stream") ||
                    (!contains_ci(content_type, "json") && (first.rfind("data:", 0) == 0 || first.rfind(":", 0) == 0));
            }
        }
        if (t->as_stream) {
            const Endpoint ep = t->engine->s.endpoint;
            bool go_on = t->sse.feed(std::string_view(data, bytes), [t, ep](std::string_view event) {
                switch (openai::apply_stream_event(event, ep, t->out, t->stop_reason)) {
                case openai::EventStatus::ok:
                    return true;
                case openai::EventStatus::done:
                    t->saw_done = true;
                    return true;
                case openai::EventStatus::error:
                    return false;
                }
                return false;
            });
            if (go_on) return bytes;
            if (t->sse.overflow()) {
                t->stop_reason = "a stream event over the size limit";
                t->stop_retryable = false;
            }
            return 0; // stops the transfer: CURLE_WRITE_ERROR, with stop_reason saying why
        }
        const std::size_t cap = t->status == 200 ? t->engine->s.max_response_bytes : std::size_t{64} << 10;
        if (t->body.size() + bytes > cap) {
            if (t->status != 200) return bytes; // an error body: keep its start, drop the rest
            t->stop_reason = "response larger than " + std::to_string(cap >> 20) + " MiB";
            t->stop_retryable = false;
            return 0;
        }
        t->body.append(data, bytes);
        return bytes;
    }

    // ---- admission ----------------------------------------------------------------------------------------------

    // The least busy server that is up; -1 when all are down. Avoids `avoid` (where the last try failed) if it can.
    int pick_server(Clock::time_point now, int avoid) const {
        int best = -1;
        for (int i = 0; i < static_cast<int>(servers.size()); ++i) {
            const Server& sv = servers[static_cast<std::size_t>(i)];
            if (sv.down_until > now) continue;
            if (best < 0) {
                best = i;
                continue;
            }
            const Server& b = servers[static_cast<std::size_t>(best)];
            bool better =
                (i != avoid && best == avoid) || ((i == avoid) == (best == avoid) && sv.in_flight < b.in_flight);
            if (better) best = i;
        }
        return best;
    }

    Clock::time_point earliest_up() const {
        auto t = Clock::time_point::max();
        for (const auto& sv : servers)
            t = std::min(t, sv.down_until);
        return t;
    }

    Transfer* acquire() {
        if (!free_transfers.empty()) {
            Transfer* t = free_transfers.back();
            free_transfers.pop_back();
            return t;
        }
        auto t = std::make_unique<Transfer>();
        t->engine = this;
        t->shard = shards[all_transfers.size() % shards.size()].get();
        t->easy = curl_easy_init();
        QEVAL_CHECK(t->easy, ErrorCode::runtime, "curl_easy_init failed");
        CURL* c = t->easy;
        curl_easy_setopt(c, CURLOPT_PRIVATE, t.get());
        curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Engine::on_write);
        curl_easy_setopt(c, CURLOPT_WRITEDATA, t.get());
        curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &Engine::on_header);
        curl_easy_setopt(c, CURLOPT_HEADERDATA, t.get());
        curl_easy_setopt(c, CURLOPT_ERRORBUFFER, t->errbuf);
        curl_easy_setopt(c, CURLOPT_CLOSESOCKETFUNCTION, &Engine::on_close);
        curl_easy_setopt(c, CURLOPT_CLOSESOCKETDATA, this);
        curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, s.connect_timeout_s);
        curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
        curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
        all_transfers.push_back(std::move(t));
        return all_transfers.back().get();
    }

    void start(std::size_t index, int server) {
        const GenerateRequest& req = requests[index];
        Slot& slot = slots[index];
        const bool stream = req.config.stream;
        if (slot.body.empty())
            slot.body = openai::request_body(req, {s.endpoint, s.model, stream, s.stream_usage, s.extra_body});
        Transfer* t = acquire();
        t->reset(index, server, stream);
        t->idle = std::chrono::seconds(s.idle_timeout_s > 0 ? s.idle_timeout_s : (stream ? 120 : 1800));
        CURL* c = t->easy;
        if (t->url_server != server) { // the URL stays set while the transfer object goes to the same server
            const Server& sv = servers[static_cast<std::size_t>(server)];
            curl_easy_setopt(c, CURLOPT_CURLU, sv.parsed);
            curl_easy_setopt(c, CURLOPT_URL, sv.parsed ? nullptr : sv.url.c_str()); // null: the URL comes from CURLU
            t->url_server = server;
        }
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, slot.body.data());
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(slot.body.size()));
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, stream ? headers_stream : headers_json);
        CURLMcode rc = curl_multi_add_handle(t->shard->multi, c);
        QEVAL_CHECK(rc == CURLM_OK, ErrorCode::runtime,
                    std::string("curl_multi_add_handle: ") + curl_multi_strerror(rc));
        t->active = true;
        ++slot.attempts;
        ++in_flight;
        ++servers[static_cast<std::size_t>(server)].in_flight;
    }

    void admit(Clock::time_point now) {
        while (in_flight < s.concurrency) {
            std::size_t index;
            if (!retries.empty() && retries.top().first <= now) {
                index = retries.top().second;
                retries.pop();
            } else if (next_fresh < requests.size()) {
                index = next_fresh++;
            } else {
                return;
            }
            int server = pick_server(now, slots[index].last_server);
            if (server < 0) { // every server is down: wait for the first to come back
                retries.push({earliest_up(), index});
                return;
            }
            start(index, server);
        }
    }

    // ---- completion ---------------------------------------------------------------------------------------------

    void deliver(std::size_t index, core::ModelOutput out) {
        Slot& slot = slots[index];
        out.attempts = slot.attempts;
        slot.body.clear();
        slot.body.shrink_to_fit();
        ++finished;
        on_result(requests[index], std::move(out));
    }

    void fail(std::size_t index, std::string reason) {
        core::ModelOutput out;
        out.error = std::move(reason);
        deliver(index, std::move(out));
    }

    void retry_or_fail(std::size_t index, int server, const std::string& reason, const std::string& retry_after) {
        Slot& slot = slots[index];
        slot.last_server = server;
        if (slot.attempts >= s.max_attempts) {
            fail(index, reason + " (gave up after " + std::to_string(slot.attempts) + " attempts)");
            return;
        }
        std::optional<std::chrono::seconds> after;
        if (!retry_after.empty()) after = core::net::parse_retry_after(retry_after);
        auto delay = core::net::backoff_delay(s.backoff, slot.attempts, after, rng);
        retries.push({Clock::now() + delay, index});
    }

    void mark_refused(int server) {
        Server& sv = servers[static_cast<std::size_t>(server)];
        ++sv.refusals;
        auto pause = std::chrono::milliseconds(std::min<long long>(30000, 500LL << std::min(sv.refusals - 1, 6)));
        sv.down_until = Clock::now() + pause;
    }

    void complete(Transfer* t, CURLcode code) {
        curl_multi_remove_handle(t->shard->multi, t->easy);
        t->active = false;
        --in_flight;
        Server& sv = servers[static_cast<std::size_t>(t->server)];
        --sv.in_flight;
        const std::size_t index = t->index;
        const int server = t->server;
        free_transfers.push_back(t); // reusable from here on; read what is needed first
        if (!t->status_known) curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
        const double latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - t->started).count();

        if (t->status > 0) {
            last_answer = Clock::now();
            sv.refusals = 0;
        }
        auto where = [&sv] { return " from " + sv.url; }; // for the reasons of failures only
        // The write callback stopped it: an error event, a malformed chunk, an oversized response.
        if (code == CURLE_WRITE_ERROR && !t->stop_reason.empty()) {
            if (t->stop_retryable)
                retry_or_fail(index, server, t->stop_reason + where(), "");
            else
                fail(index, t->stop_reason + where());
            return;
        }
        if (code != CURLE_OK) {
            if (t->as_stream && !t->out.finish_reason.empty()) { // cut after the last token: the answer is whole
                t->out.latency_ms = latency_ms;
                deliver(index, std::move(t->out));
                return;
            }
            std::string reason = describe_curl(code, t->errbuf);
            if (t->as_stream) reason = "stream broken (" + reason + ")";
            if (t->idle_abort)
                reason = (t->as_stream ? "stream broken: " : "") + std::string("no data for ") +
                         std::to_string(t->idle.count()) + " s (idle timeout)";
            last_transport_error = reason + where();
            if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST) mark_refused(server);
            if (core::net::retryable_transport(code))
                retry_or_fail(index, server, reason + where(), "");
            else
                fail(index, reason + where());
            return;
        }
        if (t->status == 200) {
            if (t->as_stream) {
                if (t->out.finish_reason.empty()) {
                    retry_or_fail(index, server,
                                  std::string("stream ended without a finish reason") +
                                      (t->sse.mid_event() ? " (cut mid-event)" : "") + where(),
                                  "");
                    return;
                }
            } else {
                std::string error;
                if (!openai::parse_response(t->body, s.endpoint, t->out, error)) {
                    retry_or_fail(index, server, error + where(), "");
                    return;
                }
            }
            t->out.latency_ms = latency_ms;
            deliver(index, std::move(t->out));
            return;
        }
        std::string reason = "HTTP " + std::to_string(t->status) + where() + ": " + openai::server_message(t->body);
        if (core::net::retryable_status(t->status))
            retry_or_fail(index, server, reason, t->retry_after);
        else
            fail(index, reason);
    }

    void drain_messages() {
        int left = 0;
        for (auto& shard : shards)
            while (CURLMsg* m = curl_multi_info_read(shard->multi, &left)) {
                if (m->msg != CURLMSG_DONE) continue;
                Transfer* t = nullptr;
                curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &t);
                CURLcode code = m->data.result;
                complete(t, code);
            }
    }

    // ---- the loop -----------------------------------------------------------------------------------------------

    void socket_action(Shard& shard, curl_socket_t fd, int flags) {
        int running = 0;
        CURLMcode rc = curl_multi_socket_action(shard.multi, fd, flags, &running);
        QEVAL_CHECK(rc == CURLM_OK, ErrorCode::runtime,
                    std::string("curl_multi_socket_action: ") + curl_multi_strerror(rc));
    }

    // curl's timers that are due: the transfers of those multi handles go on (new ones connect or send).
    void run_due_timers(Clock::time_point now) {
        for (auto& shard : shards)
            if (shard->deadline && *shard->deadline <= now) {
                shard->deadline.reset();
                socket_action(*shard, CURL_SOCKET_TIMEOUT, 0);
            }
    }

    // Tries without a byte for their idle timeout are abandoned (and retried). libcurl's own low-speed check
    // (CURLOPT_LOW_SPEED_TIME) averages over a window and fires seconds late; this is exact to the check interval.
    void check_idle(Clock::time_point now) {
        if (now < next_idle_check) return;
        next_idle_check = now + std::chrono::milliseconds(200);
        for (auto& t : all_transfers)
            if (t->active && now - t->last_data >= t->idle) {
                t->idle_abort = true;
                complete(t.get(), CURLE_OPERATION_TIMEDOUT);
            }
    }

    void check_reachable(Clock::time_point now) {
        bool all_down = std::all_of(servers.begin(), servers.end(), [&](const Server& sv) { return sv.refusals > 0; });
        if (!all_down || now - last_answer < std::chrono::seconds(s.unreachable_timeout_s)) return;
        throw_error(ErrorCode::network, "no endpoint answered for " + std::to_string(s.unreachable_timeout_s) +
                                            " s (last error: " + last_transport_error +
                                            "); responses stored so far are kept: run the same command to resume");
    }

    void run() {
        std::vector<epoll_event> events(256);
        while (finished < requests.size()) {
            auto now = Clock::now();
            admit(now);
            now = Clock::now(); // admitting sets curl's timer (often to "now"): measure the wait from here
            // New transfers go out now, not after an epoll_wait that cannot block; a quick server may even have
            // answered them already (curl reads what is there after sending): then the wait below only looks.
            run_due_timers(now);
            const std::size_t before = finished;
            drain_messages();
            if (finished == requests.size()) break;
            auto wake = now + std::chrono::milliseconds(in_flight > 0 ? 200 : 1000);
            for (const auto& shard : shards)
                if (shard->deadline) wake = std::min(wake, *shard->deadline);
            if (!retries.empty()) wake = std::min(wake, retries.top().first);
            long timeout_ms =
                std::max<long>(0, static_cast<long>(std::chrono::ceil<std::chrono::milliseconds>(wake - now).count()));
            if (finished != before) timeout_ms = 0; // slots were freed: admit again without sleeping
            int n = epoll_wait(epfd, events.data(), static_cast<int>(events.size()), static_cast<int>(timeout_ms));
            QEVAL_CHECK(n >= 0 || errno == EINTR, ErrorCode::runtime,
                        std::string("epoll_wait: ") + std::strerror(errno));
            for (int i = 0; i < n; ++i) {
                const epoll_event& ev = events[static_cast<std::size_t>(i)];
                const auto fd = static_cast<curl_socket_t>(ev.data.u64 & 0xffffffffU);
                if (!watch(fd).watched) { // an idle connection kept registered: stop its events
                    unregister(fd, false);
                    continue;
                }
                int flags = 0;
                if (ev.events & EPOLLIN) flags |= CURL_CSELECT_IN;
                if (ev.events & EPOLLOUT) flags |= CURL_CSELECT_OUT;
                if (ev.events & (EPOLLERR | EPOLLHUP)) flags |= CURL_CSELECT_ERR;
                socket_action(*shards[static_cast<std::size_t>(ev.data.u64 >> 32)], fd, flags);
            }
            now = Clock::now();
            run_due_timers(now);
            drain_messages();
            check_idle(now);
            check_reachable(now);
        }
    }
};
} // namespace

namespace openai {

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string strip_slash(std::string url) {
    while (!url.empty() && url.back() == '/')
        url.pop_back();
    return url;
}

void run_requests(const OpenAISettings& settings, const std::string& api_key,
                  const std::vector<GenerateRequest>& requests, const OnResult& on_result) {
    if (requests.empty()) return;
    Engine engine(settings, api_key, requests, on_result);
    engine.run();
}

long http_get(const std::string& url, const std::string& api_key, long timeout_s, std::string& body,
              std::string& error) {
    CURL* c = curl_easy_init();
    QEVAL_CHECK(c, ErrorCode::runtime, "curl_easy_init failed");
    curl_slist* headers = nullptr;
    if (!api_key.empty()) headers = curl_slist_append(headers, ("Authorization: Bearer " + api_key).c_str());
    char errbuf[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(
        c, CURLOPT_WRITEFUNCTION, +[](char* d, size_t sz, size_t n, void* u) {
            auto* b = static_cast<std::string*>(u);
            if (b->size() < (std::size_t{16} << 20)) b->append(d, sz * n);
            return sz * n;
        });
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    CURLcode code = curl_easy_perform(c);
    long status = 0;
    if (code == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    else
        error = describe_curl(code, errbuf);
    curl_slist_free_all(headers);
    curl_easy_cleanup(c);
    return status;
}

} // namespace openai
} // namespace qeval::runners
