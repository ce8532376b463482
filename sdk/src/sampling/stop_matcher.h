// Finds stop strings in streamed text. Text that could still turn out to be
// the start of a stop string is held back, so a stop string split across
// tokens is never emitted, not even in part.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace lantern {

class StopMatcher {
 public:
  explicit StopMatcher(std::vector<std::string> stops);

  struct Result {
    std::string emit;     // safe to show now
    bool stopped = false; // a stop string matched; everything from it on is dropped
  };
  Result push(std::string_view text);
  std::string flush();  // end of generation: release what was held back
  bool stopped() const { return stopped_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace lantern
