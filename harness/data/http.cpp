// libcurl easy-interface GET with retries (see http.hpp), by the policy in core/net/retry.hpp. Truncation is detected
// by curl (CURLE_PARTIAL_FILE when the connection closes before Content-Length bytes) and checked again against
// Content-Length here.
#include "harness/data/http.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <mutex>
#include <random>
#include <thread>

#include <curl/curl.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <unistd.h>

#include "core/net/retry.hpp"
#include "core/text.hpp"
#include "qeval/version.hpp"

namespace qeval::harness::data {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxErrorBody = 64 * 1024;

std::string lower(std::string_view s) {
    return core::to_lower(s);
}

std::string to_hex(const unsigned char* bytes, unsigned n) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * n);
    for (unsigned i = 0; i < n; ++i) {
        out += kDigits[bytes[i] >> 4];
        out += kDigits[bytes[i] & 15];
    }
    return out;
}

class MemorySink : public Sink {
public:
    void reset() override { data.clear(); }
    void write(std::string_view bytes) override { data.append(bytes); }
    std::uint64_t size() const override { return data.size(); }
    std::string data;
};

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

} // namespace

// ---- options ----------------------------------------------------------------------------------------------------

HttpOptions http_options_from_env() {
    HttpOptions o;
    o.backoff_base = std::chrono::milliseconds(core::net::env_long("QEVAL_HTTP_BACKOFF_MS", o.backoff_base.count()));
    o.max_attempts = static_cast<int>(std::max(1L, core::net::env_long("QEVAL_HTTP_ATTEMPTS", o.max_attempts)));
    o.low_speed_time_s = std::max(1L, core::net::env_long("QEVAL_HTTP_LOW_SPEED_S", o.low_speed_time_s));
    return o;
}

std::optional<std::string> HttpResponse::header(std::string_view name) const {
    std::string key = lower(name);
    for (const auto& [k, v] : headers)
        if (k == key) return v;
    return std::nullopt;
}

std::string url_encode(std::string_view text) {
    static constexpr char kDigits[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : text) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += kDigits[c >> 4];
            out += kDigits[c & 15];
        }
    }
    return out;
}

std::string describe_http_error(long status, const std::string& url, std::string_view body,
                                const std::optional<std::string>& hub_message) {
    std::string message;
    auto parsed = nlohmann::json::parse(body, nullptr, false);
    if (parsed.is_object() && parsed.contains("error") && parsed["error"].is_string())
        message = parsed["error"].get<std::string>();
    else if (hub_message)
        message = *hub_message;
    else
        message = std::string(core::trim(body));
    std::string out = "HTTP " + std::to_string(status) + " from " + url;
    if (!message.empty()) out += ": " + core::preview(core::to_valid_utf8(message), 300);
    return out;
}

// ---- FileSink ---------------------------------------------------------------------------------------------------

struct FileSink::State {
    std::FILE* file = nullptr;
    EVP_MD_CTX* sha = nullptr;
};

FileSink::FileSink(const fs::path& path) : state_(std::make_unique<State>()), path_(path) {
    state_->file = std::fopen(path.c_str(), "wb");
    QEVAL_CHECK(state_->file != nullptr, ErrorCode::storage,
                path.string() + ": cannot open for writing: " + std::strerror(errno));
    state_->sha = EVP_MD_CTX_new();
    QEVAL_CHECK(state_->sha && EVP_DigestInit_ex(state_->sha, EVP_sha256(), nullptr) == 1, ErrorCode::internal,
                "SHA-256 init failed");
}

FileSink::~FileSink() {
    if (state_->file) std::fclose(state_->file);
    if (state_->sha) EVP_MD_CTX_free(state_->sha);
}

void FileSink::reset() {
    QEVAL_CHECK(state_->file, ErrorCode::internal, path_.string() + ": sink already finished");
    std::fflush(state_->file);
    bool ok = ::ftruncate(::fileno(state_->file), 0) == 0 && std::fseek(state_->file, 0, SEEK_SET) == 0;
    QEVAL_CHECK(ok, ErrorCode::storage, path_.string() + ": cannot truncate: " + std::strerror(errno));
    EVP_DigestInit_ex(state_->sha, EVP_sha256(), nullptr);
    size_ = 0;
}

void FileSink::write(std::string_view bytes) {
    QEVAL_CHECK(state_->file, ErrorCode::internal, path_.string() + ": sink already finished");
    std::size_t n = std::fwrite(bytes.data(), 1, bytes.size(), state_->file);
    QEVAL_CHECK(n == bytes.size(), ErrorCode::storage,
                path_.string() + ": write failed (disk full?): " + std::strerror(errno));
    EVP_DigestUpdate(state_->sha, bytes.data(), bytes.size());
    size_ += bytes.size();
}

