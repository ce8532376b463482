// Pieces the one-shot commands (`demo`, `bench`) share: settings from the
// usual --browser/--flags/--source-dir/--timeout options, a model given as a
// path (served by the rig under /models/, so its bytes are counted) or a URL
// (used as it is), and URL query encoding.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "scenarios/scenario_context.h"

namespace lantern::rig {

struct CommandBrowserOptions {
  std::string browser = "headless-shell";  // name or executable
  std::string flags = "swiftshader";       // flag profile name
  std::string source_dir;                  // empty: $LANTERN_SOURCE_DIR or the build's tree
  double timeout_s = 300;
};

// Resolves the browser and flag profile (std::invalid_argument when unknown)
// and checks that the wasm build is in web/dist (std::runtime_error if not).
ScenarioSettings command_settings(const CommandBrowserOptions& options);

struct ServedModel {
  std::string url;                        // what the page loads: "/models/NAME" or the URL given
  std::vector<std::string> served_paths;  // the byte-log paths of a local file (every shard of a split model); empty for a URL
  std::vector<Mount> mounts;
  bool remote() const { return served_paths.empty(); }
};
// Bytes the server sent for these paths (a model's files).
uint64_t bytes_served(const HttpServer& server, const std::vector<std::string>& paths);

bool is_http_url(const std::string& s);
// A local file is served alone at /models/NAME (a mount of its folder that
// lists only that name: the folder's other files are 404); std::runtime_error
// when it does not exist.
ServedModel serve_model(const std::string& path_or_url);

// `model` as `demo` and `chat` take it: empty means
// ../shared/models/stories260K/stories260K.gguf when present, else a synthetic
// tiny Q8_0 model written into the context's scratch dir (a line saying so
// goes to `note`); a path or URL as serve_model().
ServedModel model_to_serve(const std::string& model, ScenarioContext& ctx, std::ostream& note);

// Percent-encodes everything but unreserved characters, '/' and ':'.
std::string url_encode(const std::string& s);

}  // namespace lantern::rig
