// A loaded model ready to generate: the GGUF source, its tokenizer, the model
// on a backend and the KV cache bookkeeping. Generation is a step machine
// (generation.h) so the browser worker can interleave steps with messages.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "backend/backend.h"
#include "chat/chat_template.h"
#include "engine/grammar_cache.h"
#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "kv/kv_cache.h"
#include "model/llama_model.h"
#include "tokenizer/tokenizer.h"

namespace lantern {

struct EngineOptions {
  // The one place these defaults live: the CLI, the C ABI and the web SDK
  // leave an option out rather than repeat its value.
  int32_t n_ctx = 4096;     // clamped to the model's training context
  int32_t max_batch = 256;  // prompt tokens per forward pass
  int32_t n_threads = 0;    // CPU backend: 0 = one per core
  // The caller uploads tensor bytes itself (the browser streams them from the
  // network or the cache straight to the GPU); the source holds the header only.
  bool external_weights = false;
};

struct LoadTimings {
  double parse_ms = 0, weights_ms = 0, total_ms = 0;
};

class Engine {
 public:
  // Native: maps the file and runs on the CPU backend.
  static std::unique_ptr<Engine> load_file(const std::string& path, const EngineOptions& opts = {});
  // Any source and backend (the source must outlive the engine when the
  // backend uses its bytes in place). `header`: the source's header where
  // the caller has parsed it already (parse_model(*src)), else parsed here.
  Engine(std::unique_ptr<ByteSource> src, std::unique_ptr<Backend> backend, const EngineOptions& opts,
         std::optional<GgufFile> header = std::nullopt);

  const GgufFile& gguf() const { return gguf_; }
  const Tokenizer& tokenizer() const { return *tokenizer_; }
  // The model's chat template (tokenizer.chat_template) with fallbacks.
  const ChatTemplate& chat_template() const { return *chat_template_; }
  // Output grammars compiled against this model's vocabulary.
  GrammarCache& grammars() { return *grammars_; }
  const ModelConfig& config() const { return model_->config(); }
  LlamaModel& model() { return *model_; }
  KvCache& kv() { return kv_; }
  Backend& backend() { return *backend_; }
  int32_t n_ctx() const { return kv_.capacity(); }
  const LoadTimings& load_timings() const { return load_timings_; }
  // Throws GgufError(Io) when the model file shrank under its mapping since
  // it was opened (see ByteSource::check_intact); Generation calls it before
  // it uses a pass's results.
  void check_source() const { src_->check_intact(); }

 private:
  std::unique_ptr<ByteSource> src_;
  GgufFile gguf_;
  std::unique_ptr<Backend> backend_;
  std::unique_ptr<Tokenizer> tokenizer_;
  std::unique_ptr<ChatTemplate> chat_template_;
  std::unique_ptr<GrammarCache> grammars_;
  std::unique_ptr<LlamaModel> model_;
  KvCache kv_;
  LoadTimings load_timings_;
};

}  // namespace lantern
