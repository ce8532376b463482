// File and text helpers the tests share.
#pragma once
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace lantern::test {

// The whole file. A missing file throws naming it: a test that read "" would
// go on comparing against nothing.
inline std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// "48690a" -> "Hi\n": goldens keep texts that are not valid UTF-8 as hex.
inline std::string from_hex(const std::string& hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) out.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

}  // namespace lantern::test
