#include "scenarios/loader_scenario_kit.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>

namespace lantern::rig::loader_kit {

using namespace std::chrono_literals;
using nlohmann::json;

ModelFile write_model_file(ScenarioContext& ctx, const std::string& dir, const std::string& name, uint64_t size,
                           uint32_t seed) {
  std::filesystem::create_directories(dir);
  std::string bytes(size, '\0');
  uint32_t state = seed * 2654435761u + 1u, h = 0x811c9dc5u;
  for (size_t i = 0; i < bytes.size(); ++i) {
    state = state * 1664525u + 1013904223u;
    // The GGUF magic first: hasModelInCache checks that a stored model starts with it.
    bytes[i] = i < 4 ? "GGUF"[i] : static_cast<char>(state >> 24);
    h = (h ^ static_cast<uint8_t>(bytes[i])) * 0x01000193u;
  }
  std::ofstream out(dir + "/" + name, std::ios::binary);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) ctx.fail("cannot write the model file " + dir + "/" + name);
  return {"/models/" + name, size, h};
}

void start_server(ScenarioContext& ctx, const std::string& models_dir) {
  ctx.start_server({{"/web/", ctx.settings().source_dir + "/web"}, {"/models/", models_dir}});
}

ScenarioPage& open_page(ScenarioContext& ctx, Browser& browser, bool persistent) {
  PageOptions o;
  o.isolated_context = !persistent;
  ScenarioPage& page = ctx.open_page(browser, "/loader_page.html", o);
  page.wait_for_event("ready", ctx.budget(15s, "the loader page's module"));
  return page;
}

Session start_session(ScenarioContext& ctx, const std::string& name, uint64_t size, uint32_t seed, bool persistent) {
  const std::string models = ctx.scratch_dir() + "/models";
  ModelFile m = write_model_file(ctx, models, name, size, seed);
  start_server(ctx, models);
  return {m, open_page(ctx, ctx.launch_browser(), persistent)};
}

json call(ScenarioContext& ctx, ScenarioPage& page, const std::string& fn, const json& args,
          std::chrono::milliseconds timeout) {
  std::string list;
  for (const auto& a : args) list += (list.empty() ? "" : ", ") + a.dump();
  return page.evaluate("loaderTest." + fn + "(" + list + ")", ctx.budget(timeout, "loaderTest." + fn));
}

json load(ScenarioContext& ctx, ScenarioPage& page, const json& opts, const std::string& label,
          std::chrono::milliseconds timeout) {
  json r = call(ctx, page, "load", json::array({opts}), timeout);
  if (r.value("ok", false)) {
    ctx.log(label + ": loaded " + std::to_string(r.value("size", 0)) + " bytes in " +
            std::to_string(static_cast<int>(r.value("ms", 0.0))) + " ms (open " +
            std::to_string(static_cast<int>(r.value("openMs", 0.0))) + " ms); network " +
            std::to_string(r.value("bytesFromNetwork", 0)) + ", cache " + std::to_string(r.value("bytesFromCache", 0)) +
            " bytes; chunks " + std::to_string(r.value("chunksFromNetwork", 0)) + " fetched, " +
            std::to_string(r.value("chunksFromCache", 0)) + " from cache, " +
            std::to_string(r.value("chunksRefetched", 0)) + " refetched; cachedComplete " +
            (r.value("cachedComplete", false) ? "true" : "false") + "; progress " + r["progress"].dump());
  } else {
    ctx.log(label + ": failed (" + r.value("code", std::string("?")) + "): " + r.value("error", std::string("?")));
  }
  return r;
}

