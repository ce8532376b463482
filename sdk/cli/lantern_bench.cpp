// lantern-bench: prefill and decode speed of the native CPU backend, measured
// the way llama.cpp's llama-bench does (pp: one batch of N random prompt
// tokens from an empty cache; tg: N single-token steps from an empty cache;
// one untimed warm-up first; --depth N starts both after N cached tokens as
// llama-bench -d N does), so the two can be run back to back and compared.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sys/resource.h>
#include <thread>
#include <vector>

#include <fstream>
#include <sstream>

#include "cli_args.h"
#include "engine/engine.h"
#include "engine/grammar_bench.h"
#include "grammar/json_schema_grammar.h"

using json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;

namespace {

const char* kHelp = R"(lantern-bench: prefill and decode speed of a GGUF model on the CPU backend.

  lantern-bench --model FILE.gguf [options]

  --threads N         CPU threads (default: one per core)
  --prompt-tokens N   prefill: N random tokens in one batch (default 128)
  --gen-tokens N      decode: N single-token steps (default 32)
  --runs N            timed repetitions after one warm-up (default 3)
  --depth N           run both tests after N cached tokens (filled untimed before each
                      test, as llama-bench -d N does; default 0)
  --json              print one JSON object instead of a table

  lantern-bench --model FILE.gguf --schema SCHEMA.json|--grammar FILE.gbnf --text FILE
                      token-mask cost of constrained output: the grammar compiled
                      against the model's vocabulary, then the full mask before each
                      token of the text (a sentence of the grammar), cold and warm;
                      prints one JSON object (engine/grammar_bench.h)
Times are medians over the runs, with min and max; tok/s counts evaluated tokens.
tok/cpu-s divides by the process's CPU time instead of wall time (medians too):
with --threads 1 it barely moves when other programs share the cores.
As llama-bench does, both tests start from an empty cache (or --depth tokens)
and feed random tokens (no sampling), so `llama-bench -p P -n G -r R [-d N]`
measures the same work.
load: mapping the file, tokenizer and model set-up; warm-up: the untimed
first prefill and 2 decode steps (it includes one-time weight packing).
)";

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU seconds used by the whole process (all threads). On a loaded machine
// tokens per CPU-second of a 1-thread run is a steadier number than wall time.
double cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec + 1e-6 * (u.ru_utime.tv_usec + u.ru_stime.tv_usec);
}

struct Timing {
  double wall = 0, cpu = 0;
};

struct Spread {
  double median = 0, min = 0, max = 0;
};

Spread spread(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  Spread s;
  if (v.empty()) return s;
  const size_t n = v.size();
  s.median = n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
  s.min = v.front();
  s.max = v.back();
  return s;
}

json to_json(const Spread& s) { return json{{"median", s.median}, {"min", s.min}, {"max", s.max}}; }

