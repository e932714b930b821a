// qeval_fake_openai_load: a tiny libcurl-multi load generator for measuring the fake OpenAI server's request rate
// (not built by default: `cmake --build B --target qeval_fake_openai_load`). Keeps CONCURRENCY requests in flight
// on keep-alive connections for SECONDS and prints requests/s, HTTP statuses and transport errors.
// Usage: qeval_fake_openai_load URL CONCURRENCY SECONDS [stream]
#include <curl/curl.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

namespace {

struct Slot {
    CURL* easy = nullptr;
    std::string body; // the request body (a distinct message per request)
    std::size_t received = 0;
};

std::size_t discard(char*, std::size_t size, std::size_t n, void* user) {
    static_cast<Slot*>(user)->received += size * n;
    return size * n;
}

void prepare(Slot& s, const std::string& url, bool stream, long n, curl_slist* headers) {
    s.body = std::string("{\"model\":\"fake-model\",\"stream\":") + (stream ? "true" : "false") +
             ",\"messages\":[{\"role\":\"user\",\"content\":\"problem " + std::to_string(n) + "\"}]}";
    s.received = 0;
    curl_easy_setopt(s.easy, CURLOPT_URL, url.c_str());
    curl_easy_setopt(s.easy, CURLOPT_POSTFIELDS, s.body.c_str());
    curl_easy_setopt(s.easy, CURLOPT_POSTFIELDSIZE, static_cast<long>(s.body.size()));
    curl_easy_setopt(s.easy, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(s.easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(s.easy, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(s.easy, CURLOPT_PRIVATE, &s);
    curl_easy_setopt(s.easy, CURLOPT_TCP_NODELAY, 1L);
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 4) {
        std::fprintf(stderr, "usage: %s URL CONCURRENCY SECONDS [stream]\n", argv[0]);
        return 2;
    }
    const std::string url = std::string(argv[1]) + "/chat/completions";
    const int concurrency = std::atoi(argv[2]);
    const double seconds = std::atof(argv[3]);
    const bool stream = argc > 4 && std::string(argv[4]) == "stream";

    curl_global_init(CURL_GLOBAL_DEFAULT);
    CURLM* multi = curl_multi_init();
    curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(concurrency));
    curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, static_cast<long>(concurrency));
    curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    std::vector<Slot> slots(static_cast<std::size_t>(concurrency));
    long next = 0;
    for (auto& s : slots) {
        s.easy = curl_easy_init();
        prepare(s, url, stream, next++, headers);
        curl_multi_add_handle(multi, s.easy);
    }

    using Clock = std::chrono::steady_clock;
    const auto start = Clock::now();
    const auto end = start + std::chrono::duration<double>(seconds);
    long done = 0;
    std::size_t bytes = 0;
    std::map<long, long> statuses;
    std::map<int, long> errors;
    int running = 1;
    while (running > 0) {
        curl_multi_perform(multi, &running);
        int queued = 0;
        while (CURLMsg* m = curl_multi_info_read(multi, &queued)) {
            if (m->msg != CURLMSG_DONE) continue;
            Slot* s = nullptr;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &s);
            long status = 0;
            curl_easy_getinfo(m->easy_handle, CURLINFO_RESPONSE_CODE, &status);
            if (m->data.result != CURLE_OK)
                ++errors[m->data.result];
            else
                ++statuses[status];
            ++done;
            bytes += s->received;
            curl_multi_remove_handle(multi, s->easy);
            if (Clock::now() < end) {
                prepare(*s, url, stream, next++, headers);
                curl_multi_add_handle(multi, s->easy);
                running = 1;
            }
        }
        if (running > 0) curl_multi_poll(multi, nullptr, 0, 100, nullptr);
    }
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::printf("%ld requests in %.2f s = %.0f requests/s (concurrency %d, %s, %.1f MB received)\n", done, elapsed,
                static_cast<double>(done) / elapsed, concurrency, stream ? "stream" : "non-stream",
                static_cast<double>(bytes) / 1e6);
    for (const auto& [status, n] : statuses)
        std::printf("  HTTP %ld: %ld\n", status, n);
    for (const auto& [code, n] : errors)
        std::printf("  curl error %d (%s): %ld\n", code, curl_easy_strerror(static_cast<CURLcode>(code)), n);
    for (auto& s : slots)
        curl_easy_cleanup(s.easy);
    curl_slist_free_all(headers);
    curl_multi_cleanup(multi);
    curl_global_cleanup();
    return errors.empty() ? 0 : 1;
}
