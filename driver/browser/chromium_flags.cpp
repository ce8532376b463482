#include "browser/chromium_flags.h"

#include <unistd.h>

#include <array>
#include <filesystem>
#include <stdexcept>

namespace lantern::rig {
namespace {

struct ProfileEntry {
  FlagProfile profile;
  const char* name;
};
constexpr std::array<ProfileEntry, 3> kProfiles{{
    {FlagProfile::kSwiftShader, "swiftshader"},
    {FlagProfile::kNoWebGpu, "no-webgpu"},
    {FlagProfile::kGpuVulkan, "gpu-vulkan"},
}};

struct BrowserEntry {
  const char* name;
  std::array<const char*, 2> candidates;  // first existing one wins
};
constexpr std::array<BrowserEntry, 2> kBrowsers{{
    {"headless-shell", {"/usr/lib/chromium/chromium-headless-shell", "/usr/bin/chromium-headless-shell"}},
    {"chromium", {"/usr/lib/chromium/chromium", "/usr/bin/chromium"}},
}};

bool is_executable_file(const std::string& path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

const char* flag_profile_name(FlagProfile profile) {
  for (const auto& e : kProfiles)
    if (e.profile == profile) return e.name;
  return "unknown";
}

std::optional<FlagProfile> flag_profile_from_name(std::string_view name) {
  for (const auto& e : kProfiles)
    if (name == e.name) return e.profile;
  return std::nullopt;
}

std::vector<std::string> flag_profile_names() {
  std::vector<std::string> names;
  for (const auto& e : kProfiles) names.emplace_back(e.name);
  return names;
}

std::vector<std::string> base_flags() {
  return {
      "--headless",
      "--no-sandbox",  // containers and CI run as root without user namespaces
      "--no-first-run",
      "--no-default-browser-check",
      // Without these Chromium keeps dialling out and stalls on a closed network.
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-quic",
      "--disable-breakpad",
      "--disable-default-apps",
      "--disable-extensions",
      // Small /dev/shm in containers crashes the GPU process; /tmp is safe.
      "--disable-dev-shm-usage",
      // Timers in a background tab must not be throttled: we measure timings.
      "--disable-background-timer-throttling",
      "--disable-renderer-backgrounding",
      "--disable-backgrounding-occluded-windows",
      "--mute-audio",
  };
}

std::vector<std::string> profile_flags(FlagProfile profile) {
  switch (profile) {
    case FlagProfile::kSwiftShader:
      return {"--enable-unsafe-webgpu"};
    case FlagProfile::kNoWebGpu:
      // No --enable-unsafe-webgpu: requestAdapter() resolves to null.
      return {"--disable-gpu"};
    case FlagProfile::kGpuVulkan:
      // Verified on the lent NVIDIA machine (shared/GPU.md); without the
      // Vulkan flags Chromium picks SwiftShader even there.
      return {"--enable-unsafe-webgpu",        "--enable-webgpu-developer-features",
              "--enable-features=Vulkan",      "--use-vulkan=native",
              "--use-angle=vulkan",            "--ignore-gpu-blocklist",
              "--disable-vulkan-surface"};
  }
  return {};
}

bool moves_devtools_off_loopback(std::string_view arg) {
  // Chromium's command line (base::CommandLine on POSIX) takes a switch with
  // either prefix, "--name" or "-name", and its value after the first '=';
  // names are case-sensitive there. A switch without '=' has an empty value.
  std::string_view name = arg;
  if (name.rfind("--", 0) == 0) name.remove_prefix(2);
  else if (name.rfind("-", 0) == 0) name.remove_prefix(1);
  else return false;  // not a switch
  std::string_view value;
  if (const size_t eq = name.find('='); eq != std::string_view::npos) {
    value = name.substr(eq + 1);
    name = name.substr(0, eq);
  }
  if (name != "remote-debugging-address") return false;
  return value != "127.0.0.1" && value != "::1" && value != "localhost";
}

std::vector<std::string> chromium_args(const ChromiumArgsInput& input) {
  std::vector<std::string> args = base_flags();
  for (auto& f : profile_flags(input.profile)) args.push_back(std::move(f));
  args.push_back("--remote-debugging-port=0");  // Chromium picks a free port
  // Loopback is Chromium's default; said here so no build or flag changes it:
  // the DevTools port runs any code in the browser for whoever reaches it.
  args.push_back("--remote-debugging-address=127.0.0.1");
  args.push_back("--user-data-dir=" + input.user_data_dir);
  for (const auto& f : input.extra_flags) {
    if (moves_devtools_off_loopback(f))
      throw std::invalid_argument("refusing " + f + ": the DevTools port must stay on loopback");
    args.push_back(f);
  }
  args.push_back("about:blank");
  return args;
}

std::optional<ResolvedBrowser> resolve_browser(std::string_view name_or_path, std::string* error) {
  for (const auto& b : kBrowsers) {
    if (name_or_path != b.name) continue;
    for (const char* candidate : b.candidates)
      if (is_executable_file(candidate)) return ResolvedBrowser{b.name, candidate};
    if (error) *error = std::string("browser '") + b.name + "' is not installed (looked for " +
                        b.candidates[0] + " and " + b.candidates[1] + ")";
    return std::nullopt;
  }
  std::string path(name_or_path);
  if (path.find('/') == std::string::npos) {
    if (error) {
      *error = "unknown browser '" + path + "': use a path or one of:";
      for (const auto& n : known_browser_names()) *error += " " + n;
    }
    return std::nullopt;
  }
  if (!is_executable_file(path)) {
    if (error) *error = "browser path '" + path + "' is not an executable file";
    return std::nullopt;
  }
  return ResolvedBrowser{std::filesystem::path(path).filename().string(), path};
}

std::vector<std::string> known_browser_names() {
  std::vector<std::string> names;
  for (const auto& b : kBrowsers) names.emplace_back(b.name);
  return names;
}

}  // namespace lantern::rig
