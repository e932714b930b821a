// The fake OpenAI server itself (tests/fakes/fake_openai.hpp), seen from httplib::Client and raw sockets: response
// and SSE shapes, the deterministic draws, every fault as it looks on the wire, authentication and model checks,
// task_answerer against qeval's own scorer, the qeval_fake_openai executable, and the epoll engine against the httplib
// engine (the same answers, and the same verdicts through `qeval run`).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <httplib.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <map>
#include <sstream>
#include <thread>
#include <tuple>

#include "core/error.hpp"
#include "tasks/task_list.hpp"
#include "test_util.hpp"
#include "tests/fakes/fake_openai.hpp"

extern char** environ;

namespace {

using qeval::testing::FakeOpenAI;
using qeval::testing::FakeOpenAIOptions;
using qeval::testing::Fault;
using Json = nlohmann::json;
using namespace std::chrono_literals;

const std::string kDemoData = QEVAL_TEST_DATA "/../../examples/demo-data";

struct Reply {
    int status = 0;
    httplib::Error error = httplib::Error::Success;
    std::string body; // what arrived, also when the transfer failed
    httplib::Headers headers;
};

Reply post(int port, const std::string& path, const std::string& body, httplib::Headers headers = {},
           int timeout_s = 5) {
    httplib::Client cli("127.0.0.1", port);
    cli.set_read_timeout(timeout_s, 0);
    httplib::Request req;
    req.method = "POST";
    req.path = path;
    req.headers = std::move(headers);
    req.set_header("Content-Type", "application/json");
    req.body = body;
    Reply reply;
    req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
        reply.body.append(data, n);
        return true;
    };
    httplib::Response res;
    cli.send(req, res, reply.error);
    reply.status = res.status;
    reply.headers = res.headers;
    return reply;
}

std::string chat_body(const std::string& content, bool stream = false, bool usage = false) {
    Json body = {{"model", "fake-model"}, {"messages", {{{"role", "user"}, {"content", content}}}}, {"stream", stream}};
    if (usage) body["stream_options"] = {{"include_usage", true}};
    return body.dump();
}

Reply chat(const FakeOpenAI& fake, const std::string& content, bool stream = false, bool usage = false) {
    return post(fake.port(), "/v1/chat/completions", chat_body(content, stream, usage));
}

// The payloads of "data: ..." SSE events, in order.
std::vector<std::string> sse_data(const std::string& body) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < body.size()) {
        std::size_t end = body.find("\n\n", start);
        if (end == std::string::npos) end = body.size();
        std::string event = body.substr(start, end - start);
        if (event.rfind("data: ", 0) == 0) out.push_back(event.substr(6));
        start = end + 2;
    }
    return out;
}

// Content deltas joined, from the parsed chunks of a chat stream.
std::string joined(const std::vector<Json>& chunks, const std::string& field) {
    std::string out;
    for (const auto& c : chunks)
        if (!c["choices"].empty() && c["choices"][0]["delta"].contains(field))
            out += c["choices"][0]["delta"][field].get<std::string>();
    return out;
}

struct Raw {
    std::string bytes; // everything received before the connection ended
    int error = 0;     // errno of the recv that ended it (ECONNRESET), 0 for an orderly close
};

// One request over a plain socket ("Connection: close"), read until the server ends the connection.
Raw raw_post(int port, const std::string& body) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                          "Content-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
    REQUIRE(send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size()));
    Raw raw;
    char buf[4096];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n > 0) {
            raw.bytes.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0) raw.error = errno;
        break;
    }
    close(fd);
    return raw;
}

FakeOpenAIOptions with_fault(Fault fault, int faulty_attempts = 1) {
    FakeOpenAIOptions o;
    o.fault_rate[fault] = 1.0;
    o.faulty_attempts = faulty_attempts;
    return o;
}

} // namespace

