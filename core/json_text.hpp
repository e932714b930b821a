// JSON text written directly, without a tree: a string literal exactly as nlohmann::json dumps it. For hot paths
// (the endpoint runner's request bodies, the fake server's responses) where building a json value per string costs
// more than the rest of the work.
#pragma once

#include <string>
#include <string_view>

namespace qeval::core {

// Appends `text` as a JSON string literal, quotes included, byte for byte what nlohmann::json's dump() writes
// (UTF-8 kept, control characters escaped; invalid UTF-8 replaced by U+FFFD as with error_handler_t::replace).
void append_json_string(std::string& out, std::string_view text);

// The same, as a new string.
std::string json_string(std::string_view text);

} // namespace qeval::core
