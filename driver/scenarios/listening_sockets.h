// Which local addresses a TCP port is listening on, from /proc/net/tcp and
// /proc/net/tcp6 (this network namespace). Used to prove that the rig's
// server and the browser's DevTools port are bound to loopback only.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lantern::rig {

// Listening sockets on `port`, each as a readable address ("127.0.0.1",
// "0.0.0.0", "::1", "::", or the raw hex of another IPv6 address).
std::vector<std::string> listening_addresses(uint16_t port);

// True when `address` (as listening_addresses() writes it) is loopback.
bool is_loopback_address(const std::string& address);

}  // namespace lantern::rig
