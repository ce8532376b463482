// Names in one line, as help texts and error messages list them.
#pragma once
#include <string>
#include <vector>

namespace lantern::rig {

inline std::string join(const std::vector<std::string>& names, const char* sep = ", ") {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : sep) + n;
  return out;
}

}  // namespace lantern::rig
