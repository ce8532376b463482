// Content-Type by file extension for what the rig serves: the web build
// (wasm, JS modules), test pages and model files. Pure logic, header-only.
// application/wasm is required for WebAssembly.instantiateStreaming, and
// module scripts must have a JavaScript MIME type, so both are exact.
#pragma once
#include <string_view>

namespace lantern::rig {

inline constexpr std::string_view kDefaultMimeType = "application/octet-stream";

// Case-insensitive on the extension; unknown or missing → octet-stream.
inline std::string_view mime_type_for(std::string_view path) {
  struct Entry {
    std::string_view ext;
    std::string_view type;
  };
  static constexpr Entry kTable[] = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"js", "text/javascript; charset=utf-8"},
      {"mjs", "text/javascript; charset=utf-8"},
      {"css", "text/css; charset=utf-8"},
      {"json", "application/json"},
      {"map", "application/json"},
      {"wasm", "application/wasm"},
      {"gguf", "application/octet-stream"},
      {"bin", "application/octet-stream"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"ico", "image/x-icon"},
      {"svg", "image/svg+xml"},
      {"txt", "text/plain; charset=utf-8"},
      {"wgsl", "text/plain; charset=utf-8"},
      {"xml", "application/xml"},
  };
  size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot + 1 >= name.size()) return kDefaultMimeType;
  std::string_view ext = name.substr(dot + 1);
  if (ext.size() > 8) return kDefaultMimeType;
  char lower[8];
  for (size_t i = 0; i < ext.size(); ++i) {
    char c = ext[i];
    lower[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
  }
  std::string_view key(lower, ext.size());
  for (const Entry& e : kTable) {
    if (e.ext == key) return e.type;
  }
  return kDefaultMimeType;
}

}  // namespace lantern::rig
