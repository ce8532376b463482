#include "scenarios/command_setup.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "browser/chromium_flags.h"
#include "gguf/gguf_split.h"
#include "scenarios/run_command.h"
#include "synthetic_model.h"

namespace lantern::rig {

namespace fs = std::filesystem;

ScenarioSettings command_settings(const CommandBrowserOptions& o) {
  ScenarioSettings settings;
  settings.source_dir = o.source_dir.empty() ? default_source_dir() : o.source_dir;
  std::string error;
  const auto browser = resolve_browser(o.browser, &error);
  if (!browser) throw std::invalid_argument(error);
  settings.browser_name = browser->name;
  settings.browser_path = browser->path;
  const auto profile = flag_profile_from_name(o.flags);
  if (!profile) throw std::invalid_argument("unknown flag profile '" + o.flags + "'");
  settings.profile = *profile;
  settings.timeout = std::chrono::milliseconds(static_cast<int64_t>(o.timeout_s * 1000));
  if (!fs::exists(settings.source_dir + "/web/dist/lantern.mjs"))
    throw std::runtime_error("no wasm build in " + settings.source_dir + "/web/dist: run ci/build_wasm.sh first");
  return settings;
}

bool is_http_url(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

ServedModel serve_model(const std::string& path_or_url) {
  ServedModel m;
  if (is_http_url(path_or_url)) {
    m.url = path_or_url;
    return m;
  }
  const fs::path model = path_or_url;
  if (!fs::is_regular_file(model)) throw std::runtime_error("no model file at " + model.string());
  // The file alone, never its folder (which may be a home directory): the
  // mount lists the names it serves. Canonical, so that a symlinked model
  // is served under its target's name from its target's folder. A split
  // model's first shard brings its other shards (beside it, as the SDK
  // fetches them), and nothing else.
  const fs::path file = fs::canonical(model);
  std::vector<std::string> names{file.filename().string()};
  if (const auto split = parse_split_name(file.string())) {
    if (split->index != 1)
      throw std::runtime_error(model.string() + " is shard " + std::to_string(split->index) +
                               " of a split model: give its first shard, " + split_name(split->prefix, 1, split->count));
    for (int i = 2; i <= split->count; ++i) {
      const fs::path shard = split_name(split->prefix, i, split->count);
      if (!fs::is_regular_file(shard)) throw std::runtime_error("split model: no shard " + shard.string());
      names.push_back(shard.filename().string());
    }
  }
  m.mounts.push_back({"/models/", file.parent_path().string(), names});
  m.url = "/models/" + file.filename().string();
  for (const auto& n : names) m.served_paths.push_back("/models/" + n);
  return m;
}

uint64_t bytes_served(const HttpServer& server, const std::vector<std::string>& paths) {
  uint64_t n = 0;
  for (const auto& p : paths) n += server.bytes_served(p);
  return n;
}

ServedModel model_to_serve(const std::string& model, ScenarioContext& ctx, std::ostream& note) {
  if (!model.empty()) return serve_model(model);
  fs::path path = fs::path(ctx.stories_dir()) / "stories260K.gguf";
  if (!fs::exists(path)) {
    path = fs::path(ctx.scratch_dir()) / "tiny-q8_0.gguf";
    note << "../shared/models/stories260K is not here; using a synthetic model (tiny, q8_0): "
            "its weights are random, so its text will be random too\n";
    fixtures::write_synthetic_model("tiny", GgmlType::Q8_0, 1, path.string());
  }
  return serve_model(path.string());
}

std::string url_encode(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '/' || c == ':') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      out += buf;
    }
  }
  return out;
}

}  // namespace lantern::rig