TEST_CASE("fake_openai: a non-stream chat completion has the OpenAI shape", "[fake]") {
    FakeOpenAI fake({});
    REQUIRE(fake.base_url() == "http://127.0.0.1:" + std::to_string(fake.port()) + "/v1");
    Reply r = chat(fake, "What is 6 times 7?");
    REQUIRE(r.status == 200);
    Json j = Json::parse(r.body);
    CHECK(j["object"] == "chat.completion");
    CHECK(j["id"].get<std::string>().rfind("chatcmpl-", 0) == 0);
    CHECK(j["created"].is_number_integer());
    CHECK(j["model"] == "fake-model");
    REQUIRE(j["choices"].size() == 1);
    const Json& c = j["choices"][0];
    CHECK(c["index"] == 0);
    CHECK(c["message"]["role"] == "assistant");
    CHECK(c["message"]["content"] == "\\boxed{42}");
    CHECK_FALSE(c["message"].contains("reasoning_content"));
    CHECK(c["finish_reason"] == "stop");
    CHECK(j["usage"]["completion_tokens"] == 8);
    CHECK(j["usage"]["prompt_tokens"].get<int>() >= 1);
    CHECK(j["usage"]["total_tokens"] == j["usage"]["prompt_tokens"].get<int>() + 8);
    CHECK(fake.last_request() == chat_body("What is 6 times 7?"));

    Reply t = post(fake.port(), "/v1/completions", R"({"model":"fake-model","prompt":"2+2="})");
    REQUIRE(t.status == 200);
    Json tj = Json::parse(t.body);
    CHECK(tj["object"] == "text_completion");
    CHECK(tj["choices"][0]["text"] == "\\boxed{42}");

    httplib::Client cli("127.0.0.1", fake.port());
    auto models = cli.Get("/v1/models");
    REQUIRE(models);
    Json mj = Json::parse(models->body);
    CHECK(mj["object"] == "list");
    CHECK(mj["data"][0]["id"] == "fake-model");

    auto stats = fake.stats();
    CHECK(stats.requests == 2);
    CHECK(stats.completed == 2);
}

TEST_CASE("fake_openai: a stream sends role, deltas, finish, usage and [DONE] in order", "[fake]") {
    FakeOpenAI fake({});
    Reply r = chat(fake, "stream me", true, true);
    REQUIRE(r.status == 200);
    CHECK(r.headers.find("Content-Type")->second == "text/event-stream");
    auto events = sse_data(r.body);
    REQUIRE(events.size() == 1 + 8 + 1 + 1 + 1);
    CHECK(events.back() == "[DONE]");
    std::vector<Json> chunks;
    for (std::size_t i = 0; i + 1 < events.size(); ++i)
        chunks.push_back(Json::parse(events[i]));
    for (const auto& c : chunks) {
        CHECK(c["object"] == "chat.completion.chunk");
        CHECK(c["id"] == chunks[0]["id"]);
    }
    CHECK(chunks[0]["choices"][0]["delta"]["role"] == "assistant");
    CHECK(joined(chunks, "content") == "\\boxed{42}");
    for (std::size_t i = 0; i + 2 < chunks.size(); ++i)
        CHECK(chunks[i]["choices"][0]["finish_reason"].is_null());
    const Json& finish = chunks[chunks.size() - 2]["choices"][0];
    CHECK(finish["finish_reason"] == "stop");
    CHECK(finish["delta"].empty());
    const Json& usage = chunks.back();
    CHECK(usage["choices"].empty());
    CHECK(usage["usage"]["completion_tokens"] == 8);

    auto plain = sse_data(chat(fake, "no usage", true, false).body);
    REQUIRE(plain.size() == 1 + 8 + 1 + 1);
    CHECK_FALSE(Json::parse(plain[plain.size() - 2]).contains("usage"));

    auto text = sse_data(post(fake.port(), "/v1/completions", R"({"prompt":"p","stream":true})").body);
    REQUIRE(text.size() == 8 + 1 + 1);
    CHECK(Json::parse(text[0])["choices"][0]["text"] == "\\");
    CHECK(Json::parse(text[8])["choices"][0]["finish_reason"] == "stop");
}

TEST_CASE("fake_openai: reasoning deltas come first under the configured field", "[fake]") {
    FakeOpenAIOptions o;
    o.reasoning_chunks = 3;
    o.reasoning_field = "reasoning";
    o.content_chunks = 2;
    FakeOpenAI fake(o);
    std::vector<Json> chunks;
    auto events = sse_data(chat(fake, "think", true).body);
    for (std::size_t i = 0; i + 1 < events.size(); ++i)
        chunks.push_back(Json::parse(events[i]));
    REQUIRE(chunks.size() == 1 + 3 + 2 + 1);
    for (int i = 1; i <= 3; ++i)
        CHECK(chunks[static_cast<std::size_t>(i)]["choices"][0]["delta"].contains("reasoning"));
    CHECK(joined(chunks, "reasoning") == "Reasoning step 1. Reasoning step 2. Reasoning step 3. ");
    CHECK(joined(chunks, "content") == "\\boxed{42}");
    CHECK(joined(chunks, "reasoning_content").empty());

    Json j = Json::parse(chat(fake, "think").body);
    CHECK(j["choices"][0]["message"]["reasoning"] == "Reasoning step 1. Reasoning step 2. Reasoning step 3. ");
    CHECK_FALSE(j["choices"][0]["message"].contains("reasoning_content"));
    CHECK(j["usage"]["completion_tokens"] == 5);
}

