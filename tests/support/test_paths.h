// Where tests find shared models and repo fixtures.
#pragma once
#include <string>

namespace lantern::test {

inline std::string shared(const std::string& rel) { return std::string(LANTERN_SHARED_DIR) + "/" + rel; }
inline std::string source(const std::string& rel) { return std::string(LANTERN_SOURCE_DIR) + "/" + rel; }
inline std::string stories260k() { return shared("models/stories260K/stories260K.gguf"); }

}  // namespace lantern::test