void expect_complete_load(ScenarioContext& ctx, const json& r, const ModelFile& m, uint64_t chunk_size,
                          const std::string& label) {
  if (!r.value("ok", false)) ctx.fail(label + ": the load failed: " + r.value("error", std::string("?")));
  ctx.expect_eq(label + ": size the loader learned", m.size, r.value("size", uint64_t{0}));
  ctx.expect_eq(label + ": FNV-1a of the delivered bytes", m.fnv, r.value("hash", uint32_t{0}));
  ctx.expect(r.value("tiles", false), label + ": the delivered chunks to tile the whole file");
  ctx.expect_eq(label + ": chunks delivered more than once", 0, r.value("duplicates", -1));
  ctx.expect_eq(label + ": chunks delivered", (m.size + chunk_size - 1) / chunk_size, r.value("chunks", uint64_t{0}));
  ctx.expect(r.value("headerOk", false), label + ": read(0, n) to equal the file's first bytes");
  const json& p = r["progress"];
  ctx.expect(p.value("count", 0) > 0, label + ": progress reports");
  ctx.expect(p.value("monotone", false), label + ": progress 'loaded' never to go back");
  ctx.expect(p.value("etaValid", false), label + ": every etaSeconds null or a non-negative number");
  ctx.expect(p.value("totalOk", false), label + ": every progress 'total' equal to the file size");
  const json& last = p["last"];
  ctx.expect(last.is_object(), label + ": a last progress report");
  ctx.expect_eq(label + ": last progress 'loaded'", m.size, last.value("loaded", uint64_t{0}));
  ctx.expect_eq(label + ": last progress chunksDone", last.value("chunksTotal", -1), last.value("chunksDone", -2));
}

void expect_failed_load(ScenarioContext& ctx, const json& r, const std::string& code,
                        const std::vector<std::string>& parts, const std::string& label) {
  ctx.expect(!r.value("ok", true), label + ": the load to fail");
  const std::string error = r.value("error", std::string());
  ctx.expect_eq(label + ": error code (message: " + error + ")", code, r.value("code", std::string()));
  for (const auto& part : parts)
    ctx.expect(error.find(part) != std::string::npos, label + ": the error to name \"" + part + "\", got: " + error);
}

uint64_t served(ScenarioContext& ctx, const ModelFile& m) {
  ctx.expect(ctx.server().wait_idle(ctx.budget(5s, "waiting for the server to finish")),
             "the server to finish its responses");
  return ctx.server().bytes_served(m.url_path);
}

std::vector<std::string> ranges_requested(ScenarioContext& ctx, const ModelFile& m) {
  ctx.expect(ctx.server().wait_idle(ctx.budget(5s, "waiting for the server to finish")),
             "the server to finish its responses");
  std::vector<std::string> out;
  for (const auto& r : ctx.server().byte_log().requests)
    if (r.path == m.url_path && r.method == "GET") out.push_back(r.range);
  return out;
}

std::string chunk_range(uint64_t start, uint64_t chunk_size, uint64_t size) {
  return "bytes=" + std::to_string(start) + "-" + std::to_string(std::min(size, start + chunk_size) - 1);
}

std::vector<std::string> chunk_ranges(const ModelFile& m, uint64_t chunk_size) {
  std::vector<std::string> out;
  for (uint64_t s = 0; s < m.size; s += chunk_size) out.push_back(chunk_range(s, chunk_size, m.size));
  return out;
}

uint64_t chunk_bytes(const ModelFile& m, uint64_t chunk_size, const std::vector<uint64_t>& starts) {
  uint64_t n = 0;
  for (uint64_t s : starts) n += std::min(m.size, s + chunk_size) - s;
  return n;
}

void expect_ranges_requested(ScenarioContext& ctx, const ModelFile& m, std::vector<std::string> want,
                             const std::string& label) {
  std::vector<std::string> got = ranges_requested(ctx, m);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  ctx.expect_eq(label, json(want), json(got));
}

bool has_model(ScenarioContext& ctx, ScenarioPage& page, const ModelFile& m, const std::string& cache) {
  json r = call(ctx, page, "has", json::array({m.url_path, {{"cache", cache}}}));
  if (!r.value("ok", false)) ctx.fail("hasModelInCache failed: " + r.value("error", std::string("?")));
  return r.value("has", false);
}

std::vector<uint64_t> stored_chunks(ScenarioContext& ctx, ScenarioPage& page, const ModelFile& m,
                                    const std::string& cache) {
  json r = call(ctx, page, "stored", json::array({{{"url", m.url_path}, {"cache", cache}}}));
  if (!r.value("ok", false)) ctx.fail("listing stored chunks failed: " + r.value("error", std::string("?")));
  return r["starts"].get<std::vector<uint64_t>>();
}

}  // namespace lantern::rig::loader_kit
