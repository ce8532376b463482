// Strict UTF-8 validation for GGUF keys and strings (internal to gguf/).
#pragma once
#include <cstddef>
#include <string>
#include <string_view>

namespace lantern::gguf_detail {

// Offset of the first byte that starts an invalid sequence (overlong forms,
// surrogates, code points past U+10FFFF, cut-off sequences), or npos when
// the whole string is valid.
size_t find_invalid_utf8(std::string_view s);

// The string with bytes outside printable ASCII written as \xNN, shortened to
// about `max_chars`: safe to put in an error message.
std::string escape_for_message(std::string_view s, size_t max_chars = 80);

}  // namespace lantern::gguf_detail