int run(const lantern::cli::Args& args) {
  const int32_t n_prompt = static_cast<int32_t>(args.integer("--prompt-tokens", 128, 0, 4096));
  const int32_t n_gen = static_cast<int32_t>(args.integer("--gen-tokens", 32, 0, 4096));
  const int runs = static_cast<int>(args.integer("--runs", 3, 1, 1000));
  const int32_t depth = static_cast<int32_t>(args.integer("--depth", 0, 0, 1 << 20));
  if (n_prompt == 0 && n_gen == 0) throw std::invalid_argument("nothing to measure: --prompt-tokens and --gen-tokens are both 0");

  lantern::EngineOptions eo;
  eo.n_threads = static_cast<int32_t>(args.integer("--threads", 0, 0, 256));
  eo.n_ctx = depth + std::max(n_prompt, n_gen) + 1;
  eo.max_batch = std::max({1, n_prompt, std::min(depth, 512)});
  const auto t_load = Clock::now();
  auto engine = lantern::Engine::load_file(args.str("--model"), eo);
  const double load_ms = seconds_since(t_load) * 1e3;
  lantern::LlamaModel& model = engine->model();
  if (model.n_ctx() < depth + std::max(n_prompt, n_gen))
    throw std::invalid_argument("the model's context (" + std::to_string(model.n_ctx()) + ") is shorter than the test");

  const int32_t n_vocab = model.config().n_vocab;
  std::mt19937 rng(1234);
  std::uniform_int_distribution<int32_t> any_token(0, n_vocab - 1);
  std::vector<int32_t> prompt(n_prompt);
  std::vector<float> logits(n_vocab);

  // The cache's first `depth` positions: random tokens, filled untimed before
  // each test (a test overwrites the positions after them).
  std::vector<int32_t> context(depth);
  for (auto& t : context) t = any_token(rng);
  auto fill_depth = [&] {
    for (int32_t p = 0; p < depth; p += model.max_batch()) {
      const int32_t n = std::min(model.max_batch(), depth - p);
      model.forward(&context[p], n, p, logits.data());
    }
  };

  auto prefill = [&] {
    fill_depth();
    for (auto& t : prompt) t = any_token(rng);
    const double c0 = cpu_seconds();
    const auto t0 = Clock::now();
    model.forward(prompt.data(), n_prompt, depth, logits.data());
    return Timing{seconds_since(t0), cpu_seconds() - c0};
  };
  auto decode = [&](int32_t n) {
    fill_depth();
    const double c0 = cpu_seconds();
    const auto t0 = Clock::now();
    for (int32_t i = 0; i < n; ++i) {
      const int32_t t = any_token(rng);
      model.forward(&t, 1, depth + i, logits.data());
    }
    return Timing{seconds_since(t0), cpu_seconds() - c0};
  };

  // Warm-up: touches every weight page, lets the backend prepare its weight
  // layouts (the CPU backend packs matmul weights on first use) and starts
  // the pool's threads. Reported apart: it is part of the first request.
  const auto t_warm = Clock::now();
  if (n_prompt > 0) prefill();
  if (n_gen > 0) decode(std::min<int32_t>(n_gen, 2));
  const double warmup_ms = seconds_since(t_warm) * 1e3;

  std::vector<double> pp, tg, pp_cpu, tg_cpu;
  for (int r = 0; r < runs; ++r) {
    if (n_prompt > 0) {
      const Timing t = prefill();
      pp.push_back(n_prompt / t.wall);
      pp_cpu.push_back(n_prompt / std::max(t.cpu, 1e-9));
    }
    if (n_gen > 0) {
      const Timing t = decode(n_gen);
      tg.push_back(n_gen / t.wall);
      tg_cpu.push_back(n_gen / std::max(t.cpu, 1e-9));
    }
  }
  const Spread p = spread(pp), g = spread(tg), pc = spread(pp_cpu), gc = spread(tg_cpu);
  const int threads = eo.n_threads > 0 ? eo.n_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));

  if (args.flag("--json")) {
    json out{{"model", args.str("--model")},
             {"threads", threads},
             {"depth", depth},
             {"runs", runs},
             {"load_ms", load_ms},
             {"warmup_ms", warmup_ms}};
    if (n_prompt > 0) out["prefill"] = json{{"tokens", n_prompt}, {"tok_s", to_json(p)}, {"tok_per_cpu_s", pc.median}};
    if (n_gen > 0) out["decode"] = json{{"tokens", n_gen}, {"tok_s", to_json(g)}, {"tok_per_cpu_s", gc.median}};
    std::cout << out.dump() << "\n";
    return 0;
  }
  std::printf("model   %s\nthreads %d, runs %d, depth %d, load %.1f ms, warm-up %.1f ms\n", args.str("--model").c_str(),
              threads, runs, depth, load_ms, warmup_ms);
  std::printf("%-12s %10s %10s %10s %14s\n", "test", "tok/s", "min", "max", "tok/cpu-s");
  if (n_prompt > 0) std::printf("pp%-10d %10.2f %10.2f %10.2f %14.2f\n", n_prompt, p.median, p.min, p.max, pc.median);
  if (n_gen > 0) std::printf("tg%-10d %10.2f %10.2f %10.2f %14.2f\n", n_gen, g.median, g.min, g.max, gc.median);
  return 0;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

int grammar_bench(const lantern::cli::Args& args) {
  lantern::EngineOptions eo;
  eo.n_ctx = 64;
  auto engine = lantern::Engine::load_file(args.str("--model"), eo);
  std::string gbnf = args.has("--grammar") ? read_file(args.str("--grammar"))
                                            : lantern::grammar::json_schema_to_gbnf(json::parse(read_file(args.str("--schema"))));
  json out = lantern::bench_grammar_masks(*engine, gbnf, read_file(args.str("--text")));
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const lantern::cli::Args args(argc, argv, {"--model", "--threads", "--prompt-tokens", "--gen-tokens", "--runs", "--depth",
                                                   "--schema", "--grammar", "--text"},
                                  {"--json", "--help", "-h"});
    if (args.flag("--help") || args.flag("-h") || argc == 1) {
      std::fputs(kHelp, argc == 1 ? stderr : stdout);
      return argc == 1 ? 2 : 0;
    }
    if (!args.has("--model")) throw std::invalid_argument("--model is required");
    if (args.has("--schema") || args.has("--grammar")) {
      if (!args.has("--text")) throw std::invalid_argument("--text is required with --schema or --grammar");
      return grammar_bench(args);
    }
    return run(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lantern-bench: error: %s\n", e.what());
    return 1;
  }
}
