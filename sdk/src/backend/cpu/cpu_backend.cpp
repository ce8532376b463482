#include "backend/cpu/cpu_backend.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>

#include "backend/cpu/attention.h"
#include "backend/cpu/half.h"
#include "backend/cpu/quant_dot.h"
#include "backend/cpu/quant_gemm.h"
#include "backend/cpu/quant_gemm_k.h"
#include "backend/cpu/vec_math.h"
#include "backend/rope_table.h"
#include "gguf/byte_size.h"
#include "gguf/dequant.h"

#ifndef __EMSCRIPTEN__
#include <unistd.h>
#endif

namespace lantern {

namespace {
[[noreturn]] void cpu_fail(const std::string& msg) { throw std::runtime_error("cpu backend: " + msg); }

// Smallest chunk of a parallel loop, in units of `work_per_row` operations:
// about 32K multiply-adds (a few microseconds); smaller pieces cost more to
// hand to another thread than to run.
int64_t min_rows(int64_t work_per_row) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, work_per_row)); }

// RMS-normalised rows of src times g, written to dst or (accumulate) added
// to it: rms_norm and gemma's add_rms_norm, one loop as on WebGPU (one kernel).
void rms_rows(ThreadPool& pool, const float* src, float* dst, const float* g, int64_t rows, int32_t n, float eps,
              bool accumulate) {
  pool.parallel_for(rows, [&](int64_t r0, int64_t r1, int) {
    for (int64_t r = r0; r < r1; ++r) {
      const float* sr = src + static_cast<size_t>(r) * n;
      float* dr = dst + static_cast<size_t>(r) * n;
      const float scale = rms_scale(sr, n, eps);
      if (accumulate)
        for (int32_t i = 0; i < n; ++i) dr[i] += (sr[i] * scale) * g[i];
      else
        for (int32_t i = 0; i < n; ++i) dr[i] = (sr[i] * scale) * g[i];
    }
  }, min_rows(n));
}
}  // namespace

CpuBackend::CpuBackend(const CpuBackendOptions& opts)
    : pool_(opts.n_threads), kv_precision_(opts.kv), f32_activations_(opts.f32_activations),
      f16_prefill_(opts.f16_prefill), pack_weights_(opts.pack_weights), memory_budget_bytes_(opts.memory_budget_bytes) {
  if (f16_prefill_ && !f32_activations_) throw std::invalid_argument("cpu backend: f16_prefill needs f32_activations");
  row_scratch_.resize(pool_.size());
  krow_scratch_.resize(pool_.size());
}

CpuBackend::ActData& CpuBackend::act_written(Act a) {
  if (a.id == xacts_act_) xacts_act_ = -1;  // its quantised copies are stale now
  if (a.id == xk_act_) xk_act_ = -1;
  return act(a);
}

CpuBackend::WeightData& CpuBackend::weight(Weight w) {
  if (w.id < 0 || w.id >= static_cast<int32_t>(weights_.size())) cpu_fail("bad weight handle");
  return weights_[w.id];
}

CpuBackend::ActData& CpuBackend::act(Act a) {
  if (a.id < 0 || a.id >= static_cast<int32_t>(acts_.size())) cpu_fail("bad activation handle");
  return acts_[a.id];
}

Weight CpuBackend::create_weight(const GgufTensorInfo& info, const uint8_t* data) {
  const GgmlTypeTraits* tt = ggml_type_traits(static_cast<uint32_t>(info.type));
  if (!tt || !tt->supported) {
    std::string names;
    for (uint32_t t = 0; t < 64; ++t)
      if (const GgmlTypeTraits* k = ggml_type_traits(t); k && k->supported) names += (names.empty() ? "" : ", ") + std::string(k->name);
    cpu_fail("tensor " + info.name + " has type " + ggml_type_name(static_cast<uint32_t>(info.type)) +
         ", which Lantern cannot run (supported: " + names + ")");
  }
  WeightData wd{info, data, {}};
  if (!data) {
    wd.owned.resize(info.n_bytes);
    wd.data = wd.owned.data();
  }
  weights_.push_back(std::move(wd));
  weight_f32_.emplace_back();
  packed_.emplace_back();
  packed_k_.emplace_back();
  return Weight{static_cast<int32_t>(weights_.size() - 1)};
}

