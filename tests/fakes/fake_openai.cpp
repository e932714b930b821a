// The fake OpenAI server (see fake_openai.hpp): its public face, and the cpp-httplib engine with the fault draw per
// attempt and the responses of each fault (validation and the answer draws are fake_openai_wire's). Shapes follow
// vLLM's OpenAI server (vllm/entrypoints/openai/serving_chat.py chat_completion_stream_generator and protocol.py, as of
// 2025): a first chunk with delta {role: "assistant", content: ""}, one chunk per delta, a finish chunk carrying
// finish_reason and stop_reason, with stream_options.include_usage a last chunk with "choices": [] and usage, then
// "data: [DONE]"; an error raised while streaming becomes a `data: {"error": {...}}` event followed by "data: [DONE]".
// Error objects are protocol.py's ErrorResponse: {"error": {"message", "type", "param", "code": the HTTP status}}.
#include "tests/fakes/fake_openai.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <mutex>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/hash.hpp"
#include "tests/fakes/controlled_server.hpp"
#include "tests/fakes/fake_openai_engine.hpp"
#include "tests/fakes/fake_openai_wire.hpp"

namespace qeval::testing {

using Json = nlohmann::json;
using namespace std::chrono_literals;

constexpr int kBacklog = 4096; // pending connects (capped by net.core.somaxconn)

namespace {

// The cpp-httplib engine: a worker thread per connection (ControlledServer), every fault.
struct HttplibServer : FakeServerEngine {
    explicit HttplibServer(FakeOpenAIOptions options);
    ~HttplibServer() override { stop(); }
    void stop() override;
    int port() const override { return port_; }
    const FakeOpenAIOptions& options() const override { return opt; }
    FakeOpenAI::Stats stats() const override;
    std::string last_request() const override;

    void serve(const httplib::Request& q, httplib::Response& r, bool chat);
    void draw(Plan& p);
    bool pause(std::chrono::microseconds d, bool watch_peer);
    void respond(const Plan& p, httplib::Response& r);
    void send_body(httplib::Response& r, std::string body, const std::string& key, bool cut);
    bool write_body(const std::string& body, std::size_t offset, const std::string& key, bool cut,
                    httplib::DataSink& sink);
    void send_events(httplib::Response& r, std::vector<std::string> events, const std::string& key, Ending ending);
    bool write_events(const std::vector<std::string>& events, const std::string& key, Ending ending,
                      httplib::DataSink& sink);
    void completed(const std::string& key, int n);

