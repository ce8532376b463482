// A small "--name value" / "--flag" command-line reader shared by the sdk's
// tools: unknown options and missing or malformed values are errors that
// name the option, never silently ignored.
#pragma once
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace lantern::cli {

class Args {
 public:
  // `with_value` options take the next argument; `flags` take none.
  Args(int argc, char** argv, const std::set<std::string>& with_value, const std::set<std::string>& flags) {
    for (int i = 1; i < argc; ++i) {
      const std::string a = argv[i];
      if (with_value.count(a)) {
        if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
        values_[a].push_back(argv[++i]);
      } else if (flags.count(a)) {
        flags_.insert(a);
      } else {
        throw std::invalid_argument("unknown option " + a + " (see --help)");
      }
    }
  }
  bool flag(const std::string& name) const { return flags_.count(name) > 0; }
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::string str(const std::string& name, const std::string& def = "") const {
    auto it = values_.find(name);
    return it == values_.end() ? def : it->second.back();
  }
  std::vector<std::string> all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
  }
  int64_t integer(const std::string& name, int64_t def, int64_t lo, int64_t hi) const {
    if (!has(name)) return def;
    const std::string s = str(name);
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end || errno || v < lo || v > hi)
      throw std::invalid_argument(name + " wants an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + ", got '" + s + "'");
    return v;
  }
  double number(const std::string& name, double def, double lo, double hi) const {
    if (!has(name)) return def;
    const std::string s = str(name);
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end || !(v >= lo && v <= hi))
      throw std::invalid_argument(name + " wants a number in [" + std::to_string(lo) + ", " + std::to_string(hi) + "], got '" + s + "'");
    return v;
  }

 private:
  std::map<std::string, std::vector<std::string>> values_;
  std::set<std::string> flags_;
};

}  // namespace lantern::cli