// The packed copy of a matmul weight (made on first use), or null where the
// layout does not hold its type and shape or packing is off.
template <class Packed>
const Packed* CpuBackend::packed_as(Weight w, std::vector<Packed>& copies) {
  WeightData& wd = weight(w);
  if (!pack_weights_ || !Packed::supports(wd.info.type, static_cast<int64_t>(wd.info.dims[0]))) return nullptr;
  Packed& p = copies[w.id];
  if (p.empty()) {
    p.pack(wd.info.type, wd.data, wd.info.row_bytes(), static_cast<int64_t>(wd.info.n_rows()),
           static_cast<int64_t>(wd.info.dims[0]), &pool_);
    // From now on matmul reads only the packed copy. Bytes the backend holds
    // itself (an uploaded model: the wasm build) are freed unless get_rows
    // reads them too, so a model costs its size once in wasm's 4 GiB
    // address space, not twice (a 3.8B Q4_K_M model did not fit).
    if (!wd.owned.empty() && !wd.gathered) {
      std::vector<uint8_t>().swap(wd.owned);
      wd.data = nullptr;
    }
  }
  return &p;
}

const PackedWeights* CpuBackend::packed(Weight w) { return packed_as(w, packed_); }
const PackedKWeights* CpuBackend::packed_k(Weight w) { return packed_as(w, packed_k_); }

void CpuBackend::write_weight(Weight w, uint64_t offset, const uint8_t* bytes, uint64_t n) {
  WeightData& wd = weight(w);
  if (!wd.data) cpu_fail("weight " + wd.info.name + " was packed and released: write weights before the first forward");
  if (wd.owned.empty()) cpu_fail("weight " + wd.info.name + " is used in place and cannot be written");
  if (offset > wd.owned.size() || n > wd.owned.size() - offset) cpu_fail("write past the end of " + wd.info.name);
  std::memcpy(wd.owned.data() + offset, bytes, n);
  weight_f32_[w.id].clear();
  packed_[w.id] = PackedWeights{};
  packed_k_[w.id] = PackedKWeights{};
}

Act CpuBackend::create_act(int32_t rows, int32_t cols) {
  acts_.push_back(ActData{rows, cols, std::vector<float>(static_cast<size_t>(rows) * cols)});
  return Act{static_cast<int32_t>(acts_.size() - 1)};
}

MemoryBudget CpuBackend::memory_budget() const {
  MemoryBudget b;
  b.kv_bytes_per_value = kv_precision_ == KvPrecision::F16 ? 2 : 4;
  if (memory_budget_bytes_) {
    b.total_bytes = memory_budget_bytes_;
    b.source = "the CPU backend's memory_budget_bytes";
#ifdef __EMSCRIPTEN__
  } else {
    b.total_bytes = uint64_t{1} << 30;
    b.source = "the wasm CPU backend's budget: its 4 GiB address space holds the weights too";
#else
  } else {
    const long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGE_SIZE);
    const uint64_t phys = pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : uint64_t{8} << 30;
    b.total_bytes = phys / 2;
    b.source = "half of this machine's " + byte_size(phys) + " of memory";
#endif
  }
  return b;
}

void CpuBackend::create_kv(int32_t n_layer, int32_t n_ctx, int32_t kv_dim) {
  kv_layers_ = n_layer;
  kv_ctx_ = n_ctx;
  kv_dim_ = kv_dim;
  const size_t n = static_cast<size_t>(n_layer) * n_ctx * kv_dim;
  if (kv_precision_ == KvPrecision::F16) {
    k16_.assign(n, 0);
    v16_.assign(n, 0);
  } else {
    k_cache_.assign(n, 0.0f);
    v_cache_.assign(n, 0.0f);
  }
}

const float* CpuBackend::f32_vector(Weight w, int64_t expected) {
  WeightData& wd = weight(w);
  if (static_cast<int64_t>(wd.info.n_elements) != expected)
    cpu_fail(wd.info.name + " has " + std::to_string(wd.info.n_elements) + " elements, expected " + std::to_string(expected));
  if (wd.info.type == GgmlType::F32) return reinterpret_cast<const float*>(wd.data);
  auto& cache = weight_f32_[w.id];
  if (cache.empty()) {
    cache.resize(expected);
    dequantize_row(wd.info.type, wd.data, cache.data(), expected);
  }
  return cache.data();
}

