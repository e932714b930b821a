// Progress on stderr, for `qeval data pull` (bytes or rows of one file) and `qeval run` (samples of one run): on a
// terminal, a bar redrawn in place with rate and ETA (and the caller's extra fields: errors, tokens...); otherwise
// (CI, redirected) nothing while it runs and one plain line at the end.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace qeval::harness::data {

enum class ProgressUnit { bytes, rows, samples };

// "1.5 MB", "830 B" (decimal units, as download tools show them).
std::string format_bytes(std::uint64_t bytes);
// One progress line without control characters: label, bar (when total > 0), percent, done/total, rate, ETA, extra.
std::string format_progress(const std::string& label, ProgressUnit unit, std::uint64_t done, std::uint64_t total,
                            double elapsed_s, const std::string& extra = "");

class Progress {
public:
    Progress(std::string label, ProgressUnit unit, bool terminal);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    // Redraws at most 10 times a second; `extra` is appended to the line.
    void update(std::uint64_t done, std::uint64_t total, const std::string& extra = "");
    void note(const std::string& line);      // a message (a retry) on its own line
    void finish(const std::string& summary); // "label: summary" replaces the bar
    double elapsed_s() const;

private:
    void clear_line();
    std::string label_;
    ProgressUnit unit_;
    bool terminal_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point start_;
    std::chrono::steady_clock::time_point last_draw_{};
    std::uint64_t done_ = 0;
    std::uint64_t total_ = 0;
    std::string extra_;
};

} // namespace qeval::harness::data
