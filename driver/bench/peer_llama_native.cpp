// Native llama.cpp through node-llama-cpp: runs
// fixtures/peers/llama_native_bench.mjs under Node (Boost.Process, stdout and
// stderr to files, killed at the timeout) and takes its JSON lines as records.
// The script measures; this side only starts it, bounds it and explains
// failures (missing model, missing install, timeout, a crash).
#include <unistd.h>

#include <boost/process.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench/peer_bench.h"
#include "cdp/bounded_json.h"
#include "scenarios/run_command.h"

namespace lantern::rig::bench {

namespace fs = std::filesystem;
namespace bp = boost::process;
using nlohmann::json;

namespace {

std::string tail_of(const fs::path& file, size_t max_chars = 2000) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > max_chars ? "..." + s.substr(s.size() - max_chars) : s;
}

json failure(const PeerBenchSpec& spec, const std::string& why) {
  return {{"engine", "llama-native"},
          {"config", spec.native_gpu == "false" ? "cpu" : spec.native_gpu},
          {"runs", spec.runs},
          {"error", why}};
}

std::string join_threads(const std::vector<int>& threads) {
  std::string s;
  for (int t : threads) s.append(s.empty() ? "" : ",").append(std::to_string(t));
  return s;
}

}  // namespace

std::vector<json> run_llama_native_bench(const PeerBenchSpec& spec) {
  const std::string source = spec.source_dir.empty() ? default_source_dir() : spec.source_dir;
  // Absolute: node runs with the peers folder as its working directory.
  const fs::path peers = fs::absolute(fs::path(source) / "fixtures/peers");
  const fs::path script = peers / "llama_native_bench.mjs";
  if (spec.runs < 1) return {failure(spec, "runs must be at least 1")};
  if (!fs::exists(spec.model_file)) return {failure(spec, "no model file at " + spec.model_file)};
  if (!fs::exists(script)) return {failure(spec, "no bench script at " + script.string())};
  if (!fs::exists(peers / "node_modules/node-llama-cpp/package.json"))
    return {failure(spec, "node-llama-cpp is not installed in " + peers.string() + ": run ci/peers_setup.sh")};
  const fs::path node = spec.node.find('/') == std::string::npos ? bp::search_path(spec.node).string() : spec.node;
  if (node.empty() || !fs::exists(node)) return {failure(spec, "no Node.js executable '" + spec.node + "'")};

  std::vector<std::string> args = {script.string(),
                                   "--model", fs::absolute(spec.model_file).string(),
                                   "--gpu", spec.native_gpu,
                                   "--runs", std::to_string(spec.runs),
                                   "--ttft-tokens", std::to_string(spec.ttft_prompt_tokens),
                                   "--prefill-tokens", std::to_string(spec.prefill_tokens),
                                   "--decode-tokens", std::to_string(spec.decode_tokens)};
  // On a GPU the script picks its own thread count; the CPU list is for the CPU build.
  if (spec.native_gpu == "false") {
    args.push_back("--threads");
    args.push_back(join_threads(peer_thread_counts(spec)));
  }

  const fs::path work = fs::temp_directory_path() / ("lantern-peer-native-" + std::to_string(::getpid()));
  fs::create_directories(work);
  const fs::path out = work / "stdout.jsonl", err = work / "stderr.log";
  // The script sets NODE_LLAMA_CPP_SKIP_DOWNLOAD itself (never fetch binaries
  // from GitHub); editing a copy of the environment here tripped ASan inside
  // Boost.Process v1's environment lookup.

  std::vector<json> records;
  try {
    bp::child child(bp::exe = node.string(), bp::args = args, bp::start_dir = peers.string(),
                    bp::std_in < bp::null, bp::std_out > out.string(), bp::std_err > err.string());
    if (!child.wait_for(spec.timeout)) {
      child.terminate();
      records.push_back(failure(spec, "timed out after " + std::to_string(spec.timeout.count()) +
                                          " s; stderr:\n" + tail_of(err)));
    } else {
      std::ifstream in(out);
      for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] != '{') continue;  // the library's own chatter
        BoundedJson parsed = parse_bounded_json(line);
        json& j = parsed.value;
        if (!parsed.too_deep && j.is_object() && j.contains("engine")) records.push_back(std::move(j));
      }
      if (records.empty())
        records.push_back(failure(spec, "the bench script exited " + std::to_string(child.exit_code()) +
                                            " without a record; stderr:\n" + tail_of(err)));
    }
  } catch (const std::exception& e) {
    records.push_back(failure(spec, std::string("could not run Node: ") + e.what()));
  }
  std::error_code ec;
  fs::remove_all(work, ec);
  return records;
}

}  // namespace lantern::rig::bench