std::string FileSink::finish() {
    QEVAL_CHECK(state_->file, ErrorCode::internal, path_.string() + ": sink already finished");
    bool ok = std::fflush(state_->file) == 0 && ::fsync(::fileno(state_->file)) == 0;
    ok = (std::fclose(state_->file) == 0) && ok;
    state_->file = nullptr;
    QEVAL_CHECK(ok, ErrorCode::storage, path_.string() + ": write failed (disk full?): " + std::strerror(errno));
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(state_->sha, digest, &len);
    return to_hex(digest, len);
}

// ---- one attempt ------------------------------------------------------------------------------------------------

struct HttpAttempt {
    CURLcode code = CURLE_OK;
    long status = 0;               // of the response being received (the last one when done)
    std::size_t final_headers = 0; // index in `headers` where the last response's headers start
    std::vector<std::pair<std::string, std::string>> headers;
    bool body_started = false;
    bool appending = false;     // a 206 answer to our Range request: bytes go after what the sink holds
    bool bad_range = false;     // a 206 for a range we did not ask for
    std::string error_body;     // body of a non-2xx response, capped
    std::uint64_t received = 0; // 2xx body bytes of this attempt
    std::uint64_t resume_from = 0;
    std::int64_t content_length = -1;
    std::string effective_url;
    char curl_error[CURL_ERROR_SIZE] = {};
    std::exception_ptr sink_error;
    Sink* sink = nullptr;
    const ProgressFn* progress = nullptr;

    std::optional<std::string> final_header(std::string_view name) const {
        for (std::size_t i = final_headers; i < headers.size(); ++i)
            if (headers[i].first == name) return headers[i].second;
        return std::nullopt;
    }
};

namespace {

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* a = static_cast<HttpAttempt*>(user);
    std::string_view line(data, size * n);
    line = core::trim(line);
    if (line.starts_with("HTTP/")) { // a new response begins (redirects, 100 Continue)
        auto parts = core::split(line, ' ');
        a->status = parts.size() >= 2 ? std::strtol(std::string(parts[1]).c_str(), nullptr, 10) : 0;
        a->final_headers = a->headers.size();
        a->body_started = false;
        return size * n;
    }
    auto colon = line.find(':');
    if (colon != std::string_view::npos)
        a->headers.emplace_back(lower(core::trim(line.substr(0, colon))),
                                std::string(core::trim(line.substr(colon + 1))));
    return size * n;
}

// First body byte of a 2xx response: a 206 must start where we asked (then bytes are appended to the sink);
// a 200 starts the sink over. False for a 206 of another range, whose bytes must not be written.
bool start_body(HttpAttempt& a) {
    a.body_started = true;
    a.appending = false;
    if (a.status == 206) {
        auto range = a.final_header("content-range"); // "bytes START-END/TOTAL"
        a.appending = range && range->starts_with("bytes " + std::to_string(a.resume_from) + "-");
        a.bad_range = !a.appending;
        return a.appending;
    }
    a.sink->reset();
    return true;
}

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* a = static_cast<HttpAttempt*>(user);
    std::size_t len = size * n;
    if (a->status < 200 || a->status > 299) {
        std::size_t room = kMaxErrorBody - std::min(kMaxErrorBody, a->error_body.size());
        a->error_body.append(data, std::min(room, len));
        return len;
    }
    try {
        if (!a->body_started && !start_body(*a)) return 0; // aborts the transfer; classify() retries from byte 0
        a->sink->write(std::string_view(data, len));
        a->received += len;
        if (a->progress && *a->progress) {
            std::uint64_t base = a->appending ? a->resume_from : 0;
            auto cl = a->final_header("content-length");
            std::uint64_t total = cl ? base + std::strtoull(cl->c_str(), nullptr, 10) : 0;
            (*a->progress)(base + a->received, total);
        }
    } catch (...) {
        a->sink_error = std::current_exception();
        return 0; // CURLE_WRITE_ERROR
    }
    return len;
}

} // namespace

// ---- the client -------------------------------------------------------------------------------------------------

HttpClient::HttpClient(HttpOptions options) : options_(std::move(options)) {
    global_init();
    curl_ = curl_easy_init();
    QEVAL_CHECK(curl_ != nullptr, ErrorCode::runtime, "libcurl: curl_easy_init failed");
}

HttpClient::~HttpClient() {
    if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
}

std::string HttpClient::redact(std::string text) const {
    if (options_.bearer_token.empty()) return text;
    return core::replace_all(std::move(text), options_.bearer_token, "<redacted>");
}