void CpuBackend::get_rows(Weight table, const int32_t* tokens, int32_t n, Act out) {
  WeightData& wd = weight(table);
  ActData& o = act_written(out);
  const int64_t cols = static_cast<int64_t>(wd.info.dims[0]);
  const int64_t n_rows = static_cast<int64_t>(wd.info.n_rows());
  if (cols != o.cols || n > o.rows) cpu_fail("get_rows: shape mismatch");
  if (!wd.data) cpu_fail("get_rows: " + wd.info.name + " was packed for matmul and its bytes released before any gather");
  wd.gathered = true;
  for (int32_t r = 0; r < n; ++r) {
    if (tokens[r] < 0 || tokens[r] >= n_rows) cpu_fail("token id " + std::to_string(tokens[r]) + " is outside the vocabulary");
    dequantize_row(wd.info.type, wd.data + static_cast<uint64_t>(tokens[r]) * wd.info.row_bytes(), &o.v[r * cols], cols);
  }
}

void CpuBackend::rms_norm(Act x, Weight w, float eps, int32_t rows, Act out) {
  ActData& xi = act(x);
  ActData& o = act_written(out);
  const int32_t n = xi.cols;
  rms_rows(pool_, xi.v.data(), o.v.data(), f32_vector(w, n), rows, n, eps, false);
}

void CpuBackend::head_rms_norm(Act x, Weight w, float eps, int32_t rows) {
  ActData& xi = act_written(x);
  const WeightData& wd = weight(w);
  const int32_t n = static_cast<int32_t>(wd.info.n_elements);
  if (n <= 0 || xi.cols % n != 0) cpu_fail("head_rms_norm: " + wd.info.name + " does not divide the row into heads");
  const float* g = f32_vector(w, n);
  const int64_t heads = static_cast<int64_t>(rows) * (xi.cols / n);
  pool_.parallel_for(heads, [&](int64_t h0, int64_t h1, int) {
    for (int64_t h = h0; h < h1; ++h) {
      float* v = &xi.v[static_cast<size_t>(h) * n];
      const float scale = rms_scale(v, n, eps);
      for (int32_t i = 0; i < n; ++i) v[i] = (v[i] * scale) * g[i];
    }
  }, min_rows(n));
}

