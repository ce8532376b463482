// Every Chromium command-line flag the rig passes lives here (Playwright's
// chromiumSwitches.ts idea): the closed-network base set verified in
// DESIGN.md, and named flag profiles that decide how WebGPU is provided.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace lantern::rig {

// How the browser provides (or withholds) WebGPU.
enum class FlagProfile {
  kSwiftShader,  // CPU WebGPU adapter (the default on machines without a GPU)
  kNoWebGpu,     // no adapter at all: pages must take their fallback path
  kGpuVulkan,    // a real GPU through Dawn -> Vulkan (see shared/GPU.md)
};

const char* flag_profile_name(FlagProfile profile);
std::optional<FlagProfile> flag_profile_from_name(std::string_view name);
// All profile names, in declaration order (for --help and error messages).
std::vector<std::string> flag_profile_names();

// Flags that keep Chromium quiet on a closed network and headless.
std::vector<std::string> base_flags();
// Flags that select the WebGPU provider of a profile.
std::vector<std::string> profile_flags(FlagProfile profile);

struct ChromiumArgsInput {
  FlagProfile profile = FlagProfile::kSwiftShader;
  std::string user_data_dir;             // required: a fresh or kept profile dir
  std::vector<std::string> extra_flags;  // appended last (user overrides)
};

// The full argument list (without argv[0]): base flags, profile flags,
// --remote-debugging-port=0, --user-data-dir, extra flags, then about:blank.
// Throws std::invalid_argument for an extra flag that moves the DevTools port
// off loopback (see moves_devtools_off_loopback).
std::vector<std::string> chromium_args(const ChromiumArgsInput& input);

// True for a remote-debugging-address switch in any spelling Chromium takes
// ("--" or "-" prefix, with or without a value) whose value is not a
// loopback address (127.0.0.1, ::1, localhost).
bool moves_devtools_off_loopback(std::string_view arg);

// A browser name from the matrix ("headless-shell", "chromium") or a path.
// Names resolve to the real binaries under /usr/lib/chromium rather than the
// /usr/bin shell wrappers, so the process we signal is Chromium itself.
struct ResolvedBrowser {
  std::string name;  // the short name used in reports
  std::string path;  // executable to start
};
// Returns nullopt and fills *error when the name is unknown or the path is
// not an executable file.
std::optional<ResolvedBrowser> resolve_browser(std::string_view name_or_path, std::string* error);
std::vector<std::string> known_browser_names();

}  // namespace lantern::rig