void HttpClient::perform(const std::string& url, bool is_file, HttpAttempt& a) {
    CURL* c = static_cast<CURL*>(curl_);
    curl_easy_reset(c); // keeps the connection cache
    curl_slist* list = curl_slist_append(nullptr, "Accept: */*");
    std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> guard(list, &curl_slist_free_all);
    // A custom Authorization header is not sent on to another host after a redirect (libcurl >= 7.58), so the
    // token stays with the Hub and never reaches the CDN that a resolve URL redirects to.
    if (!options_.bearer_token.empty())
        curl_slist_append(list, ("Authorization: Bearer " + options_.bearer_token).c_str());
    if (a.resume_from > 0) curl_slist_append(list, ("Range: bytes=" + std::to_string(a.resume_from) + "-").c_str());
    std::string agent = std::string("qeval/") + kVersion;
    curl_easy_setopt(c, CURLOPT_URL, url.c_str());
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, list);
    curl_easy_setopt(c, CURLOPT_USERAGENT, agent.c_str());
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, options_.connect_timeout_s);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, options_.low_speed_time_s);
    // JSON pages may come compressed; files come as stored so Content-Length and Range count their bytes.
    if (!is_file) curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, a.curl_error);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a);
    a.code = curl_easy_perform(c);
    long status = 0;
    if (curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status) == CURLE_OK && status != 0) a.status = status;
    char* effective = nullptr;
    if (curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &effective) == CURLE_OK && effective) a.effective_url = effective;
    curl_off_t length = -1;
    if (curl_easy_getinfo(c, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) == CURLE_OK) a.content_length = length;
}

namespace {

enum class Verdict { ok, retry, fail };

// Decides what one finished attempt means; `reason` says why it failed.
Verdict classify(HttpAttempt& a, const std::string& url, std::string& reason) {
    if (a.bad_range) {
        a.sink->reset();
        reason = "GET " + url + ": the server answered a Range request with another range";
        return Verdict::retry;
    }
    if (a.code != CURLE_OK) {
        reason = "GET " + url + ": " + (a.curl_error[0] ? a.curl_error : curl_easy_strerror(a.code)) + " (curl error " +
                 std::to_string(static_cast<int>(a.code)) + ")";
        return core::net::retryable_transport(a.code) ? Verdict::retry : Verdict::fail;
    }
    if (a.status >= 200 && a.status <= 299) {
        if (!a.body_started) start_body(a); // an empty body still replaces what the sink held
        bool identity = !a.final_header("content-encoding");
        if (identity && a.content_length >= 0 && a.received != static_cast<std::uint64_t>(a.content_length)) {
            reason = "truncated body from " + url + ": got " + std::to_string(a.received) + " of " +
                     std::to_string(a.content_length) + " bytes";
            return Verdict::retry;
        }
        return Verdict::ok;
    }
    reason = describe_http_error(a.status, url, a.error_body, a.final_header("x-error-message"));
    if (a.status == 416 && a.resume_from > 0) {
        a.sink->reset(); // the range we asked for no longer fits: start over
        return Verdict::retry;
    }
    return core::net::retryable_status(a.status) ? Verdict::retry : Verdict::fail;
}

} // namespace

void HttpClient::wait_before_retry(int attempt_no, const HttpAttempt& a, const std::string& reason) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    std::optional<std::chrono::seconds> after;
    if (auto value = a.final_header("retry-after")) after = core::net::parse_retry_after(*value);
    auto delay = core::net::backoff_delay({options_.backoff_base, options_.backoff_max, options_.retry_after_max},
                                          attempt_no, after, rng);
    if (options_.on_retry) {
        char secs[32];
        std::snprintf(secs, sizeof secs, "%.1f", static_cast<double>(delay.count()) / 1000.0);
        options_.on_retry(redact(reason + "; retry " + std::to_string(attempt_no) + "/" +
                                 std::to_string(options_.max_attempts - 1) + " in " + secs + " s"));
    }
    std::this_thread::sleep_for(delay);
}

HttpResponse HttpClient::run(const std::string& url, Sink& sink, const ProgressFn& progress, bool is_file) {
    for (int attempt_no = 1;; ++attempt_no) {
        HttpAttempt a;
        a.sink = &sink;
        a.progress = &progress;
        a.resume_from = is_file ? sink.size() : 0;
        if (!is_file) sink.reset();
        perform(url, is_file, a);
        if (a.sink_error) std::rethrow_exception(a.sink_error);
        std::string reason;
        Verdict verdict = classify(a, url, reason);
        if (verdict == Verdict::ok) {
            HttpResponse r;
            r.status = a.status;
            r.effective_url = redact(a.effective_url);
            r.headers = std::move(a.headers);
            return r;
        }
        bool http = a.code == CURLE_OK;
        if (verdict == Verdict::retry && attempt_no < options_.max_attempts) {
            wait_before_retry(attempt_no, a, reason);
            continue;
        }
        if (verdict == Verdict::retry) reason = "gave up after " + std::to_string(attempt_no) + " attempts: " + reason;
        if (http) throw HttpError(a.status, redact(reason));
        throw Error(ErrorCode::network, redact(reason));
    }
}

HttpResponse HttpClient::get(const std::string& url, const ProgressFn& progress) {
    MemorySink sink;
    HttpResponse r = run(url, sink, progress, false);
    r.body = std::move(sink.data);
    return r;
}

HttpResponse HttpClient::get_to_sink(const std::string& url, Sink& sink, const ProgressFn& progress) {
    return run(url, sink, progress, true);
}

} // namespace qeval::harness::data