void CpuBackend::matmul(Weight w, Weight bias, Act x, int32_t rows, Act out) {
  WeightData& wd = weight(w);
  ActData& xi = act(x);
  ActData& o = act_written(out);
  const int64_t in = static_cast<int64_t>(wd.info.dims[0]);
  const int64_t out_dim = static_cast<int64_t>(wd.info.n_rows());
  if (in != xi.cols || out_dim != o.cols || rows > xi.rows || rows > o.rows)
    cpu_fail("matmul " + wd.info.name + ": shape mismatch");
  const float* b = bias ? f32_vector(bias, out_dim) : nullptr;
  const uint64_t row_bytes = wd.info.row_bytes();
  const GgmlType type = wd.info.type;

  if (uses_q8_activations(type) && !f32_activations_) {
    // llama.cpp's path: activations quantised to Q8_0 blocks, integer block
    // dots.
    if (const PackedWeights* pw = packed(w)) {
      // q/k/v (and gate/up) read the same input: quantise it once.
      if (xacts_act_ != x.id || xacts_.rows() != rows || xacts_.weight_type() != type || xacts_.n() != in) {
        xacts_.quantize(xi.v.data(), rows, in, in, type, rows >= 8 ? &pool_ : nullptr);
        xacts_act_ = x.id;
      }
      // Threads take whole tiles of groups, so no tile is split in two.
      const int64_t unit = quant_gemm_tile_groups(rows), groups = pw->groups();
      pool_.parallel_for((groups + unit - 1) / unit, [&](int64_t u0, int64_t u1, int) {
        quant_gemm(*pw, u0 * unit, std::min(groups, u1 * unit), xacts_, 0, rows, o.v.data(), out_dim, b);
      }, min_rows(unit * PackedWeights::kGroupRows * in * rows));
      return;
    }
    // Unpacked weights: one row dot at a time.
    const int64_t nb = in / kQ8Block;
    xq_.resize(static_cast<size_t>(nb) * rows);
    for (int32_t r = 0; r < rows; ++r) quantize_act_q8(&xi.v[r * in], &xq_[r * nb], in);
    pool_.parallel_for(out_dim, [&](int64_t begin, int64_t end, int) {
      for (int64_t j = begin; j < end; ++j) {
        const uint8_t* wrow = wd.data + j * row_bytes;
        for (int32_t r = 0; r < rows; ++r) {
          const ActBlockQ8* xr = &xq_[r * nb];
          const float s = type == GgmlType::Q4_0     ? dot_q4_0_q8(wrow, xr, in)
                          : type == GgmlType::Q5_0   ? dot_q5_0_q8(wrow, xr, in)
                          : type == GgmlType::IQ4_NL ? dot_iq4_nl_q8(wrow, xr, in)
                                                     : dot_q8_0_q8(wrow, xr, in);
          o.v[r * out_dim + j] = b ? s + b[j] : s;
        }
      }
    }, min_rows(in * rows));
    return;
  }

  if (uses_q8k_activations(type) && !f32_activations_) {
    // llama.cpp's path for K-quants: activations quantised to Q8_K blocks,
    // integer block dots; each weight row unpacked once for all the rows.
    const int64_t nb = in / kQ8KBlock;
    // q/k/v (and gate/up) read the same input, whatever their K-quant type:
    // quantise it once.
    if (xk_act_ != x.id || xk_rows_ != rows || static_cast<int64_t>(xk_.size()) != nb * rows) {
      xk_.resize(static_cast<size_t>(nb) * rows);
      for (int32_t r = 0; r < rows; ++r) quantize_act_q8k(&xi.v[r * in], &xk_[r * nb], in);
      xk_act_ = x.id;
      xk_rows_ = rows;
    }
    if (const PackedKWeights* pw = packed_k(w)) {
      pool_.parallel_for(pw->groups(), [&](int64_t g0, int64_t g1, int) {
        quant_gemm_k(*pw, g0, g1, xk_.data(), 0, rows, o.v.data(), out_dim, b);
      }, min_rows(PackedKWeights::kGroupRows * in * rows));
      return;
    }
    pool_.parallel_for(out_dim, [&](int64_t begin, int64_t end, int t) {
      KQuantRow& wrow = krow_scratch_[t];
      for (int64_t j = begin; j < end; ++j) {
        unpack_k_row(type, wd.data + j * row_bytes, in, wrow);
        for (int32_t r = 0; r < rows; ++r) {
          const float s = dot_k_q8k(wrow, &xk_[r * nb], in);
          o.v[r * out_dim + j] = b ? s + b[j] : s;
        }
      }
    }, min_rows(in * rows));
    return;
  }

  // f16_prefill: both operands rounded to fp16 where the WebGPU backend
  // would multiply on its matrix units (more than kDecodeRows rows, of a
  // multiple of 32 elements each).
  const bool round16 = f16_prefill_ && rows > kDecodeRows && in % 32 == 0;
  const auto to_f16 = [](float* v, int64_t n) {
    for (int64_t i = 0; i < n; ++i) v[i] = half_to_float(float_to_half(v[i]));
  };
  const float* xs = xi.v.data();
  if (round16) {
    x16_.assign(xi.v.begin(), xi.v.begin() + static_cast<int64_t>(rows) * in);
    to_f16(x16_.data(), static_cast<int64_t>(x16_.size()));
    xs = x16_.data();
  }
  pool_.parallel_for(out_dim, [&](int64_t begin, int64_t end, int t) {
    std::vector<float>& scratch = row_scratch_[t];
    for (int64_t j = begin; j < end; ++j) {
      const uint8_t* wrow = wd.data + j * row_bytes;
      const float* wf = nullptr;
      if (type == GgmlType::F32 && !round16) {
        wf = reinterpret_cast<const float*>(wrow);
      } else {
        scratch.resize(in);
        dequantize_row(type, wrow, scratch.data(), in);
        if (round16) to_f16(scratch.data(), in);
        wf = scratch.data();
      }
      for (int32_t r = 0; r < rows; ++r) {
        const float s = dot_f32(wf, &xs[r * in], in);
        o.v[r * out_dim + j] = b ? s + b[j] : s;
      }
    }
  }, min_rows(in * rows));
}

void CpuBackend::rope(Act x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t pos0, const RopeParams& p) {
  ActData& xi = act_written(x);
  if (n_heads * head_dim != xi.cols || p.n_rot > head_dim || p.n_rot % 2) cpu_fail("rope: shape mismatch");
  const float* ff = p.freq_factors ? f32_vector(p.freq_factors, p.n_rot / 2) : nullptr;
  const int32_t half = p.n_rot / 2;
  std::vector<float> cs(static_cast<size_t>(half) * 2);
  for (int32_t r = 0; r < rows; ++r) {
    rope_cos_sin(p, ff, pos0 + r, cs.data());
    for (int32_t i = 0; i < half; ++i) {
      const float c = cs[2 * i], s = cs[2 * i + 1];
      for (int32_t h = 0; h < n_heads; ++h) {
        float* v = &xi.v[static_cast<size_t>(r) * xi.cols + h * head_dim];
        float& a = p.neox ? v[i] : v[2 * i];
        float& b = p.neox ? v[i + half] : v[2 * i + 1];
        const float x0 = a, x1 = b;
        a = x0 * c - x1 * s;
        b = x0 * s + x1 * c;
      }
    }
  }
}

