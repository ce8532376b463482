#include "engine/engine.h"

#include "gguf/gguf_split.h"

#include <algorithm>
#include <chrono>

#include "backend/cpu/cpu_backend.h"
#include "chat/chat_template_gguf.h"
#include "gguf/gguf_split.h"

namespace lantern {

namespace {
double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

int32_t context_size(const GgufFile& g, const EngineOptions& opts) {
  const ModelConfig cfg = ModelConfig::from_gguf(g);
  return std::max<int32_t>(1, std::min(opts.n_ctx, cfg.n_ctx_train));
}
}  // namespace

std::unique_ptr<Engine> Engine::load_file(const std::string& path, const EngineOptions& opts) {
  CpuBackendOptions bo;
  bo.n_threads = opts.n_threads;
  return std::make_unique<Engine>(open_model_source(path), std::make_unique<CpuBackend>(bo), opts);
}

Engine::Engine(std::unique_ptr<ByteSource> src, std::unique_ptr<Backend> backend, const EngineOptions& opts,
               std::optional<GgufFile> header)
    : src_(std::move(src)),
      gguf_(header ? std::move(*header) : parse_model(*src_)),
      backend_(std::move(backend)),
      kv_(context_size(gguf_, opts)) {
  const auto t0 = std::chrono::steady_clock::now();
  tokenizer_ = Tokenizer::from_gguf(gguf_);
  grammars_ = std::make_unique<GrammarCache>(*tokenizer_);
  chat_template_ = std::make_unique<ChatTemplate>(chat_template_from_gguf(gguf_));
  load_timings_.parse_ms = ms_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  model_ = std::make_unique<LlamaModel>(gguf_, src_.get(), *backend_, kv_.capacity(), opts.max_batch);
  // Weights the backend could not use in place are copied in from the source.
  if (!opts.external_weights) {
    std::vector<uint8_t> buf;
    for (const auto& [info, w] : model_->weight_handles()) {
      if (src_->data_at(info->offset, info->n_bytes)) continue;
      buf.resize(info->n_bytes);
      src_->read(info->offset, buf.data(), buf.size());
      backend_->write_weight(w, 0, buf.data(), buf.size());
    }
  }
  src_->check_intact();
  load_timings_.weights_ms = ms_since(t1);
  load_timings_.total_ms = ms_since(t0);
}

}  // namespace lantern
