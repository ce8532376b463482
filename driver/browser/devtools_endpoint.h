// Finding the DevTools websocket of a browser started with
// --remote-debugging-port=0: Chromium writes the chosen port and the browser
// target's path to <user-data-dir>/DevToolsActivePort and prints
// "DevTools listening on ws://..." on stderr. Either source will do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lantern::rig {

struct DevToolsEndpoint {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  std::string path;  // e.g. /devtools/browser/<uuid>
  std::string url() const;  // ws://host:port/path
};

// Parses the two-line DevToolsActivePort file ("<port>\n<path>\n").
std::optional<DevToolsEndpoint> parse_devtools_active_port(std::string_view contents);
// Parses a "DevTools listening on ws://host:port/path" line (or any text
// containing one); the first match wins.
std::optional<DevToolsEndpoint> parse_devtools_listening_line(std::string_view text);
// Parses a ws://host:port/path url.
std::optional<DevToolsEndpoint> parse_ws_url(std::string_view url);
// Reads and parses <user_data_dir>/DevToolsActivePort if it is complete.
std::optional<DevToolsEndpoint> read_devtools_active_port(const std::string& user_data_dir);

}  // namespace lantern::rig
