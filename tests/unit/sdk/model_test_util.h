// Helpers shared by the model_*golden_test.cpp files: golden JSON read from
// the source tree, a GGUF model loaded on the CPU backend, greedy decoding.
#pragma once
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "backend/cpu/cpu_backend.h"
#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "model/llama_model.h"
#include "support/test_paths.h"

namespace lantern::test {

// A JSON file under the source tree (fixtures/golden/...).
inline nlohmann::json load_json(const std::string& rel) {
  std::ifstream f(source(rel));
  EXPECT_TRUE(f.good()) << rel;
  return nlohmann::json::parse(f);
}

// A model file on its own CPU backend.
struct CpuModel {
  CpuModel(const std::string& path, const CpuBackendOptions& o, int32_t n_ctx = 512, int32_t max_batch = 64)
      : src(open_file_source(path)), gguf(GgufFile::parse(*src)), backend(o), model(gguf, src.get(), backend, n_ctx, max_batch) {}
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

}  // namespace lantern::test