TEST_CASE("fake_openai: latency and chunk delays pace the response", "[fake]") {
    FakeOpenAIOptions o;
    o.latency_ms = 100;
    o.chunk_delay_us = 20000;
    o.content_chunks = 4;
    FakeOpenAI fake(o);
    httplib::Client cli("127.0.0.1", fake.port());
    std::vector<std::chrono::steady_clock::time_point> arrivals;
    std::string body;
    httplib::Request req;
    req.method = "POST";
    req.path = "/v1/chat/completions";
    req.set_header("Content-Type", "application/json");
    req.body = chat_body("slowly", true);
    req.content_receiver = [&](const char* data, std::size_t n, std::uint64_t, std::uint64_t) {
        arrivals.push_back(std::chrono::steady_clock::now());
        body.append(data, n);
        return true;
    };
    auto t0 = std::chrono::steady_clock::now();
    httplib::Response res;
    httplib::Error error = httplib::Error::Success;
    REQUIRE(cli.send(req, res, error));
    REQUIRE(arrivals.size() >= 6); // role, 4 deltas, finish, [DONE]: one chunk each
    CHECK(arrivals.front() - t0 >= 100ms);
    CHECK(arrivals.back() - arrivals.front() >= 5 * 20ms);
    CHECK(sse_data(body).size() == 1 + 4 + 1 + 1);
}

TEST_CASE("fake_openai: accuracy and length are drawn per request key", "[fake]") {
    FakeOpenAIOptions o;
    o.accuracy = 0.7;
    o.length_rate = 0.2;
    o.seed = 7;
    FakeOpenAI fake(o);
    httplib::Client cli("127.0.0.1", fake.port());
    int correct = 0, length = 0;
    for (int i = 0; i < 1000; ++i) {
        auto r = cli.Post("/v1/chat/completions", chat_body("problem " + std::to_string(i)), "application/json");
        REQUIRE(r);
        Json c = Json::parse(r->body)["choices"][0];
        std::string finish = c["finish_reason"];
        if (finish == "length") {
            ++length;
            continue; // the content is cut
        }
        correct += c["message"]["content"] == "\\boxed{42}";
    }
    CHECK(length >= 150);
    CHECK(length <= 250);
    double rate = correct / static_cast<double>(1000 - length);
    CHECK(rate >= 0.65);
    CHECK(rate <= 0.75);
}

TEST_CASE("fake_openai: the same request key gets the same answer on every attempt", "[fake]") {
    FakeOpenAIOptions o;
    o.accuracy = 0.5;
    FakeOpenAI fake(o);
    for (int i = 0; i < 20; ++i) {
        Json body = Json::parse(chat_body("problem " + std::to_string(i)));
        body["seed"] = 1234;
        std::string first = Json::parse(
            post(fake.port(), "/v1/chat/completions", body.dump()).body)["choices"][0]["message"]["content"];
        for (int attempt = 1; attempt < 3; ++attempt) {
            Json again = Json::parse(post(fake.port(), "/v1/chat/completions", body.dump()).body);
            CHECK(again["choices"][0]["message"]["content"] == first);
        }
        auto stats = fake.stats();
        std::string key = FakeOpenAI::request_key(body);
        CHECK(stats.attempts_by_key[key] == 3);
        CHECK(stats.completed_by_key[key] == 3);
    }
    // The key covers the messages and the sample seed, not the field order.
    Json a = {{"messages", {{{"role", "user"}, {"content", "x"}}}}, {"seed", 1}};
    Json b = Json::parse(R"({"seed": 1, "messages": [{"content": "x", "role": "user"}]})");
    CHECK(FakeOpenAI::request_key(a) == FakeOpenAI::request_key(b));
    b["seed"] = 2;
    CHECK(FakeOpenAI::request_key(a) != FakeOpenAI::request_key(b));
}

TEST_CASE("fake_openai: status faults carry an error object naming the fault", "[fake]") {
    struct Row {
        Fault fault;
        int status;
        bool retry_after;
    };
    const Row rows[] = {{Fault::status_429, 429, true},  {Fault::status_500, 500, false},
                        {Fault::status_503, 503, true},  {Fault::status_400, 400, false},
                        {Fault::status_401, 401, false}, {Fault::status_404, 404, false},
                        {Fault::status_422, 422, false}, {Fault::error_in_stream, 500, false}};
    for (const Row& row : rows) {
        INFO(qeval::testing::to_string(row.fault));
        auto o = with_fault(row.fault);
        o.retry_after_s = 3;
        FakeOpenAI fake(o);
        Reply r = chat(fake, "q");
        CHECK(r.status == row.status);
        Json e = Json::parse(r.body)["error"];
        std::string name(qeval::testing::to_string(row.fault));
        CHECK(e["message"].get<std::string>().find("fake fault " + name) != std::string::npos);
        CHECK(e["code"] == row.status);
        CHECK_FALSE(e["type"].get<std::string>().empty());
        auto ra = r.headers.find("Retry-After");
        CHECK((ra != r.headers.end()) == row.retry_after);
        if (row.retry_after) CHECK(ra->second == "3");
        CHECK(chat(fake, "q").status == 200); // faulty_attempts = 1: the retry succeeds
        CHECK(fake.stats().faults[row.fault] == 1);
    }
}

