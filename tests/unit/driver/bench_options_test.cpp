// lantern-rig bench's options: a bad --schema is refused when parsed, naming
// the option, not after minutes of model loads.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench/bench_options.h"

namespace {

using lantern::rig::bench::BenchOptions;
using lantern::rig::bench::parse_bench_options;

BenchOptions parse_bench(std::vector<std::string> args) {
  args.insert(args.begin(), "bench");
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  BenchOptions o;
  parse_bench_options(static_cast<int>(argv.size()), argv.data(), &o);
  return o;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    parse_bench(args);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(BenchOptions, SchemaIsAJsonObjectFileOrAnErrorNamingTheOption) {
  const std::string good = write_temp("bench_schema_ok.json", R"({"type": "object"})");
  EXPECT_EQ(parse_bench({"--model", "m.gguf", "--schema", good}).schema_file, good);
  EXPECT_EQ(parse_bench({"--model", "m.gguf"}).schema_file, "");
  const std::string missing = error_of({"--model", "m.gguf", "--schema", "/nonexistent/schema.json"});
  EXPECT_NE(missing.find("--schema"), std::string::npos) << missing;
  EXPECT_NE(missing.find("/nonexistent/schema.json"), std::string::npos) << missing;
  for (const char* text : {"[1, 2]", "{not json", ""}) {
    const std::string bad = error_of({"--model", "m.gguf", "--schema", write_temp("bench_schema_bad.json", text)});
    EXPECT_NE(bad.find("is not a JSON object"), std::string::npos) << text << ": " << bad;
  }
}

}  // namespace
