// The SDK's layers, enforced: a folder of sdk/src may include only the
// folders below it. An upward include (say, backend/ reaching into engine/)
// fails here naming the file and line. This table is the one owner of the
// rule; docs/architecture.md ("Layers") draws it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

#include "support/test_paths.h"

namespace fs = std::filesystem;

namespace {

// Each layer and what it may include besides itself. Lower layers first.
const std::map<std::string, std::set<std::string>> kLayerMayInclude = {
    {"gguf", {}},
    {"kv", {}},
    {"sampling", {}},
    {"tokenizer", {"gguf"}},
    {"chat", {"gguf"}},
    {"grammar", {"tokenizer", "gguf"}},
    {"backend", {"gguf"}},
    {"model", {"backend", "gguf"}},
    {"api", {"chat", "grammar", "sampling", "tokenizer", "gguf"}},
    {"engine", {"api", "backend", "chat", "gguf", "grammar", "kv", "model", "sampling", "tokenizer"}},
};

TEST(Layering, SdkFoldersIncludeOnlyTheLayersBelowThem) {
  const fs::path src = lantern::test::source("sdk/src");
  const std::regex include(R"re(^\s*#\s*include\s*"([a-z_]+)/)re");
  std::set<std::string> folders_seen;
  int files = 0;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    if (!entry.is_regular_file()) continue;
    const std::string ext = entry.path().extension().string();
    if (ext != ".h" && ext != ".cpp") continue;
    const std::string layer = fs::relative(entry.path(), src).begin()->string();
    folders_seen.insert(layer);
    const auto rule = kLayerMayInclude.find(layer);
    ASSERT_NE(rule, kLayerMayInclude.end()) << "sdk/src/" << layer << "/ is not in the layer table: give it a place";
    ++files;
    std::ifstream in(entry.path());
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
      std::smatch m;
      if (!std::regex_search(line, m, include)) continue;
      const std::string target = m[1].str();
      if (target == layer || !kLayerMayInclude.count(target)) continue;  // its own folder, or not an SDK layer
      EXPECT_TRUE(rule->second.count(target))
          << fs::relative(entry.path(), lantern::test::source("")).string() << ":" << n << ": " << layer << "/ includes " << target
          << "/, which is not below it (" << line << ")";
    }
  }
  EXPECT_GT(files, 100) << "the walk found the SDK's sources";
  for (const auto& [layer, _] : kLayerMayInclude) EXPECT_TRUE(folders_seen.count(layer)) << "no sdk/src/" << layer << "/ any more";
}

}  // namespace
