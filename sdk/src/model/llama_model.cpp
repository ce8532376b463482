#include "model/llama_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "gguf/byte_source.h"
#include "gguf/gguf_file.h"
#include "model/memory_budget.h"

namespace lantern {

Weight LlamaModel::load(const GgufFile& gguf, const ByteSource* src, const std::string& name, bool required) {
  const GgufTensorInfo* info = gguf.find_tensor(name);
  if (!info) {
    if (required) throw std::runtime_error("model: tensor " + name + " is missing");
    return Weight{};
  }
  const uint8_t* data = src ? src->data_at(info->offset, info->n_bytes) : nullptr;
  Weight w = be_.create_weight(*info, data);
  handles_.emplace_back(info, w);
  return w;
}

std::vector<Weight> LlamaModel::load_group(const GgufFile& gguf, const ByteSource* src,
                                           const std::vector<std::string>& names) {
  std::vector<const GgufTensorInfo*> infos;
  for (const auto& name : names) {
    const GgufTensorInfo* info = gguf.find_tensor(name);
    if (!info) throw std::runtime_error("model: tensor " + name + " is missing");
    infos.push_back(info);
  }
  return load_infos(src, infos);
}

std::vector<Weight> LlamaModel::load_infos(const ByteSource* src, const std::vector<const GgufTensorInfo*>& infos) {
  std::vector<const uint8_t*> data;
  for (const GgufTensorInfo* info : infos) data.push_back(src ? src->data_at(info->offset, info->n_bytes) : nullptr);
  const std::vector<Weight> w = be_.create_weight_group(infos, data);
  for (size_t i = 0; i < w.size(); ++i) handles_.emplace_back(infos[i], w[i]);
  return w;
}

std::vector<Weight> LlamaModel::load_split(const GgufFile& gguf, const ByteSource* src, const std::string& name,
                                           const std::vector<std::pair<std::string, int64_t>>& parts) {
  const GgufTensorInfo* whole = gguf.find_tensor(name);
  if (!whole) throw std::runtime_error("model: tensor " + name + " is missing");
  // Rows are whole blocks in every GGML type, so a block of rows is a plain
  // tensor at an offset; ModelConfig checked the row count.
  std::vector<const GgufTensorInfo*> infos;
  uint64_t row = 0;
  for (const auto& [part, rows] : parts) {
    GgufTensorInfo info = *whole;
    info.name = name + " (" + part + ")";
    info.dims = {whole->dims[0], static_cast<uint64_t>(rows)};
    info.offset = whole->offset + row * whole->row_bytes();
    info.n_elements = whole->dims[0] * static_cast<uint64_t>(rows);
    info.n_bytes = whole->row_bytes() * static_cast<uint64_t>(rows);
    row += static_cast<uint64_t>(rows);
    parts_.push_back(std::move(info));
    infos.push_back(&parts_.back());
  }
  return load_infos(src, infos);
}

LlamaModel::LlamaModel(const GgufFile& gguf, const ByteSource* src, Backend& backend, int32_t n_ctx,
                       int32_t max_batch)
    : cfg_(ModelConfig::from_gguf(gguf)), be_(backend), n_ctx_(n_ctx), max_batch_(max_batch) {
  if (n_ctx_ <= 0) throw std::invalid_argument("model: context size must be positive");
  if (max_batch_ <= 0) throw std::invalid_argument("model: batch size must be positive");
  check_memory_budget(cfg_, n_ctx_, max_batch_, be_.memory_budget());  // before anything is allocated
  tok_embd_ = load(gguf, src, "token_embd.weight");
  output_norm_ = load(gguf, src, "output_norm.weight");
  output_ = cfg_.tied_output ? tok_embd_ : load(gguf, src, "output.weight");
  if (const std::string factors = cfg_.rope_factors_name(n_ctx_); !factors.empty()) rope_freqs_ = load(gguf, src, factors);
  for (int32_t l = 0; l < cfg_.n_layer; ++l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    Layer L;
    L.attn_norm = load(gguf, src, b + "attn_norm.weight");
    const auto qkv = cfg_.fused_qkv
                         ? load_split(gguf, src, b + "attn_qkv.weight", {{"q", cfg_.q_dim()}, {"k", cfg_.kv_dim()}, {"v", cfg_.kv_dim()}})
                         : load_group(gguf, src, {b + "attn_q.weight", b + "attn_k.weight", b + "attn_v.weight"});
    L.wq = qkv[0];
    L.wk = qkv[1];
    L.wv = qkv[2];
    if (cfg_.has_qkv_bias) {
      const auto bias = load_group(gguf, src, {b + "attn_q.bias", b + "attn_k.bias", b + "attn_v.bias"});
      L.bq = bias[0];
      L.bk = bias[1];
      L.bv = bias[2];
    }
    if (cfg_.has_qk_norm) {
      L.q_norm = load(gguf, src, b + "attn_q_norm.weight");
      L.k_norm = load(gguf, src, b + "attn_k_norm.weight");
    }
    L.wo = load(gguf, src, b + "attn_output.weight");
    if (cfg_.has_post_norms) {
      L.attn_post_norm = load(gguf, src, b + "post_attention_norm.weight");
      L.ffn_post_norm = load(gguf, src, b + "post_ffw_norm.weight");
    }
    L.ffn_norm = load(gguf, src, b + "ffn_norm.weight");
    // Fused (phi3): the gate's rows first, as ggml_swiglu splits them.
    const auto gate_up = cfg_.fused_gate_up ? load_split(gguf, src, b + "ffn_up.weight", {{"gate", cfg_.n_ff}, {"up", cfg_.n_ff}})
                                            : load_group(gguf, src, {b + "ffn_gate.weight", b + "ffn_up.weight"});
    L.w_gate = gate_up[0];
    L.w_up = gate_up[1];
    L.w_down = load(gguf, src, b + "ffn_down.weight");
    layers_.push_back(L);
  }
  const int32_t B = max_batch_;
  x_ = be_.create_act(B, cfg_.n_embd);
  h_ = be_.create_act(B, cfg_.n_embd);
  q_ = be_.create_act(B, cfg_.q_dim());
  k_ = be_.create_act(B, cfg_.kv_dim());
  v_ = be_.create_act(B, cfg_.kv_dim());
  attn_ = be_.create_act(B, cfg_.q_dim());
  o_ = be_.create_act(B, cfg_.n_embd);
  gate_ = be_.create_act(B, cfg_.n_ff);
  up_ = be_.create_act(B, cfg_.n_ff);
  ffn_ = be_.create_act(B, cfg_.n_ff);
  last_ = be_.create_act(1, cfg_.n_embd);
  logits_ = be_.create_act(B, cfg_.n_vocab);
  be_.create_kv(cfg_.n_layer, n_ctx_, cfg_.kv_dim());
}

void LlamaModel::forward(const int32_t* tokens, int32_t n, int32_t pos0, float* logits, bool all_logits) {
  submit(tokens, n, pos0, all_logits ? Output::AllLogits : Output::Logits);
  if (!logits_ready()) throw std::logic_error("model: forward() needs a synchronous backend; use submit()");
  std::copy(logits_host_.begin(), logits_host_.begin() + static_cast<size_t>(logits_rows_) * cfg_.n_vocab, logits);
}

bool LlamaModel::logits_ready() { return be_.read_poll(); }

void LlamaModel::check_batch(int32_t n, int32_t pos0) const {
  if (n <= 0 || n > max_batch_) throw std::invalid_argument("model: batch of " + std::to_string(n) + " tokens (1.." + std::to_string(max_batch_) + " allowed)");
  if (pos0 < 0 || pos0 + n > n_ctx_) throw std::out_of_range("model: positions past the context of " + std::to_string(n_ctx_));
}

void LlamaModel::embed_scale(int32_t n) {
  if (cfg_.embd_scale != 0.0f) be_.scale(x_, cfg_.embd_scale, n);
}

void LlamaModel::record_layers(int32_t n, int32_t pos0) {
  // Scores scaled by 1/sqrt(head_dim), or unscaled where the query is scaled
  // first (gemma, as llama.cpp does: the same rounding as its reference).
  const float score_scale = cfg_.query_scale != 0.0f ? 1.0f : 1.0f / std::sqrt(static_cast<float>(cfg_.head_dim));
  const AttentionShape full{cfg_.n_head, cfg_.n_head_kv, cfg_.head_dim, score_scale, cfg_.attn_softcap, 0};
  const RopeParams rope_full = cfg_.rope_params(rope_freqs_);
  // Sliding-window layers: their window and rope base, and no context
  // scaling (llama.cpp's rope_freq_scale_train_swa stays 1 for gemma).
  AttentionShape swa = full;
  swa.window = cfg_.sliding_window;
  RopeParams rope_swa = rope_full;
  rope_swa.freq_base = cfg_.rope_freq_base_swa;
  rope_swa.freq_scale = 1.0f;
  for (int32_t l = 0; l < cfg_.n_layer; ++l) {
    const Layer& L = layers_[l];
    const bool sliding = cfg_.sliding(l);
    const AttentionShape& shape = sliding ? swa : full;
    const RopeParams& rope = sliding ? rope_swa : rope_full;
    be_.norm_matmul(x_, L.attn_norm, cfg_.rms_eps, {L.wq, L.wk, L.wv}, {L.bq, L.bk, L.bv}, n, h_, {q_, k_, v_});
    if (L.q_norm) {
      be_.head_rms_norm(q_, L.q_norm, cfg_.rms_eps, n);
      be_.head_rms_norm(k_, L.k_norm, cfg_.rms_eps, n);
    }
    be_.rope_store(l, q_, k_, v_, n, pos0, shape, rope);
    if (cfg_.query_scale != 0.0f) be_.scale(q_, cfg_.query_scale, n);
    be_.attention(l, q_, n, pos0, shape, attn_);
    be_.matmul_add(L.wo, attn_, n, x_, o_, L.attn_post_norm, cfg_.rms_eps);
    be_.norm_gate_up(x_, L.ffn_norm, cfg_.rms_eps, L.w_gate, L.w_up, cfg_.ffn_act, n, h_, gate_, up_, ffn_);
    be_.matmul_add(L.w_down, ffn_, n, x_, o_, L.ffn_post_norm, cfg_.rms_eps);
  }
}

void LlamaModel::record_output(int32_t n, Output out, int32_t slot) {
  logits_rows_ = 0;
  if (out == Output::None) return;
  if (out == Output::AllLogits) {
    be_.rms_norm(x_, output_norm_, cfg_.rms_eps, n, h_);
    be_.matmul(output_, Weight{}, h_, n, logits_);
    if (cfg_.final_softcap != 0.0f) be_.softcap(logits_, cfg_.final_softcap, n);
    logits_rows_ = n;
  } else {
    // The last token's hidden state (row 0 already when there is one token).
    Act last = x_;
    if (n > 1) {
      be_.copy_row(x_, n - 1, last_);
      last = last_;
    }
    be_.norm_matmul(last, output_norm_, cfg_.rms_eps, {output_}, {}, 1, h_, {logits_});
    if (cfg_.final_softcap != 0.0f) be_.softcap(logits_, cfg_.final_softcap, 1);
    if (out == Output::Argmax) {
      be_.argmax(logits_, 0, slot);
      return;
    }
    logits_rows_ = 1;
  }
  // The readback is part of the same submission; the host copy arrives when
  // read_poll() says so.
  logits_host_.resize(static_cast<size_t>(logits_rows_) * cfg_.n_vocab);
  be_.read_begin(logits_, logits_rows_, logits_host_.data());
}

void LlamaModel::submit(const int32_t* tokens, int32_t n, int32_t pos0, Output out, int32_t slot) {
  check_batch(n, pos0);
  be_.begin();
  be_.get_rows(tok_embd_, tokens, n, x_);
  embed_scale(n);
  record_layers(n, pos0);
  record_output(n, out, slot);
  be_.end();
  if (out == Output::Argmax) be_.token_read_begin(slot);
}

void LlamaModel::submit_from_slot(int32_t in_slot, int32_t pos0, int32_t out_slot) {
  check_batch(1, pos0);
  be_.begin();
  be_.get_rows_slot(tok_embd_, in_slot, x_);
  embed_scale(1);
  record_layers(1, pos0);
  record_output(1, Output::Argmax, out_slot);
  be_.end();
  be_.token_read_begin(out_slot);
}

}  // namespace lantern
