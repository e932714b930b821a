// An incremental Server-Sent Events reader (WHATWG HTML Living Standard, section 9.2.6 "Interpreting an event
// stream"): bytes arrive in any chunking; each blank line dispatches the event, whose data is its `data:` lines joined
// by '\n'. Comments (":..."), `event`, `id` and `retry` fields are ignored (OpenAI-compatible servers send data only).
// Line ends: CRLF, LF or CR. A line or event over `max_event_bytes` stops the reader (overflow()).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace qeval::runners {

class SseReader {
public:
    explicit SseReader(std::size_t max_event_bytes = 16 << 20) : max_(max_event_bytes) {}

    // Feeds bytes; calls on_event(std::string_view data) for every complete event. Returns false once overflowed, or
    // when on_event returned false (the caller wants to stop reading).
    template <class OnEvent> bool feed(std::string_view bytes, OnEvent&& on_event);

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
    while (!bytes.empty()) {
        std::size_t end = 0; // the first CR or LF (find_first_of calls memchr once per byte: too slow here)
        while (end < bytes.size() && bytes[end] != '\n' && bytes[end] != '\r')
            ++end;
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