TEST_CASE("fake_openai: a reset fault sends no byte and resets the connection", "[fake]") {
    FakeOpenAI fake(with_fault(Fault::reset, 2));
    Raw raw = raw_post(fake.port(), chat_body("q"));
    CHECK(raw.bytes.empty());
    CHECK(raw.error == ECONNRESET);
    Reply r = chat(fake, "q", true);
    CHECK(r.error == httplib::Error::Read);
    CHECK(r.body.empty());
    CHECK(chat(fake, "q").status == 200);
    CHECK(fake.stats().faults[Fault::reset] == 2);
}

TEST_CASE("fake_openai: a cut stream ends without finish_reason or [DONE]", "[fake]") {
    FakeOpenAI fake(with_fault(Fault::cut_stream, 2));
    Raw raw = raw_post(fake.port(), chat_body("q", true, true));
    CHECK(raw.error == 0); // an orderly close, mid-body
    CHECK(raw.bytes.find("HTTP/1.1 200") == 0);
    CHECK(raw.bytes.find("\"content\":\"\\\\\"") != std::string::npos); // some content arrived
    CHECK(raw.bytes.find("finish_reason\":\"") == std::string::npos);
    CHECK(raw.bytes.find("[DONE]") == std::string::npos);
    CHECK(raw.bytes.find("\r\n0\r\n\r\n") == std::string::npos); // no closing chunk

    // Not streaming: the declared Content-Length is not reached.
    Raw body = raw_post(fake.port(), chat_body("q"));
    CHECK(body.error == 0);
    auto at = body.bytes.find("Content-Length: ");
    REQUIRE(at != std::string::npos);
    std::size_t declared = std::stoul(body.bytes.substr(at + 16));
    std::size_t got = body.bytes.size() - body.bytes.find("\r\n\r\n") - 4;
    CHECK(got == declared / 2);

    CHECK(chat(fake, "q", true).status == 200);
    CHECK(fake.stats().completed == 1);
}

TEST_CASE("fake_openai: an error inside a 200 stream is an error event", "[fake]") {
    FakeOpenAI fake(with_fault(Fault::error_in_stream));
    Reply r = chat(fake, "q", true, true);
    REQUIRE(r.status == 200);
    auto events = sse_data(r.body);
    REQUIRE(events.size() >= 3);
    CHECK(events.back() == "[DONE]"); // vLLM ends an errored stream with [DONE] too
    Json error = Json::parse(events[events.size() - 2]);
    CHECK(error["error"]["message"].get<std::string>().find("fake fault stream_error") != std::string::npos);
    CHECK(error["error"]["code"] == 500);
    CHECK(r.body.find("finish_reason\":\"stop") == std::string::npos);
    CHECK(fake.stats().completed == 0);
}

TEST_CASE("fake_openai: a hang sends nothing until stop() releases it promptly", "[fake]") {
    auto o = with_fault(Fault::hang);
    o.hang_ms = 60000;
    FakeOpenAI fake(o);
    std::atomic<bool> answered{false};
    Reply r;
    std::thread client([&] {
        r = post(fake.port(), "/v1/chat/completions", chat_body("q"), {}, 30);
        answered = true;
    });
    std::this_thread::sleep_for(300ms);
    CHECK_FALSE(answered);
    auto t0 = std::chrono::steady_clock::now();
    fake.stop();
    auto stop_took = std::chrono::steady_clock::now() - t0;
    client.join();
    CHECK(stop_took < 1s);
    CHECK(r.error != httplib::Error::Success);
    CHECK(r.body.empty());

    // A shorter hang ends in the answer.
    o.hang_ms = 200;
    FakeOpenAI slow(o);
    auto t1 = std::chrono::steady_clock::now();
    Reply late = chat(slow, "q");
    CHECK(late.status == 200);
    CHECK(std::chrono::steady_clock::now() - t1 >= 200ms);
}

TEST_CASE("fake_openai: garbage is not JSON, streamed or not", "[fake]") {
    FakeOpenAI fake(with_fault(Fault::garbage_json, 2));
    Reply r = chat(fake, "q");
    CHECK(r.status == 200);
    CHECK_THROWS(Json::parse(r.body));
    Reply s = chat(fake, "q", true);
    CHECK(s.status == 200);
    auto events = sse_data(s.body);
    REQUIRE(events.size() >= 2);
    CHECK(events[0].rfind("{garbage", 0) == 0);
    for (std::size_t i = 0; i + 1 < events.size(); ++i)
        CHECK_THROWS(Json::parse(events[i]));
    CHECK(fake.stats().completed == 0);
}