void CpuBackend::kv_store(int32_t layer, Act k, Act v, int32_t rows, int32_t pos0) {
  ActData& ki = act(k);
  ActData& vi = act(v);
  if (ki.cols != kv_dim_ || vi.cols != kv_dim_ || layer < 0 || layer >= kv_layers_) cpu_fail("kv_store: shape mismatch");
  if (pos0 < 0 || pos0 + rows > kv_ctx_) cpu_fail("kv_store: position past the context");
  const size_t base = (static_cast<size_t>(layer) * kv_ctx_ + pos0) * kv_dim_;
  const size_t n = static_cast<size_t>(rows) * kv_dim_;
  if (kv_precision_ == KvPrecision::F16) {
    for (size_t i = 0; i < n; ++i) {
      k16_[base + i] = float_to_half(ki.v[i]);
      v16_[base + i] = float_to_half(vi.v[i]);
    }
  } else if (kv_precision_ == KvPrecision::F16Rounded) {
    for (size_t i = 0; i < n; ++i) {
      k_cache_[base + i] = half_to_float(float_to_half(ki.v[i]));
      v_cache_[base + i] = half_to_float(float_to_half(vi.v[i]));
    }
  } else {
    std::memcpy(&k_cache_[base], ki.v.data(), sizeof(float) * n);
    std::memcpy(&v_cache_[base], vi.v.data(), sizeof(float) * n);
  }
}

void CpuBackend::attention(int32_t layer, Act q, int32_t rows, int32_t pos0, const AttentionShape& s, Act out) {
  ActData& qi = act(q);
  ActData& o = act_written(out);
  if (qi.cols != s.n_head * s.head_dim || o.cols != qi.cols || s.n_head_kv * s.head_dim != kv_dim_)
    cpu_fail("attention: shape mismatch");
  if (s.n_head_kv <= 0 || s.n_head % s.n_head_kv) cpu_fail("attention: heads not a multiple of kv heads");
  if (pos0 < 0 || pos0 + rows > kv_ctx_) cpu_fail("attention: position past the context");
  const bool f16 = kv_precision_ == KvPrecision::F16;
  const size_t layer_base = static_cast<size_t>(layer) * kv_ctx_ * kv_dim_;
  const int32_t group = s.n_head / s.n_head_kv;
  const int32_t hd = s.head_dim;
  const int64_t n_ctx_used = pos0 + rows;
  if (f16 && rows >= kAttentionTile) {
    // llama.cpp switches to its tiled kernel for batches this large. Tasks
    // are (kv head, tile of 64 queries), all query heads of the group in one
    // task so each key/value tile is widened once.
    const int32_t tiles = (rows + kAttentionTile - 1) / kAttentionTile;
    pool_.parallel_for(static_cast<int64_t>(tiles) * s.n_head_kv, [&](int64_t begin, int64_t end, int t) {
      std::vector<float>& scratch = row_scratch_[t];
      scratch.resize(attention_tile_scratch(hd, group));
      for (int64_t task = begin; task < end; ++task) {
        const int32_t kvh = static_cast<int32_t>(task % s.n_head_kv);
        const int32_t r0 = static_cast<int32_t>(task / s.n_head_kv) * kAttentionTile;
        const size_t head = layer_base + static_cast<size_t>(kvh) * hd;
        const size_t q_off = static_cast<size_t>(r0) * qi.cols + static_cast<size_t>(kvh) * group * hd;
        attend_rows_tiled_f16(&qi.v[q_off], qi.cols, group, std::min(kAttentionTile, rows - r0), pos0 + r0,
                              &k16_[head], &v16_[head], kv_dim_, hd, s.scale, s.softcap, s.window, &o.v[q_off], o.cols,
                              scratch.data());
      }
    });
    return;
  }
  pool_.parallel_for(static_cast<int64_t>(rows) * s.n_head, [&](int64_t begin, int64_t end, int t) {
    std::vector<float>& scratch = row_scratch_[t];
    scratch.resize(std::max<int64_t>(n_ctx_used, 2 * hd));
    for (int64_t task = begin; task < end; ++task) {
      const int32_t r = static_cast<int32_t>(task / s.n_head), h = static_cast<int32_t>(task % s.n_head);
      const int32_t first = first_visible_key(s, pos0 + r);  // causal: keys first..pos
      const size_t head = layer_base + static_cast<size_t>(first) * kv_dim_ + static_cast<size_t>(h / group) * hd;
      const int32_t n_keys = pos0 + r + 1 - first;
      const float* qv = &qi.v[static_cast<size_t>(r) * qi.cols + h * hd];
      float* ov = &o.v[static_cast<size_t>(r) * o.cols + h * hd];
      if (f16) attend_head_f16(qv, &k16_[head], &v16_[head], kv_dim_, n_keys, hd, s.scale, s.softcap, ov, scratch.data());
      else attend_head_f32(qv, &k_cache_[head], &v_cache_[head], kv_dim_, n_keys, hd, s.scale, s.softcap, ov, scratch.data());
    }
  }, min_rows(n_ctx_used * hd * 2));
}

