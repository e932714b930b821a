// Small string helpers shared by readers and graders: trimming, splitting, case, UTF-8 validity.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace qeval::core {

std::string_view trim(std::string_view s); // ASCII whitespace both ends
std::string_view trim_left(std::string_view s);
std::string_view trim_right(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep); // keeps empty fields
std::string to_lower(std::string_view s);                          // ASCII only
std::string replace_all(std::string s, std::string_view from, std::string_view to);
std::string join(const std::vector<std::string>& parts, std::string_view sep); // "a, b, c"
bool is_valid_utf8(std::string_view s);
// Appends the UTF-8 encoding of code point `cp` (<= U+10FFFF; the caller rules out surrogates where it must).
void append_utf8(std::string& out, std::uint32_t cp);
// The value of a hexadecimal digit, or -1.
int hex_digit(char c);
// Replaces invalid UTF-8 sequences with U+FFFD so the result can go into JSON.
std::string to_valid_utf8(std::string_view s);
// "abc..." cut to at most max bytes on a UTF-8 boundary, with a marker when cut (for error messages).
std::string preview(std::string_view s, std::size_t max = 80);

} // namespace qeval::core
