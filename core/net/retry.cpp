// See retry.hpp.
#include "core/net/retry.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <string>

#include "core/error.hpp"
#include "core/text.hpp"

namespace qeval::core::net {

bool retryable_status(long status) {
    return status == 408 || status == 429 || (status >= 500 && status != 501);
}

bool retryable_transport(CURLcode code) {
    switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_OPERATION_TIMEDOUT:
    case CURLE_PARTIAL_FILE:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_BAD_CONTENT_ENCODING:
    case CURLE_WEIRD_SERVER_REPLY:
        return true;
    default:
        return false;
    }
}

std::optional<std::chrono::seconds> parse_retry_after(std::string_view value) {
    std::string v(trim(value));
    if (v.empty()) return std::nullopt;
    if (std::all_of(v.begin(), v.end(), [](unsigned char c) { return std::isdigit(c); }))
        return std::chrono::seconds(v.size() > 9 ? 999999999LL : std::strtoll(v.c_str(), nullptr, 10));
    std::time_t when = curl_getdate(v.c_str(), nullptr);
    if (when < 0) return std::nullopt;
    return std::chrono::seconds(std::max<std::time_t>(0, when - std::time(nullptr)));
}

std::chrono::milliseconds backoff_delay(const Backoff& policy, int retry_no,
                                        std::optional<std::chrono::seconds> retry_after, std::mt19937_64& rng) {
    double ceiling_ms = static_cast<double>(policy.base.count()) * std::pow(2.0, std::min(retry_no - 1, 40));
    ceiling_ms = std::min(ceiling_ms, static_cast<double>(policy.max.count()));
    auto delay = std::chrono::milliseconds(
        static_cast<std::int64_t>(std::uniform_real_distribution<double>(0.0, ceiling_ms)(rng)));
    if (retry_after) delay = std::max<std::chrono::milliseconds>(delay, std::min(*retry_after, policy.retry_after_max));
    return delay;
}

long env_long(const char* name, long fallback) {
    const char* v = std::getenv(name);
    if (!v || !*v) return fallback;
    char* end = nullptr;
    long x = std::strtol(v, &end, 10);
    QEVAL_CHECK(end && *end == '\0' && x >= 0, ErrorCode::usage,
                std::string("$") + name + ": expected a non-negative integer, got '" + v + "'");
    return x;
}

} // namespace qeval::core::net