    FakeOpenAIOptions opt;
    ControlledServer server;
    std::thread thread;
    std::atomic<bool> listening_done{false};
    std::atomic<bool> stopped{false};
    int port_ = 0;
    std::atomic<std::uint64_t> next_id{0};
    std::mutex wait_mu;
    std::condition_variable wait_cv;
    mutable std::mutex stats_mu;
    FakeOpenAI::Stats stats_;
    std::string last_body;
};

HttplibServer::HttplibServer(FakeOpenAIOptions options) : opt(std::move(options)) {
    QEVAL_CHECK(opt.threads >= 1, ErrorCode::usage, "fake_openai: threads must be >= 1");
    QEVAL_CHECK(opt.content_chunks >= 1 && opt.reasoning_chunks >= 0, ErrorCode::usage,
                "fake_openai: content_chunks must be >= 1 and reasoning_chunks >= 0");
    QEVAL_CHECK(!opt.reasoning_field.empty(), ErrorCode::usage, "fake_openai: reasoning_field is empty");
    double total = 0;
    for (const auto& [fault, rate] : opt.fault_rate) {
        QEVAL_CHECK(rate >= 0 && rate <= 1, ErrorCode::usage,
                    "fake_openai: fault rate for " + std::string(to_string(fault)) + " must be in [0, 1]");
        total += rate;
    }
    QEVAL_CHECK(total <= 1 + 1e-9, ErrorCode::usage, "fake_openai: fault rates add up to more than 1");

    server.set_threads(static_cast<std::size_t>(opt.threads));
    server.set_keep_alive_max_count(1000000);
    server.set_keep_alive_timeout(opt.keep_alive_timeout_s);
    server.set_tcp_nodelay(true);
    server.Post("/v1/chat/completions", [this](const httplib::Request& q, httplib::Response& r) { serve(q, r, true); });
    server.Post("/v1/completions", [this](const httplib::Request& q, httplib::Response& r) { serve(q, r, false); });
    server.Get("/v1/models", [this](const httplib::Request& q, httplib::Response& r) {
        if (!opt.api_key.empty() && q.get_header_value("Authorization") != "Bearer " + opt.api_key)
            return set_error(r, 401, "AuthenticationError", kUnauthorized);
        r.set_content(models_body(opt.model), "application/json");
    });
    server.set_error_handler([](const httplib::Request& q, httplib::Response& r) {
        if (r.body.empty() && r.status == 404)
            set_error(r, 404, "NotFoundError", "no route " + q.method + " " + q.path);
    });

    port_ =
        opt.port == 0 ? server.bind_to_any_port(opt.host) : (server.bind_to_port(opt.host, opt.port) ? opt.port : -1);
    QEVAL_CHECK(port_ > 0, ErrorCode::network,
                "fake_openai: cannot listen on " + opt.host + ":" + std::to_string(opt.port) + " (in use?)");
    QEVAL_CHECK(server.widen_backlog(kBacklog), ErrorCode::network,
                "fake_openai: listen() with a wider backlog failed");
    thread = std::thread([this] {
        server.listen_after_bind();
        listening_done = true;
    });
    while (!server.is_running() && !listening_done)
        std::this_thread::sleep_for(1ms);
}

void HttplibServer::stop() {
    if (stopped.exchange(true)) return;
    server.begin_stop();
    { std::lock_guard<std::mutex> lock(wait_mu); }
    wait_cv.notify_all();
    server.stop();
    if (thread.joinable()) thread.join();
}

// Waits `d` (false when the server stops first, or with watch_peer when the client goes away).
bool HttplibServer::pause(std::chrono::microseconds d, bool watch_peer) {
    if (d <= 0us) return !server.stopping();
    auto deadline = std::chrono::steady_clock::now() + d;
    std::unique_lock<std::mutex> lock(wait_mu);
    while (!server.stopping()) {
        if (watch_peer && ControlledServer::peer_closed()) return false;
        auto now = std::chrono::steady_clock::now();
        if (now >= deadline) return true;
        wait_cv.wait_for(lock, std::min<std::chrono::steady_clock::duration>(deadline - now, 50ms));
    }
    return false;
}

void HttplibServer::draw(Plan& p) {
    {
        std::lock_guard<std::mutex> lock(stats_mu);
        p.attempt = stats_.attempts_by_key[p.key]++;
    }
    draw_answer(opt, p);
    if (p.attempt >= opt.faulty_attempts || opt.fault_rate.empty()) return;
    double u = uniform_draw(opt.seed, p.key, p.attempt, "fault"), cumulative = 0;
    for (const auto& [fault, rate] : opt.fault_rate) {
        if (fault == Fault::none) continue;
        cumulative += rate;
        if (u < cumulative) {
            p.fault = fault;
            break;
        }
    }
    if (p.fault == Fault::none) return;
    std::lock_guard<std::mutex> lock(stats_mu);
    ++stats_.faults[p.fault];
}

// Counted before the last bytes go out (a client that got them sees the count), taken back if they could not be sent.
void HttplibServer::completed(const std::string& key, int n) {
    std::lock_guard<std::mutex> lock(stats_mu);
    stats_.completed += n;
    stats_.completed_by_key[key] += n;
}

void HttplibServer::serve(const httplib::Request& q, httplib::Response& r, bool chat) {
    {
        std::lock_guard<std::mutex> lock(stats_mu);
        ++stats_.requests;
        last_body = q.body;
    }
    if (!opt.api_key.empty() && q.get_header_value("Authorization") != "Bearer " + opt.api_key)
        return set_error(r, 401, "AuthenticationError", kUnauthorized);
    Plan p;
    if (std::string bad = parse_request(q.body, chat, p); !bad.empty())
        return set_error(r, 400, "BadRequestError", bad);
    if (!p.model.empty() && p.model != opt.model)
        return set_error(r, 404, "NotFoundError", "The model `" + p.model + "` does not exist.");
    draw(p);
    if (!pause(std::chrono::milliseconds(opt.latency_ms), false)) return ControlledServer::abort_connection();
    respond(p, r);
}

void HttplibServer::respond(const Plan& p, httplib::Response& r) {
    switch (p.fault) {
    case Fault::reset:
        return ControlledServer::abort_connection();
    case Fault::hang:
        if (!pause(std::chrono::milliseconds(opt.hang_ms), true)) return ControlledServer::abort_connection();
        break; // hung long enough: the answer comes after all
    case Fault::error_in_stream:
        if (!p.stream) return set_fault_error(r, p.fault, opt.retry_after_s);
        break;
    case Fault::garbage_json:
        if (p.stream) return send_events(r, garbage_events(), p.key, Ending::fault);
        return r.set_content(kGarbageBody, "application/json");
    case Fault::none:
    case Fault::cut_stream:
        break;
    default:
        return set_fault_error(r, p.fault, opt.retry_after_s);
    }

    Answer a = make_answer(opt, p.prompt, p.correct, p.length, p.chat);
    std::string id = (p.chat ? "chatcmpl-fake-" : "cmpl-fake-") + std::to_string(next_id++);
    Frame frame{id, p.chat, opt.model, static_cast<std::int64_t>(std::time(nullptr)), opt.reasoning_field};
    if (!p.stream) return send_body(r, frame.body(a, p.prompt_tokens), p.key, p.fault == Fault::cut_stream);

    Ending ending = Ending::complete;
    if (p.fault == Fault::cut_stream) ending = Ending::cut;
    if (p.fault == Fault::error_in_stream) ending = Ending::error;
    send_events(r, frame.events(a, p.prompt_tokens, p.include_usage, ending), p.key, ending);
}

// A JSON body with its Content-Length; `cut` sends half of it and closes the connection.
void HttplibServer::send_body(httplib::Response& r, std::string body, const std::string& key, bool cut) {
    auto data = std::make_shared<std::string>(std::move(body));
    r.set_content_provider(data->size(), "application/json",
                           [this, data, key, cut](std::size_t offset, std::size_t, httplib::DataSink& sink) {
                               return write_body(*data, offset, key, cut, sink);
                           });
}

bool HttplibServer::write_body(const std::string& body, std::size_t offset, const std::string& key, bool cut,
                               httplib::DataSink& sink) {
    std::size_t end = cut ? body.size() / 2 : body.size();
    if (offset < end && !sink.write(body.data() + offset, end - offset)) return false;
    if (cut) {
        ControlledServer::flush();
        return false; // the connection closes short of Content-Length
    }
    completed(key, 1);
    if (ControlledServer::flush()) return true;
    completed(key, -1);
    return false;
}

// SSE events, chunked; Ending::cut closes the connection after the last one, without the closing chunk.
void HttplibServer::send_events(httplib::Response& r, std::vector<std::string> events, const std::string& key,
                                Ending ending) {
    auto data = std::make_shared<std::vector<std::string>>(std::move(events));
    r.set_chunked_content_provider("text/event-stream",
                                   [this, data, key, ending](std::size_t, httplib::DataSink& sink) {
                                       return write_events(*data, key, ending, sink);
                                   });
}

bool HttplibServer::write_events(const std::vector<std::string>& events, const std::string& key, Ending ending,
                                 httplib::DataSink& sink) {
    auto delay = std::chrono::microseconds(opt.chunk_delay_us);
    if (delay <= 0us) { // one chunk, one send
        std::string all;
        for (const auto& e : events)
            all += e;
        if (!sink.write(all.data(), all.size())) return false;
    } else {
        for (std::size_t i = 0; i < events.size(); ++i) {
            if (i > 0 && (!ControlledServer::flush() || !pause(delay, false))) return false;
            if (!sink.write(events[i].data(), events[i].size())) return false;
        }
    }
    if (ending == Ending::cut) {
        ControlledServer::flush();
        return false; // the connection closes without the closing chunk
    }
    sink.done(); // the closing chunk, buffered with the last events
    if (ending != Ending::complete) return true;
    completed(key, 1);
    if (ControlledServer::flush()) return true;
    completed(key, -1);
    return false;
}

FakeOpenAI::Stats HttplibServer::stats() const {
    std::lock_guard<std::mutex> lock(stats_mu);
    return stats_;
}

std::string HttplibServer::last_request() const {
    std::lock_guard<std::mutex> lock(stats_mu);
    return last_body;
}

} // namespace

std::unique_ptr<FakeServerEngine> make_httplib_engine(FakeOpenAIOptions options) {
    return std::make_unique<HttplibServer>(std::move(options));
}

// ---- the public face ----------------------------------------------------------------------------------------------

FakeOpenAI::FakeOpenAI(FakeOpenAIOptions options)
    : impl_(options.engine == FakeEngine::epoll ? make_epoll_engine(std::move(options))
                                                : make_httplib_engine(std::move(options))) {}

FakeOpenAI::~FakeOpenAI() {
    stop();
}

void FakeOpenAI::stop() {
    impl_->stop();
}

int FakeOpenAI::port() const {
    return impl_->port();
}

std::string FakeOpenAI::base_url() const {
    return "http://" + impl_->options().host + ":" + std::to_string(impl_->port()) + "/v1";
}

FakeOpenAI::Stats FakeOpenAI::stats() const {
    return impl_->stats();
}

std::string FakeOpenAI::last_request() const {
    return impl_->last_request();
}

std::string FakeOpenAI::request_key(const nlohmann::json& body) {
    std::string text;
    if (auto m = body.find("messages"); m != body.end())
        text = m->dump();
    else if (auto p = body.find("prompt"); p != body.end())
        text = p->dump();
    text += '#';
    if (auto s = body.find("seed"); s != body.end() && !s->is_null()) text += s->dump();
    return core::sha256_hex(text);
}

} // namespace qeval::testing