void CpuBackend::glu(Act gate, Act up, int32_t rows, GateAct fn, Act out) {
  ActData& g = act(gate);
  ActData& u = act(up);
  ActData& o = act_written(out);
  if (g.cols != u.cols || o.cols != g.cols) cpu_fail("glu: shape mismatch");
  const int64_t n = static_cast<int64_t>(rows) * g.cols;
  // Split in 64-float pieces (cache-line aligned slices for the threads).
  pool_.parallel_for((n + 63) / 64, [&](int64_t b, int64_t e, int) {
    const int64_t i0 = b * 64, i1 = std::min(n, e * 64);
    if (fn == GateAct::GeluTanh) geglu_row(&g.v[i0], &u.v[i0], &o.v[i0], i1 - i0);
    else swiglu_row(&g.v[i0], &u.v[i0], &o.v[i0], i1 - i0);
  }, 128);
}

void CpuBackend::add(Act x, Act y, int32_t rows) {
  ActData& a = act_written(x);
  ActData& b = act(y);
  if (a.cols != b.cols) cpu_fail("add: shape mismatch");
  add_row(a.v.data(), b.v.data(), static_cast<int64_t>(rows) * a.cols);
}

void CpuBackend::add_rms_norm(Act x, Act y, Weight w, float eps, int32_t rows) {
  ActData& a = act_written(x);
  ActData& b = act(y);
  if (a.cols != b.cols || rows > a.rows || rows > b.rows) cpu_fail("add_rms_norm: shape mismatch");
  const int32_t n = a.cols;
  rms_rows(pool_, b.v.data(), a.v.data(), f32_vector(w, n), rows, n, eps, true);
}

void CpuBackend::scale(Act x, float s, int32_t rows) {
  ActData& a = act_written(x);
  if (rows > a.rows) cpu_fail("scale: too many rows");
  const int64_t n = static_cast<int64_t>(rows) * a.cols;
  for (int64_t i = 0; i < n; ++i) a.v[i] *= s;
}

void CpuBackend::softcap(Act x, float cap, int32_t rows) {
  ActData& a = act_written(x);
  if (rows > a.rows) cpu_fail("softcap: too many rows");
  if (!(cap > 0.0f)) cpu_fail("softcap: the cap must be positive");
  // As llama.cpp: scaled by 1/cap, tanh, scaled by cap.
  const float inv = 1.0f / cap;
  const int64_t n = static_cast<int64_t>(rows) * a.cols;
  for (int64_t i = 0; i < n; ++i) a.v[i] = std::tanh(a.v[i] * inv) * cap;
}

void CpuBackend::copy_row(Act src, int32_t src_row, Act dst) {
  ActData& s = act(src);
  ActData& d = act_written(dst);
  if (s.cols != d.cols || src_row < 0 || src_row >= s.rows) cpu_fail("copy_row: shape mismatch");
  std::memcpy(d.v.data(), &s.v[static_cast<size_t>(src_row) * s.cols], sizeof(float) * s.cols);
}

void CpuBackend::read_begin(Act a, int32_t rows, float* dst) {
  ActData& s = act(a);
  if (rows > s.rows) cpu_fail("read: too many rows");
  std::memcpy(dst, s.v.data(), sizeof(float) * rows * s.cols);
}

}  // namespace lantern
