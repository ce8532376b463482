// A byte count for error messages: "12000 bytes", "128 MiB", "1.5 GiB".
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace lantern {

inline std::string byte_size(uint64_t n) {
  if (n < (1u << 20)) return std::to_string(n) + " bytes";
  const bool gib = n >= (uint64_t{1} << 30);
  const double v = static_cast<double>(n) / static_cast<double>(gib ? uint64_t{1} << 30 : uint64_t{1} << 20);
  char buf[48];
  std::snprintf(buf, sizeof buf, v == static_cast<double>(static_cast<uint64_t>(v)) ? "%.0f %s" : "%.1f %s", v,
                gib ? "GiB" : "MiB");
  return buf;
}

}  // namespace lantern
