// An incremental Server-Sent Events reader (WHATWG HTML Living Standard, section 9.2.6 "Interpreting an event
// stream"): bytes arrive in any chunking; each blank line dispatches the event, whose data is its `data:` lines joined
// by '\n'. Comments (":..."), `event`, `id` and `retry` fields are ignored (OpenAI-compatible servers send data only).
// Line ends: CRLF, LF or CR. A line or event over `max_event_bytes` stops the reader (overflow()).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace qeval::runners {

class SseReader {
public:
    explicit SseReader(std::size_t max_event_bytes = 16 << 20) : max_(max_event_bytes) {}

    // Feeds bytes; calls on_event(std::string_view data) for every complete event. Returns false once overflowed, or
    // when on_event returned false (the caller wants to stop reading).
    template <class OnEvent> bool feed(std::string_view bytes, OnEvent&& on_event);

    // Ready for a new stream, keeping the buffers' capacity (a reader is reused for every request of a connection).
    void reset() {
        line_.clear();
        data_.clear();
        has_data_ = skip_lf_ = overflow_ = false;
    }

    bool overflow() const { return overflow_; }
    // True while a line or an event is only partly received (a stream that ends here was cut mid-event).
    bool mid_event() const { return !line_.empty() || has_data_; }

private:
    template <class OnEvent> bool line(std::string_view l, OnEvent& on_event);

    std::size_t max_;
    std::string line_; // a partial line carried over to the next feed
    std::string data_; // data of the event being built
    bool has_data_ = false;
    bool skip_lf_ = false; // the previous feed ended with CR: a leading LF belongs to that line end
    bool overflow_ = false;
};

template <class OnEvent> bool SseReader::line(std::string_view l, OnEvent& on_event) {
    if (l.empty()) { // dispatch
        if (!has_data_) return true;
        has_data_ = false;
        bool go_on = on_event(std::string_view(data_));
        data_.clear();
        return go_on;
    }
    if (l.front() == ':') return true; // comment
    std::size_t colon = l.find(':');
    std::string_view field = l.substr(0, colon);
    std::string_view value = colon == std::string_view::npos ? std::string_view{} : l.substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    if (field != "data") return true;
    if (has_data_) data_ += '\n';
    if (data_.size() + value.size() > max_) {
        overflow_ = true;
        return false;
    }
    data_.append(value);
    has_data_ = true;
    return true;
}

template <class OnEvent> bool SseReader::feed(std::string_view bytes, OnEvent&& on_event) {
    if (overflow_) return false;
    if (skip_lf_ && !bytes.empty()) {
        if (bytes.front() == '\n') bytes.remove_prefix(1);
        skip_lf_ = false;
    }
    // The next CR and LF, found by memchr and looked for again only once passed (most servers send LF only).
    auto next = [&](char c) { return static_cast<const char*>(std::memchr(bytes.data(), c, bytes.size())); };
    const char* cr = next('\r');
    const char* lf = next('\n');
    while (!bytes.empty()) {
        if (cr && cr < bytes.data()) cr = next('\r');
        if (lf && lf < bytes.data()) lf = next('\n');
        const char* stop = lf && cr ? std::min(lf, cr) : (lf ? lf : cr);
        std::size_t end = stop ? static_cast<std::size_t>(stop - bytes.data()) : bytes.size();
        if (end == bytes.size()) {
            if (line_.size() + bytes.size() > max_) {
                overflow_ = true;
                return false;
            }
            line_.append(bytes);
            return true;
        }
        bool go_on;
        if (line_.empty()) {
            go_on = line(bytes.substr(0, end), on_event);
        } else {
            line_.append(bytes.substr(0, end));
            std::string whole = std::move(line_);
            line_.clear();
            go_on = line(std::string_view(whole), on_event);
        }
        if (bytes[end] == '\r') {
            if (end + 1 < bytes.size()) {
                if (bytes[end + 1] == '\n') ++end;
            } else {
                skip_lf_ = true;
            }
        }
        bytes.remove_prefix(end + 1);
        if (!go_on) return false;
    }
    return true;
}

} // namespace qeval::runners
