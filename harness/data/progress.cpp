// Progress lines for `qeval data pull` (see progress.hpp). Redraws use "\r" and "ESC[K" (erase to end of line,
// ECMA-48 EL) so a shorter line leaves nothing behind; nothing is drawn when stderr is not a terminal.
#include "harness/data/progress.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>

namespace qeval::harness::data {

namespace {
constexpr int kBarWidth = 24;

std::string fixed(double x, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    return buf;
}

std::string format_count(ProgressUnit unit, std::uint64_t n) {
    if (unit == ProgressUnit::bytes) return format_bytes(n);
    return std::to_string(n) + (unit == ProgressUnit::rows ? " rows" : " samples");
}

std::string format_duration(double seconds) {
    auto s = static_cast<std::uint64_t>(seconds + 0.5);
    char buf[32];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                      static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
    else
        std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60),
                      static_cast<unsigned long long>(s % 60));
    return buf;
}
} // namespace

std::string format_bytes(std::uint64_t bytes) {
    static constexpr const char* kUnits[] = {"B", "kB", "MB", "GB", "TB"};
    double x = static_cast<double>(bytes);
    int unit = 0;
    while (x >= 1000.0 && unit < 4) {
        x /= 1000.0;
        ++unit;
    }
    return unit == 0 ? std::to_string(bytes) + " B" : fixed(x, 1) + " " + kUnits[unit];
}

std::string format_progress(const std::string& label, ProgressUnit unit, std::uint64_t done, std::uint64_t total,
                            double elapsed_s, const std::string& extra) {
    std::string line = label;
    if (total > 0) {
        double frac = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
        int filled = static_cast<int>(frac * kBarWidth);
        line += "  [" + std::string(static_cast<std::size_t>(filled), '#') +
                std::string(static_cast<std::size_t>(kBarWidth - filled), ' ') + "] " + fixed(frac * 100.0, 0) + "%";
        line += "  " + format_count(unit, done) + " / " + format_count(unit, total);
    } else {
        line += "  " + format_count(unit, done);
    }
    if (elapsed_s > 0.05 && done > 0) {
        double rate = static_cast<double>(done) / elapsed_s;
        line += "  " + (unit == ProgressUnit::bytes
                            ? format_bytes(static_cast<std::uint64_t>(rate)) + "/s"
                            : fixed(rate, rate < 10 ? 1 : 0) + (unit == ProgressUnit::rows ? " rows/s" : " samples/s"));
        if (total > done) line += "  ETA " + format_duration(static_cast<double>(total - done) / rate);
    }
    if (!extra.empty()) line += "  " + extra;
    return line;
}

Progress::Progress(std::string label, ProgressUnit unit, bool terminal)
    : label_(std::move(label)), unit_(unit), terminal_(terminal), start_(std::chrono::steady_clock::now()) {}

Progress::~Progress() {
    clear_line();
}

double Progress::elapsed_s() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void Progress::clear_line() {
    if (!drawn_) return;
    std::cerr << "\r\x1b[K" << std::flush;
    drawn_ = false;
}

void Progress::update(std::uint64_t done, std::uint64_t total, const std::string& extra) {
    done_ = done;
    total_ = total;
    extra_ = extra;
    if (!terminal_) return;
    auto now = std::chrono::steady_clock::now();
    if (drawn_ && now - last_draw_ < std::chrono::milliseconds(100) && !(total > 0 && done >= total)) return;
    last_draw_ = now;
    std::cerr << "\r" << format_progress(label_, unit_, done, total, elapsed_s(), extra) << "\x1b[K" << std::flush;
    drawn_ = true;
}

void Progress::note(const std::string& line) {
    clear_line();
    std::cerr << "  " << label_ << ": " << line << "\n" << std::flush;
    if (terminal_) update(done_, total_, extra_);
}

void Progress::finish(const std::string& summary) {
    clear_line();
    std::cerr << label_ << ": " << summary << "\n" << std::flush;
}

} // namespace qeval::harness::data
