// The retry policy every HTTP client in qeval follows (dataset downloads, endpoint runners): what is retried, how
// long to wait. Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), a
// server's Retry-After honoured as RFC 9110 section 10.2.3 defines it (delay-seconds or an HTTP-date).
// Retried: transport failures, 408, 429 and 5xx except 501. Never retried: the other 4xx (a bad request stays bad).
#pragma once

#include <chrono>
#include <optional>
#include <random>
#include <string_view>

#include <curl/curl.h>

namespace qeval::core::net {

struct Backoff {
    std::chrono::milliseconds base{1000};      // ceiling of the first wait; doubles with each retry
    std::chrono::milliseconds max{60000};      // the ceiling never grows past this
    std::chrono::seconds retry_after_max{300}; // a longer Retry-After is cut to this
};

bool retryable_status(long status);
bool retryable_transport(CURLcode code);

// Retry-After's value ("120" or "Fri, 31 Dec 1999 23:59:59 GMT"), as a wait from now; empty when unparseable.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value);

// The wait before retry number `retry_no` (1 = the first retry): uniform in [0, min(max, base * 2^(retry_no-1))),
// but at least the server's Retry-After (capped at retry_after_max).
std::chrono::milliseconds backoff_delay(const Backoff& policy, int retry_no,
                                        std::optional<std::chrono::seconds> retry_after, std::mt19937_64& rng);

// A non-negative integer from the environment (tests shorten waits with QEVAL_HTTP_BACKOFF_MS...), else `fallback`;
// Error(usage) naming the variable when it is set to something else.
long env_long(const char* name, long fallback);

} // namespace qeval::core::net
