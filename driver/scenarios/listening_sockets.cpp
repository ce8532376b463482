#include "scenarios/listening_sockets.h"

#include <cstdio>
#include <fstream>
#include <sstream>

namespace lantern::rig {

namespace {

// /proc/net/tcp writes an IPv4 address as 8 hex digits of the address in
// host (little-endian) order: 0100007F is 127.0.0.1.
std::string ipv4_from_hex(const std::string& hex) {
  unsigned long v = std::stoul(hex, nullptr, 16);
  return std::to_string(v & 0xff) + "." + std::to_string((v >> 8) & 0xff) + "." + std::to_string((v >> 16) & 0xff) +
         "." + std::to_string((v >> 24) & 0xff);
}

std::string ipv6_from_hex(const std::string& hex) {
  if (hex == std::string(32, '0')) return "::";
  if (hex == "00000000000000000000000001000000") return "::1";
  // IPv4-mapped ::ffff:a.b.c.d
  if (hex.substr(0, 24) == "0000000000000000FFFF0000") return "::ffff:" + ipv4_from_hex(hex.substr(24));
  return hex;
}

void scan(const char* table, uint16_t port, bool v6, std::vector<std::string>& out) {
  std::ifstream in(table);
  std::string line;
  std::getline(in, line);  // header
  char want[8];
  std::snprintf(want, sizeof want, ":%04X", port);
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string slot, local, remote, state;
    ss >> slot >> local >> remote >> state;
    if (state != "0A" || local.size() <= 5 || local.substr(local.size() - 5) != want) continue;  // 0A: LISTEN
    const std::string hex = local.substr(0, local.size() - 5);
    out.push_back(v6 ? ipv6_from_hex(hex) : ipv4_from_hex(hex));
  }
}

}  // namespace

std::vector<std::string> listening_addresses(uint16_t port) {
  std::vector<std::string> out;
  scan("/proc/net/tcp", port, false, out);
  scan("/proc/net/tcp6", port, true, out);
  return out;
}

bool is_loopback_address(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1" || address.rfind("::ffff:127.", 0) == 0;
}

}  // namespace lantern::rig
