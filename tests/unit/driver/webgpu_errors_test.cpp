// webgpu_errors_summary: empty for no errors, else a count and the first few
// (a broken pipeline repeats its error on every dispatch).
#include <gtest/gtest.h>

#include "scenarios/webgpu_errors.h"

namespace lantern::rig {
namespace {

using nlohmann::json;

TEST(WebGpuErrors, NoneIsEmpty) {
  EXPECT_EQ("", webgpu_errors_summary(json::array(), json::array()));
  EXPECT_EQ("", webgpu_errors_summary(json(nullptr), json::array()));
}

TEST(WebGpuErrors, CountsBothListsAndKeepsTheFirstFew) {
  json gpu = json::array();
  for (int i = 0; i < 50; ++i) gpu.push_back("dispatch " + std::to_string(i));
  const std::string s = webgpu_errors_summary(json::array({"WGSL matvec: bad"}), gpu);
  EXPECT_EQ(0u, s.find("51 WebGPU errors, first: [WGSL matvec: bad] [dispatch 0] [dispatch 1]")) << s;
  EXPECT_EQ(std::string::npos, s.find("dispatch 2")) << s;
  EXPECT_EQ("1 WebGPU error, first: [x]", webgpu_errors_summary(json::array(), json::array({"x"})));
}

}  // namespace
}  // namespace lantern::rig