TEST_CASE("fake_openai: faults stop after faulty_attempts", "[fake]") {
    FakeOpenAI fake(with_fault(Fault::status_500, 3));
    for (int i = 0; i < 3; ++i)
        CHECK(chat(fake, "q").status == 500);
    CHECK(chat(fake, "q").status == 200);
    CHECK(chat(fake, "other").status == 500); // a new key starts at attempt 0
    auto stats = fake.stats();
    CHECK(stats.faults[Fault::status_500] == 4);
    CHECK(stats.completed == 1);
    std::string key = FakeOpenAI::request_key(Json::parse(chat_body("q")));
    CHECK(stats.attempts_by_key[key] == 4);
    CHECK(stats.completed_by_key[key] == 1);

    // Mixed rates: about the configured share of first attempts, none after faulty_attempts.
    FakeOpenAIOptions o;
    o.fault_rate = {{Fault::status_429, 0.2}, {Fault::status_503, 0.2}};
    o.faulty_attempts = 1;
    FakeOpenAI mixed(o);
    int faults = 0;
    for (int i = 0; i < 300; ++i)
        faults += chat(mixed, "p" + std::to_string(i)).status != 200;
    CHECK(faults > 90);
    CHECK(faults < 150);
    for (int i = 0; i < 300; ++i)
        CHECK(chat(mixed, "p" + std::to_string(i)).status == 200);
}

TEST_CASE("fake_openai: wrong model, API key and bad bodies are OpenAI errors", "[fake]") {
    FakeOpenAIOptions o;
    o.api_key = "sk-fake";
    FakeOpenAI fake(o);
    httplib::Headers auth = {{"Authorization", "Bearer sk-fake"}};
    CHECK(post(fake.port(), "/v1/chat/completions", chat_body("q")).status == 401);
    CHECK(post(fake.port(), "/v1/chat/completions", chat_body("q"), {{"Authorization", "Bearer nope"}}).status == 401);
    CHECK(post(fake.port(), "/v1/chat/completions", chat_body("q"), auth).status == 200);
    httplib::Client cli("127.0.0.1", fake.port());
    CHECK(cli.Get("/v1/models")->status == 401);
    CHECK(cli.Get("/v1/models", auth)->status == 200);

    Json body = Json::parse(chat_body("q"));
    body["model"] = "other-model";
    Reply wrong = post(fake.port(), "/v1/chat/completions", body.dump(), auth);
    CHECK(wrong.status == 404);
    CHECK(Json::parse(wrong.body)["error"]["message"] == "The model `other-model` does not exist.");

    for (std::string bad : {"{not json", "[1, 2]", R"({"model": "fake-model"})", R"({"messages": "hi"})",
                            R"({"messages": [{"role": "user", "content": "x"}], "stream": "yes"})"}) {
        INFO(bad);
        Reply r = post(fake.port(), "/v1/chat/completions", bad, auth);
        CHECK(r.status == 400);
        Json e = Json::parse(r.body)["error"];
        CHECK(e["code"] == 400);
        CHECK(e["type"] == "BadRequestError");
        CHECK_FALSE(e["message"].get<std::string>().empty());
    }
    CHECK(post(fake.port(), "/v1/completions", R"({"model": "fake-model"})", auth).status == 400);
}

TEST_CASE("fake_openai: task_answerer answers the demo data so qeval grades it", "[fake]") {
    for (const std::string task : {"math500", "aime24", "gpqa_diamond", "mmlu_pro"}) {
        INFO(task);
        const auto& spec = qeval::tasks::find_task(task);
        auto ds = spec.load({kDemoData, 3, {}});
        REQUIRE_FALSE(ds.samples.empty());
        auto answer = qeval::testing::task_answerer(task, kDemoData, 3);
        for (std::size_t i = 0; i < std::min<std::size_t>(ds.samples.size(), 5); ++i) {
            const auto& s = ds.samples[i];
            std::string prompt = spec.render(s, spec.default_prompt, ds).back().content;
            CHECK(qeval::tasks::score_response(spec, answer(prompt, true), s).verdict == qeval::core::Verdict::correct);
            CHECK(qeval::tasks::score_response(spec, answer(prompt, false), s).verdict ==
                  qeval::core::Verdict::incorrect);
            CHECK(qeval::tasks::score_response(spec, answer("unknown " + prompt, true), s).verdict ==
                  qeval::core::Verdict::no_answer);
        }
    }
    CHECK_THROWS_AS(qeval::testing::task_answerer("livecodebench", kDemoData), qeval::Error);

    // Through the server: the streamed answer to a real MATH-500 prompt grades correct, the wrong one incorrect.
    const auto& math = qeval::tasks::find_task("math500");
    auto ds = math.load({kDemoData, 0, {}});
    const auto& sample = ds.samples.at(0);
    std::string prompt = math.render(sample, math.default_prompt, ds).back().content;
    for (double accuracy : {1.0, 0.0}) {
        FakeOpenAIOptions o;
        o.accuracy = accuracy;
        o.answer = qeval::testing::task_answerer("math500", kDemoData);
        FakeOpenAI fake(o);
        std::vector<Json> chunks;
        auto events = sse_data(chat(fake, prompt, true).body);
        for (std::size_t i = 0; i + 1 < events.size(); ++i)
            chunks.push_back(Json::parse(events[i]));
        auto verdict = qeval::tasks::score_response(math, joined(chunks, "content"), sample).verdict;
        CHECK(verdict == (accuracy > 0 ? qeval::core::Verdict::correct : qeval::core::Verdict::incorrect));
    }
}

