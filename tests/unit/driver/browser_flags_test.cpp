// Flag profiles and browser name resolution (driver/browser/chromium_flags).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "browser/chromium_flags.h"

namespace lantern::rig {
namespace {

bool has(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

TEST(ChromiumFlags, ProfileNamesRoundTrip) {
  for (const auto& name : flag_profile_names()) {
    auto p = flag_profile_from_name(name);
    ASSERT_TRUE(p.has_value()) << name;
    EXPECT_EQ(name, flag_profile_name(*p));
  }
  EXPECT_FALSE(flag_profile_from_name("SwiftShader").has_value());  // names are exact
  EXPECT_FALSE(flag_profile_from_name("").has_value());
}

TEST(ChromiumFlags, ClosedNetworkFlagsAlwaysPresent) {
  for (const auto& name : flag_profile_names()) {
    auto args = chromium_args({*flag_profile_from_name(name), "/tmp/x", {}});
    for (const char* f : {"--headless", "--no-sandbox", "--no-first-run", "--disable-background-networking",
                          "--disable-component-update", "--disable-sync", "--disable-quic",
                          "--remote-debugging-port=0", "--user-data-dir=/tmp/x"})
      EXPECT_TRUE(has(args, f)) << name << " lacks " << f;
  }
}

TEST(ChromiumFlags, ProfilesDifferInWebGpu) {
  auto swift = chromium_args({FlagProfile::kSwiftShader, "/p", {}});
  auto none = chromium_args({FlagProfile::kNoWebGpu, "/p", {}});
  auto vulkan = chromium_args({FlagProfile::kGpuVulkan, "/p", {}});
  EXPECT_TRUE(has(swift, "--enable-unsafe-webgpu"));
  EXPECT_FALSE(has(swift, "--disable-gpu"));
  EXPECT_FALSE(has(none, "--enable-unsafe-webgpu"));
  EXPECT_TRUE(has(none, "--disable-gpu"));
  for (const char* f : {"--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-vulkan=native",
                        "--use-angle=vulkan", "--ignore-gpu-blocklist", "--disable-vulkan-surface"})
    EXPECT_TRUE(has(vulkan, f)) << f;
  EXPECT_FALSE(has(vulkan, "--disable-gpu"));
}

TEST(ChromiumFlags, ExtraFlagsComeAfterProfileAndBeforeUrl) {
  auto args = chromium_args({FlagProfile::kSwiftShader, "/p", {"--lang=de", "--foo"}});
  ASSERT_GE(args.size(), 3u);
  EXPECT_EQ("about:blank", args.back());
  EXPECT_EQ("--foo", args[args.size() - 2]);
  EXPECT_EQ("--lang=de", args[args.size() - 3]);
}

TEST(ChromiumFlags, RemoteDebuggingStaysOnLoopback) {
  auto args = chromium_args({FlagProfile::kSwiftShader, "/p", {}});
  EXPECT_TRUE(has(args, "--remote-debugging-address=127.0.0.1"));
  for (const char* f : {"--remote-debugging-address=0.0.0.0", "--remote-debugging-address=::",
                        "--remote-debugging-address=192.168.1.2", "--remote-debugging-address="}) {
    try {
      chromium_args({FlagProfile::kSwiftShader, "/p", {f}});
      ADD_FAILURE() << f << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("loopback"), std::string::npos) << e.what();
    }
  }
  EXPECT_NO_THROW(chromium_args({FlagProfile::kSwiftShader, "/p", {"--remote-debugging-address=::1"}}));
}

// Chromium takes single-dash switches too ("-remote-debugging-address=..."),
// and a switch without '=' (an empty value): each spelling is refused unless
// it names a loopback address.
TEST(ChromiumFlags, RemoteDebuggingAddressInEverySpellingStaysOnLoopback) {
  for (const char* f : {"-remote-debugging-address=0.0.0.0", "-remote-debugging-address=192.168.1.2",
                        "-remote-debugging-address=::", "-remote-debugging-address=", "-remote-debugging-address",
                        "--remote-debugging-address"}) {
    try {
      chromium_args({FlagProfile::kSwiftShader, "/p", {f}});
      ADD_FAILURE() << f << " was accepted";
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find("loopback"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(f), std::string::npos) << "the error names the flag: " << e.what();
    }
  }
  for (const char* f : {"-remote-debugging-address=127.0.0.1", "-remote-debugging-address=::1",
                        "--remote-debugging-address=localhost", "-remote-debugging-port=0",
                        "--remote-debugging-address-x=1.2.3.4", "remote-debugging-address=0.0.0.0"})
    EXPECT_NO_THROW(chromium_args({FlagProfile::kSwiftShader, "/p", {f}})) << f;
}

TEST(ResolveBrowser, UnknownNameListsKnownOnes) {
  std::string error;
  EXPECT_FALSE(resolve_browser("firefox", &error).has_value());
  EXPECT_NE(error.find("headless-shell"), std::string::npos) << error;
  EXPECT_NE(error.find("chromium"), std::string::npos) << error;
}

TEST(ResolveBrowser, PathMustBeExecutable) {
  std::string error;
  EXPECT_FALSE(resolve_browser("/nonexistent/chrome", &error).has_value());
  EXPECT_NE(error.find("/nonexistent/chrome"), std::string::npos) << error;
  error.clear();
  std::string plain = ::testing::TempDir() + "/not_executable_browser";
  { std::ofstream(plain) << "#!/bin/sh\n"; }
  std::filesystem::permissions(plain, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  EXPECT_FALSE(resolve_browser(plain, &error).has_value());  // exists, not executable
  EXPECT_NE(error.find("not an executable"), std::string::npos) << error;
  auto sh = resolve_browser("/bin/sh", &error);
  ASSERT_TRUE(sh.has_value()) << error;
  EXPECT_EQ("/bin/sh", sh->path);
  EXPECT_EQ("sh", sh->name);
}

}  // namespace
}  // namespace lantern::rig
