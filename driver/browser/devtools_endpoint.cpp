#include "browser/devtools_endpoint.h"

#include <charconv>
#include <fstream>
#include <sstream>

namespace lantern::rig {
namespace {

std::optional<uint16_t> parse_port(std::string_view s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535)
    return std::nullopt;
  return static_cast<uint16_t>(value);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\r' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string DevToolsEndpoint::url() const {
  return "ws://" + host + ":" + std::to_string(port) + path;
}

std::optional<DevToolsEndpoint> parse_devtools_active_port(std::string_view contents) {
  // Chromium writes the file in one go but we may read it mid-write: insist
  // on both lines being present.
  auto nl = contents.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;
  auto port = parse_port(trim(contents.substr(0, nl)));
  std::string_view rest = contents.substr(nl + 1);
  auto nl2 = rest.find('\n');
  std::string_view path = trim(nl2 == std::string_view::npos ? rest : rest.substr(0, nl2));
  if (!port || path.empty() || path.front() != '/') return std::nullopt;
  DevToolsEndpoint ep;
  ep.port = *port;
  ep.path = std::string(path);
  return ep;
}

std::optional<DevToolsEndpoint> parse_ws_url(std::string_view url) {
  constexpr std::string_view kScheme = "ws://";
  if (url.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  url.remove_prefix(kScheme.size());
  auto slash = url.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view hostport = url.substr(0, slash);
  auto colon = hostport.rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  auto port = parse_port(hostport.substr(colon + 1));
  if (!port) return std::nullopt;
  DevToolsEndpoint ep;
  ep.host = std::string(hostport.substr(0, colon));
  ep.port = *port;
  std::string_view path = url.substr(slash);
  auto end = path.find_first_of(" \t\r\n");
  ep.path = std::string(end == std::string_view::npos ? path : path.substr(0, end));
  return ep;
}

std::optional<DevToolsEndpoint> parse_devtools_listening_line(std::string_view text) {
  constexpr std::string_view kPrefix = "DevTools listening on ";
  auto pos = text.find(kPrefix);
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view rest = text.substr(pos + kPrefix.size());
  auto nl = rest.find('\n');
  if (nl == std::string_view::npos) return std::nullopt;  // line not complete yet
  return parse_ws_url(trim(rest.substr(0, nl)));
}

std::optional<DevToolsEndpoint> read_devtools_active_port(const std::string& user_data_dir) {
  std::ifstream in(user_data_dir + "/DevToolsActivePort");
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return parse_devtools_active_port(ss.str());
}

}  // namespace lantern::rig