TEST_CASE("fake_openai: keep-alive clients beyond the worker threads take turns", "[fake]") {
    FakeOpenAIOptions o;
    o.threads = 2;
    FakeOpenAI fake(o);
    // Two clients hold both workers with idle keep-alive connections (10 s keep-alive timeout)...
    std::vector<std::unique_ptr<httplib::Client>> holders;
    for (int c = 0; c < 2; ++c) {
        holders.push_back(std::make_unique<httplib::Client>("127.0.0.1", fake.port()));
        holders.back()->set_keep_alive(true);
        auto r =
            holders.back()->Post("/v1/chat/completions", chat_body("hold " + std::to_string(c)), "application/json");
        REQUIRE(r);
    }
    // ...yet more clients get served at once: an idle connection gives way to a waiting one.
    auto t0 = std::chrono::steady_clock::now();
    std::atomic<int> ok{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 4; ++c)
        clients.emplace_back([&, c] {
            httplib::Client cli("127.0.0.1", fake.port());
            cli.set_keep_alive(true);
            for (int i = 0; i < 20; ++i) {
                auto r = cli.Post("/v1/chat/completions", chat_body(std::to_string(c) + "/" + std::to_string(i)),
                                  "application/json");
                ok += r && r->status == 200;
            }
        });
    for (auto& t : clients)
        t.join();
    CHECK(ok == 80);
    CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    for (auto& h : holders) // the holders reconnect transparently
        CHECK(h->Post("/v1/chat/completions", chat_body("again"), "application/json")->status == 200);
}

TEST_CASE("fake_openai: fault names round-trip", "[fake]") {
    for (const char* name :
         {"none", "429", "500", "503", "reset", "cut", "stream_error", "hang", "garbage", "400", "401", "404", "422"}) {
        auto fault = qeval::testing::fault_from_string(name);
        REQUIRE(fault);
        CHECK(qeval::testing::to_string(*fault) == name);
    }
    CHECK_FALSE(qeval::testing::fault_from_string("418"));
    FakeOpenAIOptions o;
    o.fault_rate = {{Fault::status_500, 0.7}, {Fault::reset, 0.7}};
    CHECK_THROWS_AS(FakeOpenAI(o), qeval::Error);
}

TEST_CASE("fake_openai: the qeval_fake_openai executable serves until SIGTERM and prints stats", "[fake]") {
    qeval::test::TempDir tmp;
    std::string port_file = (tmp / "port").string(), out_file = (tmp / "out").string();
    std::vector<std::string> args = {QEVAL_FAKE_OPENAI_BINARY,
                                     "--port-file",
                                     port_file,
                                     "--task",
                                     "math500",
                                     "--data-dir",
                                     kDemoData,
                                     "--fault",
                                     "429=1",
                                     "--faulty-attempts",
                                     "1"};
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, out_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    for (int i = 0; i < 500 && !std::filesystem::exists(port_file); ++i)
        std::this_thread::sleep_for(10ms);
    REQUIRE(std::filesystem::exists(port_file));
    int port = std::stoi(qeval::test::read_text(port_file));

    const auto& math = qeval::tasks::find_task("math500");
    auto ds = math.load({kDemoData, 0, {}});
    std::string prompt = math.render(ds.samples.at(0), math.default_prompt, ds).back().content;
    Reply limited = post(port, "/v1/chat/completions", chat_body(prompt));
    CHECK(limited.status == 429);
    Reply r = post(port, "/v1/chat/completions", chat_body(prompt));
    REQUIRE(r.status == 200);
    std::string content = Json::parse(r.body)["choices"][0]["message"]["content"];
    CHECK(qeval::tasks::score_response(math, content, ds.samples.at(0)).verdict == qeval::core::Verdict::correct);

    kill(pid, SIGTERM);
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    std::ifstream out(out_file);
    std::string first, second;
    std::getline(out, first);
    std::getline(out, second);
    CHECK(first == "listening on http://127.0.0.1:" + std::to_string(port) + "/v1");
    Json stats = Json::parse(second);
    CHECK(stats["requests"] == 2);
    CHECK(stats["completed"] == 1);
    CHECK(stats["faults"]["429"] == 1);
}

namespace {

// A response with the per-response fields (id, created) taken out: streams as their parsed events, bodies as JSON.
Json comparable(const Reply& r) {
    auto strip = [](Json j) {
        if (j.is_object()) {
            j.erase("id");
            j.erase("created");
        }
        return j;
    };
    Json out = {{"status", r.status}};
    auto type = r.headers.find("Content-Type");
    out["content_type"] = type == r.headers.end() ? "" : type->second;
    if (out["content_type"] == "text/event-stream") {
        out["events"] = Json::array();
        for (const auto& e : sse_data(r.body))
            out["events"].push_back(e == "[DONE]" ? Json(e) : strip(Json::parse(e)));
    } else {
        out["body"] = strip(Json::parse(r.body));
    }
    return out;
}

} // namespace

TEST_CASE("fake_openai: the epoll engine answers every request as the httplib engine does", "[fake]") {
    FakeOpenAIOptions o;
    o.accuracy = 0.5;
    o.length_rate = 0.2;
    o.reasoning_chunks = 2;
    o.seed = 11;
    o.api_key = "sk-fake";
    o.answer = qeval::testing::task_answerer("math500", kDemoData);
    FakeOpenAI httplib_fake(o);
    o.engine = qeval::testing::FakeEngine::epoll;
    FakeOpenAI epoll_fake(o);
    httplib::Headers auth = {{"Authorization", "Bearer sk-fake"}};

    const auto& math = qeval::tasks::find_task("math500");
    auto ds = math.load({kDemoData, 0, {}});
    std::vector<std::string> bodies;
    for (const auto& sample : ds.samples) {
        std::string prompt = math.render(sample, math.default_prompt, ds).back().content;
        for (int seed = 0; seed < 3; ++seed)
            for (bool stream : {false, true}) {
                Json body = Json::parse(chat_body(prompt, stream, seed == 1));
                body["seed"] = seed;
                bodies.push_back(body.dump());
            }
    }
    std::vector<std::string> plain = {R"({"model":"fake-model","prompt":"2+2="})",
                                      R"({"model":"fake-model","prompt":"2+2=","stream":true})",
                                      R"({"prompt":["p"],"stream":true,"stream_options":{"include_usage":true}})"};
    int answered = 0;
    for (const auto& body : bodies) {
        INFO(body);
        Reply a = post(httplib_fake.port(), "/v1/chat/completions", body, auth);
        Reply b = post(epoll_fake.port(), "/v1/chat/completions", body, auth);
        CHECK(comparable(a) == comparable(b));
        answered += a.status == 200;
    }
    for (const auto& body : plain) {
        INFO(body);
        CHECK(comparable(post(httplib_fake.port(), "/v1/completions", body, auth)) ==
              comparable(post(epoll_fake.port(), "/v1/completions", body, auth)));
    }
    CHECK(answered == static_cast<int>(bodies.size()));
    CHECK(epoll_fake.last_request() == plain.back());

    // Errors: the same statuses and error objects.
    Json other = Json::parse(chat_body("q"));
    other["model"] = "other-model";
    for (const auto& [path, body, headers] : std::vector<std::tuple<std::string, std::string, httplib::Headers>>{
             {"/v1/chat/completions", chat_body("q"), {}},
             {"/v1/chat/completions", other.dump(), auth},
             {"/v1/chat/completions", "{not json", auth},
             {"/v1/chat/completions", R"({"messages": "hi"})", auth},
             {"/v1/completions", R"({"model": "fake-model"})", auth}}) {
        INFO(path << " " << body);
        Reply a = post(httplib_fake.port(), path, body, headers);
        Reply b = post(epoll_fake.port(), path, body, headers);
        CHECK(a.status >= 400);
        CHECK(comparable(a) == comparable(b));
    }
    httplib::Client cli("127.0.0.1", epoll_fake.port());
    auto models = cli.Get("/v1/models", auth);
    REQUIRE(models);
    CHECK(models->body == httplib::Client("127.0.0.1", httplib_fake.port()).Get("/v1/models", auth)->body);
    CHECK(cli.Get("/v1/models")->status == 401);
    CHECK(cli.Get("/v1/nothing", auth)->status == 404);

    auto sa = httplib_fake.stats(), sb = epoll_fake.stats();
    CHECK(sa.requests == sb.requests);
    CHECK(sa.completed == sb.completed);
    CHECK(sa.attempts_by_key == sb.attempts_by_key);
    CHECK(sa.completed_by_key == sb.completed_by_key);
    CHECK(sb.faults.empty());

    // The epoll engine takes no faults or delays: those stay with the httplib engine.
    FakeOpenAIOptions faulty = with_fault(Fault::status_429);
    faulty.engine = qeval::testing::FakeEngine::epoll;
    CHECK_THROWS_AS(FakeOpenAI(faulty), qeval::Error);
}

TEST_CASE("fake_openai: the epoll engine keeps connections alive and answers pipelined requests in order", "[fake]") {
    FakeOpenAIOptions o;
    o.engine = qeval::testing::FakeEngine::epoll;
    FakeOpenAI fake(o);
    httplib::Client cli("127.0.0.1", fake.port());
    cli.set_keep_alive(true);
    cli.set_tcp_nodelay(true); // headers and body are two writes: Nagle would hold the body for the delayed ACK
    for (int i = 0; i < 50; ++i) {
        auto r =
            cli.Post("/v1/chat/completions", chat_body("again " + std::to_string(i), i % 2 == 1), "application/json");
        REQUIRE(r);
        CHECK(r->status == 200);
    }
    // Three requests in one send: three responses, in order, then the close the last one asked for.
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(fake.port()));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    timeval tv{5, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    std::string wire;
    for (int i = 0; i < 3; ++i) {
        std::string body = chat_body("pipelined " + std::to_string(i));
        wire += "POST /v1/chat/completions HTTP/1.1\r\nHost: x\r\n" +
                std::string(i == 2 ? "Connection: close\r\n" : "") + "Content-Length: " + std::to_string(body.size()) +
                "\r\n\r\n" + body;
    }
    REQUIRE(send(fd, wire.data(), wire.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(wire.size()));
    std::string got;
    char buf[4096];
    for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;)
        got.append(buf, static_cast<std::size_t>(n));
    close(fd);
    std::size_t at = 0;
    for (int i = 0; i < 3; ++i) {
        at = got.find("HTTP/1.1 200 OK\r\n", at);
        REQUIRE(at != std::string::npos);
        std::size_t body_at = got.find("\r\n\r\n", at) + 4;
        std::size_t length_at = got.find("Content-Length: ", at) + 16;
        std::size_t length = std::stoul(got.substr(length_at, got.find("\r\n", length_at) - length_at));
        CHECK(Json::parse(got.substr(body_at, length))["choices"][0]["message"]["content"] == "\\boxed{42}");
        at = body_at + length;
    }
    CHECK(at == got.size());
    CHECK(fake.stats().completed == 53);
}

TEST_CASE("fake_openai: qeval run against the epoll engine stores every sample with the httplib engine's verdicts",
          "[fake][run][openai]") {
    qeval::test::TempDir tmp;
    std::map<std::string, std::string> verdicts[2];
    for (int engine = 0; engine < 2; ++engine) {
        FakeOpenAIOptions o;
        o.engine = engine == 0 ? qeval::testing::FakeEngine::httplib : qeval::testing::FakeEngine::epoll;
        o.threads = 80;
        o.accuracy = 0.6;
        o.length_rate = 0.1;
        o.answer = qeval::testing::task_answerer("math500", kDemoData);
        FakeOpenAI fake(o);
        for (const char* stream : {"--stream", "--no-stream"}) {
            std::string variant = std::string(engine == 0 ? "httplib" : "epoll") + stream;
            auto db = (tmp / "q.sqlite").string();
            auto r = qeval::test::run_qeval({"run",        "--task",    "math500",    "--variant",     variant,
                                             "--runner",   "openai",    "--base-url", fake.base_url(), "--model",
                                             "fake-model", "--samples", "40",         "--concurrency", "64",
                                             stream,       "--json",    "--quiet",    "--data-dir",    kDemoData,
                                             "--db",       db});
            INFO(r.err);
            REQUIRE(r.exit_code == 0);
            Json j = Json::parse(r.out);
            CHECK(j[0]["stored"] == 320);
            CHECK(j[0]["errors"] == 0);
            auto exported = qeval::test::run_qeval({"export", "--variant", variant, "--db", db});
            REQUIRE(exported.exit_code == 0);
            std::istringstream lines(exported.out);
            int rows = 0;
            for (std::string line; std::getline(lines, line);) {
                Json s = Json::parse(line);
                std::string key = std::string(stream) + " " + s["id"].get<std::string>() + "#" +
                                  std::to_string(s["sample"].get<int>());
                verdicts[engine][key] = s["verdict"].get<std::string>() + " " + s["finish_reason"].get<std::string>();
                ++rows;
            }
            CHECK(rows == 320);
        }
        CHECK(fake.stats().completed == 640);
    }
    CHECK(verdicts[0].size() == 640);
    CHECK(verdicts[0] == verdicts[1]);
}
