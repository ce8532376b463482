#include "backend/webgpu/webgpu_backend.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include "backend/rope_table.h"
#include "backend/webgpu/gpu_bridge.h"
#include "backend/webgpu/kernel_sources.h"

namespace lantern {

namespace {
// gate_act.wgsl's act values.
uint32_t gate_act_id(GateAct a) { return a == GateAct::GeluTanh ? 1u : 0u; }

constexpr int kStorage = 1, kUniform = 2, kCopySrc = 4, kCopyDst = 8;
constexpr int kSlotWords = 64;  // 256 bytes: WebGPU's uniform offset alignment
constexpr int kMaxSlots = 4096;
constexpr uint32_t kWg = 256;

[[noreturn]] void webgpu_fail(const std::string& msg) { throw std::runtime_error("webgpu backend: " + msg); }

uint32_t fbits(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}
uint32_t ceil_div(uint64_t a, uint64_t b) { return static_cast<uint32_t>((a + b - 1) / b); }
uint64_t round4(uint64_t n) { return (n + 3) & ~uint64_t{3}; }

// A WGSL constant declaration: "const NAME: u32 = Vu;".
std::string wgsl_u32(const char* name, uint32_t v) {
  std::string s = "const ";
  s += name;
  s += ": u32 = ";
  s += std::to_string(v);
  s += "u;\n";
  return s;
}

// Workgroups per dispatch dimension that WebGPU allows.
constexpr uint32_t kMaxGroups = 65535;

const char* weights_kernel(GgmlType t) {
  switch (t) {
    case GgmlType::F32: return "weights_f32";
    case GgmlType::F16: return "weights_f16";
    case GgmlType::BF16: return "weights_bf16";
    case GgmlType::Q8_0: return "weights_q8_0";
    case GgmlType::Q4_0: return "weights_q4_0";
    case GgmlType::Q4_1: return "weights_q4_1";
    case GgmlType::Q5_0: return "weights_q5_0";
    case GgmlType::Q5_1: return "weights_q5_1";
    case GgmlType::Q2_K: return "weights_q2_k";
    case GgmlType::Q3_K: return "weights_q3_k";
    case GgmlType::Q4_K: return "weights_q4_k";
    case GgmlType::Q5_K: return "weights_q5_k";
    case GgmlType::Q6_K: return "weights_q6_k";
    case GgmlType::IQ4_NL: return "weights_iq4_nl";
    case GgmlType::IQ4_XS: return "weights_iq4_xs";
    default: return nullptr;
  }
}

// Preludes that define only load4 and take load_elem and block_dot from
// weights_by_load4.wgsl.
bool by_load4(GgmlType t) {
  return t == GgmlType::Q4_1 || t == GgmlType::Q5_0 || t == GgmlType::Q5_1 || t == GgmlType::Q2_K ||
         t == GgmlType::Q3_K || t == GgmlType::Q4_K || t == GgmlType::Q5_K || t == GgmlType::Q6_K ||
         t == GgmlType::IQ4_NL || t == GgmlType::IQ4_XS;
}

// "f32, f16, ...": the types weights_kernel has a prelude for.
std::string gpu_type_names() {
  std::string names;
  for (uint32_t t = 0; t < 64; ++t)
    if (weights_kernel(static_cast<GgmlType>(t))) names += (names.empty() ? "" : ", ") + ggml_type_name(t);
  return names;
}

std::string no_kernel(const GgufTensorInfo& info) {
  return "tensor " + info.name + " has type " + ggml_type_name(static_cast<uint32_t>(info.type)) +
         ", which has no WebGPU kernel (WebGPU runs " + gpu_type_names() + ")";
}
}  // namespace

std::string WebGpuBackend::unsupported(const GgufFile& gguf) {
  for (const GgufTensorInfo& t : gguf.tensors())
    if (!weights_kernel(t.type)) return no_kernel(t);
  return "";
}

WebGpuBackend::WebGpuBackend(const WebGpuBackendOptions& opts)
    : kv_f16_(opts.kv_f16),
      memory_budget_bytes_(opts.memory_budget_bytes),
      max_buffer_bytes_(static_cast<uint64_t>(lgpu_max_buffer_size())) {
  set_matvec_override(opts.matvec);
  int32_t c[5] = {0, 0, 0, 0, 0};
  if (lgpu_subgroup_matrix(c)) {
    const uint32_t m = c[0], n = c[1], k = c[2], max_subgroup = c[3], storage = c[4];
    // matmul_subgroup.wgsl's workgroup memory: two f16 slices of 40-half rows
    // (4m tokens, 4n weight rows) and the 4m x 4n f32 results.
    const uint32_t need = (4 * m + 4 * n) * 40 * 2 + 16 * m * n * 4;
    if (need <= storage) smx_ = {m, n, k, 4 * max_subgroup};
  }
  set_subgroup_matrix(opts.subgroup_matrix);
  params_buffer_ = lgpu_buffer_create(kMaxSlots * kSlotWords * 4.0, kUniform | kCopyDst, "params");
  dummy_buffer_ = lgpu_buffer_create(16, kStorage | kCopyDst, "dummy");
  for (int& d : dummy_out_) d = lgpu_buffer_create(16, kStorage, "dummy output");
  slots_buffer_ = lgpu_buffer_create(4.0 * kTokenSlots, kStorage | kCopySrc | kCopyDst, "token slots");
  argmax_partial_ = lgpu_buffer_create(8.0 * 256, kStorage, "argmax partials");
  slot_requests_.assign(kTokenSlots, -1);
  slot_values_.assign(kTokenSlots, 0);
}

WebGpuBackend::~WebGpuBackend() {
  for (const auto& w : weights_)
    if (w.group < 0 || w.offset == 0) lgpu_buffer_destroy(w.buffer);  // a group's buffer once
  for (const auto& a : acts_) lgpu_buffer_destroy(a.buffer);
  for (int b : k_cache_) lgpu_buffer_destroy(b);
  for (int b : v_cache_) lgpu_buffer_destroy(b);
  for (const auto& [key, b] : rope_tables_) lgpu_buffer_destroy(b);
  for (int b : dummy_out_) lgpu_buffer_destroy(b);
  for (int b : {params_buffer_, dummy_buffer_, tokens_buffer_, attn_part_, slots_buffer_, argmax_partial_})
    if (b > 0) lgpu_buffer_destroy(b);
}

// The matrix-vector kernels' workgroups: each thread takes a half tile (16
// elements) per step, so longer rows get more threads (every row finishes in
// about two steps); tall matrices (output heads) get 8 rows per workgroup,
// so each activation load serves more weight bytes, others 4 (enough
// workgroups to fill the GPU).
void WebGpuBackend::set_matvec_override(MatvecShape shape) {
  const uint32_t t = shape.threads, r = shape.rows;
  if (t && (t < 32 || t > 256 || (t & (t - 1)))) webgpu_fail("matvec_threads must be a power of two from 32 to 256");
  if (r > 8) webgpu_fail("matvec_rows must be at most 8");
  matvec_override_ = shape;
}

bool WebGpuBackend::set_subgroup_matrix(bool on) {
  use_smx_ = on && smx_.m != 0;
  return use_smx_;
}

std::string WebGpuBackend::prefill_kernel() const {
  if (!use_smx_) return "f32 tiles";
  return "subgroup-matrix f16 " + std::to_string(smx_.m) + "x" + std::to_string(smx_.n) + "x" + std::to_string(smx_.k);
}

MatvecShape WebGpuBackend::matvec_shape(int64_t in_dim, int64_t out_dim) const {
  const int64_t halves = in_dim / 16;
  MatvecShape s{halves <= 128 ? 64u : halves <= 256 ? 128u : 256u, out_dim >= 16384 ? 8u : 4u};
  if (matvec_override_.threads) s.threads = matvec_override_.threads;
  if (matvec_override_.rows) s.rows = matvec_override_.rows;
  return s;
}

int WebGpuBackend::pipeline(const std::string& kernel, GgmlType weight_type, MatvecShape shape) {
  const bool typed = kernel == "matmul" || kernel == "matvec" || kernel == "matmul_tiled" || kernel == "get_rows" ||
                     kernel == "matvec_norm" || kernel == "matvec_gate_up" || kernel == "matmul_subgroup";
  const char* wk = typed ? weights_kernel(weight_type) : "";
  if (!wk) webgpu_fail("no " + kernel + " kernel for " + ggml_type_name(static_cast<uint32_t>(weight_type)) + " weights yet");
  const bool kv_kernel = kernel == "attention" || kernel == "kv_store" || kernel == "rope_store";
  std::string key = kernel;
  if (typed) key += std::string("/") + wk;
  if (shape.threads) key += "/" + std::to_string(shape.threads) + "x" + std::to_string(shape.rows);
  if (kv_kernel && kv_f16_) key += "/kv16";
  auto it = pipelines_.find(key);
  if (it != pipelines_.end()) return it->second;
  const auto& src = kernel_sources();
  std::string code;
  // Enables come before any declaration; the matrix shapes are the device's.
  // The quadrant offsets come from subgroup_id, which Tint's uniformity
  // analysis (workgroup scope) cannot prove uniform: its rule is named
  // chromium.subgroup_matrix_uniformity (Dawn's design doc still says
  // chromium_experimental., which Tint would only warn about as unknown).
  if (kernel == "matmul_subgroup") {
    code = "enable f16;\nenable subgroups;\nenable chromium_experimental_subgroup_matrix;\n"
           "diagnostic(off, chromium.subgroup_matrix_uniformity);\n";
    code += wgsl_u32("SM", smx_.m) + wgsl_u32("SN", smx_.n) + wgsl_u32("SK", smx_.k) + wgsl_u32("WG", smx_.threads);
  }
  // The matrix-vector kernels' workgroup size and rows per workgroup.
  if (shape.threads) code += wgsl_u32("T", shape.threads) + wgsl_u32("R", shape.rows);
  if (typed) code += src.at("weights_common") + src.at(wk);
  if (typed && by_load4(weight_type)) code += src.at("weights_by_load4");
  if (kernel == "matmul" || kernel == "matmul_tiled" || kernel == "matmul_subgroup") code += src.at("matmul_io");
  if (kv_kernel) code += src.at(kv_f16_ ? "kv_f16" : "kv_f32");
  // Activations and tanh for the kernels that apply them.
  if (kernel == "glu" || kernel == "matvec_gate_up" || kernel == "scale" || kernel == "attention") code += src.at("gate_act");
  code += src.at(kernel);
  const int id = lgpu_pipeline_create(code.c_str(), key.c_str());
  pipelines_[key] = id;
  return id;
}

const WebGpuBackend::ActBuf& WebGpuBackend::act(Act a) const {
  if (a.id < 0 || a.id >= static_cast<int32_t>(acts_.size())) webgpu_fail("bad activation handle");
  return acts_[a.id];
}

const WebGpuBackend::WeightBuf& WebGpuBackend::weight(Weight w) const {
  if (w.id < 0 || w.id >= static_cast<int32_t>(weights_.size())) webgpu_fail("bad weight handle");
  return weights_[w.id];
}

Weight WebGpuBackend::create_weight(const GgufTensorInfo& info, const uint8_t* data) {
  if (!weights_kernel(info.type)) webgpu_fail(no_kernel(info));
  if ((info.type == GgmlType::F16 || info.type == GgmlType::BF16) && info.dims[0] % 2)
    webgpu_fail(std::string(ggml_type_name(static_cast<uint32_t>(info.type))) + " tensor " + info.name + " has an odd row length");
  const int buf = lgpu_buffer_create(static_cast<double>(round4(info.n_bytes)), kStorage | kCopyDst, info.name.c_str());
  weights_.push_back({info, buf, 0, -1, {}});
  const Weight w{static_cast<int32_t>(weights_.size() - 1)};
  if (data) write_weight(w, 0, data, info.n_bytes);
  return w;
}

std::vector<Weight> WebGpuBackend::create_weight_group(const std::vector<const GgufTensorInfo*>& infos,
                                                      const std::vector<const uint8_t*>& data) {
  // One buffer, each tensor at a 256-byte aligned offset (WebGPU's storage
  // binding alignment), so each can still be bound alone.
  // Matrices of a group share type and row length (one kernel reads them
  // all). Mixes such as Q4_K_M give some layers' v a type of its own: those
  // members are made one by one, and the fused ops take their plain path.
  for (const GgufTensorInfo* info : infos)
    if (info->type != infos[0]->type || info->dims.size() != infos[0]->dims.size() ||
        (info->dims.size() > 1 && info->dims[0] != infos[0]->dims[0]))
      return Backend::create_weight_group(infos, data);
  uint64_t total = 0;
  std::vector<uint64_t> offsets;
  for (const GgufTensorInfo* info : infos) {
    if (!weights_kernel(info->type)) webgpu_fail(no_kernel(*info));
    offsets.push_back(total);
    total += (info->n_bytes + 255) & ~uint64_t{255};
  }
  const int buf = lgpu_buffer_create(static_cast<double>(total), kStorage | kCopyDst, infos[0]->name.c_str());
  const int group = next_group_++;
  std::vector<Weight> out;
  for (size_t i = 0; i < infos.size(); ++i) {
    weights_.push_back({*infos[i], buf, offsets[i], group, {}});
    out.push_back(Weight{static_cast<int32_t>(weights_.size() - 1)});
    if (data[i]) write_weight(out.back(), 0, data[i], infos[i]->n_bytes);
  }
  return out;
}

void WebGpuBackend::write_weight(Weight w, uint64_t offset, const uint8_t* bytes, uint64_t n) {
  weight(w);  // validates the handle
  WeightBuf& wb = weights_[w.id];
  // Small vectors keep a host copy: the rope table needs the frequency factors.
  if (wb.info.dims.size() == 1 && wb.info.type == GgmlType::F32) {
    wb.host.resize(wb.info.n_elements);
    if (offset + n <= wb.host.size() * 4) std::memcpy(reinterpret_cast<uint8_t*>(wb.host.data()) + offset, bytes, n);
  }
  if (offset > wb.info.n_bytes || n > wb.info.n_bytes - offset) webgpu_fail("write past the end of " + wb.info.name);
  if (offset % 4) webgpu_fail("weight writes must start at a multiple of 4 bytes");
  // writeBuffer wants multiples of 4 bytes: pad the tail of the tensor.
  constexpr uint64_t kPiece = 64ull << 20;
  for (uint64_t done = 0; done < n;) {
    const uint64_t len = std::min(kPiece, n - done);
    if (len % 4 == 0) {
      lgpu_buffer_write(wb.buffer, static_cast<double>(wb.offset + offset + done), bytes + done, static_cast<int>(len));
    } else {
      std::vector<uint8_t> padded(round4(len), 0);
      std::memcpy(padded.data(), bytes + done, len);
      lgpu_buffer_write(wb.buffer, static_cast<double>(wb.offset + offset + done), padded.data(), static_cast<int>(padded.size()));
    }
    done += len;
  }
}

Act WebGpuBackend::create_act(int32_t rows, int32_t cols) {
  const int buf = lgpu_buffer_create(4.0 * rows * cols, kStorage | kCopySrc | kCopyDst, "act");
  acts_.push_back({rows, cols, buf});
  return Act{static_cast<int32_t>(acts_.size() - 1)};
}

MemoryBudget WebGpuBackend::memory_budget() const {
  MemoryBudget b;
  b.total_bytes = memory_budget_bytes_;
  b.max_buffer_bytes = max_buffer_bytes_;
  b.kv_bytes_per_value = kv_f16_ ? 2 : 4;
  b.source = "the WebGPU backend's memory_budget_bytes";
  return b;
}

void WebGpuBackend::create_kv(int32_t n_layer, int32_t n_ctx, int32_t kv_dim) {
  for (int b : k_cache_) lgpu_buffer_destroy(b);
  for (int b : v_cache_) lgpu_buffer_destroy(b);
  k_cache_.clear();
  v_cache_.clear();
  if (kv_dim % 4) webgpu_fail("the KV width must be a multiple of 4");
  const double bytes = (kv_f16_ ? 2.0 : 4.0) * n_ctx * kv_dim;
  for (int32_t l = 0; l < n_layer; ++l) {
    k_cache_.push_back(lgpu_buffer_create(bytes, kStorage, "k_cache"));
    v_cache_.push_back(lgpu_buffer_create(bytes, kStorage, "v_cache"));
  }
  kv_ctx_ = n_ctx;
  kv_dim_ = kv_dim;
  bind_groups_.clear();
}

void WebGpuBackend::begin() {
  cmds_.clear();
  params_.clear();
  slots_ = 0;
  token_offset_ = 0;
}

WebGpuBackend::Binding WebGpuBackend::bind(const WeightBuf& w) const {
  return Binding(w.buffer, w.offset, round4(w.info.n_bytes));
}

bool WebGpuBackend::same_group(const std::vector<Weight>& ws) const {
  for (size_t i = 0; i < ws.size(); ++i) {
    const WeightBuf& a = weight(ws[i]);
    if (a.group < 0 || a.group != weight(ws[0]).group) return false;
    if (i > 0 && ws[i].id != ws[i - 1].id + 1) return false;
  }
  return true;
}

void WebGpuBackend::dispatch(int pipe, const std::vector<uint32_t>& params, const std::vector<Binding>& buffers,
                             uint32_t x, uint32_t y, uint32_t z) {
  if (slots_ >= kMaxSlots) webgpu_fail("too many dispatches in one pass");
  const int slot = slots_++;
  params_.resize(static_cast<size_t>(slots_) * kSlotWords, 0);
  std::copy(params.begin(), params.end(), params_.begin() + static_cast<size_t>(slot) * kSlotWords);
  // A bind group per (pipeline, slot, buffers): the same op at the same place
  // of every step finds its bind group made.
  std::vector<int> key{pipe, slot};
  for (const Binding& b : buffers) key.insert(key.end(), {b.buffer, static_cast<int>(b.offset), static_cast<int>(b.size)});
  auto it = bind_groups_.find(key);
  int bg;
  if (it != bind_groups_.end()) {
    bg = it->second;
  } else {
    std::vector<int32_t> entries{0, params_buffer_, slot * kSlotWords * 4, kSlotWords * 4};
    for (size_t i = 0; i < buffers.size(); ++i) {
      const int32_t e[4] = {static_cast<int32_t>(i + 1), buffers[i].buffer, static_cast<int32_t>(buffers[i].offset),
                            static_cast<int32_t>(buffers[i].size)};
      entries.insert(entries.end(), e, e + 4);
    }
    bg = lgpu_bind_group_create(pipe, entries.data(), static_cast<int>(entries.size() / 4));
    bind_groups_[key] = bg;
  }
  const int32_t cmd[6] = {1, pipe, bg, static_cast<int32_t>(x), static_cast<int32_t>(y), static_cast<int32_t>(z)};
  cmds_.insert(cmds_.end(), cmd, cmd + 6);
}

void WebGpuBackend::dispatch_matvec(int pipe, const std::vector<uint32_t>& params, const std::vector<Binding>& buffers,
                                    uint64_t n_rows, MatvecShape shape, int32_t tokens) {
  // Row groups past 65535 continue in z (an output head of 152K rows in
  // groups of 2 is more).
  const uint32_t groups = ceil_div(n_rows, shape.rows);
  dispatch(pipe, params, buffers, std::min(groups, kMaxGroups), tokens, ceil_div(groups, kMaxGroups));
}

void WebGpuBackend::end() {
  if (!params_.empty()) lgpu_buffer_write(params_buffer_, 0, params_.data(), static_cast<int>(params_.size() * 4));
  lgpu_submit(cmds_.data(), static_cast<int>(cmds_.size()));
  last_dispatches_ = slots_;
  if (read_.buffer >= 0 && read_.request < 0) read_.request = lgpu_read_begin(read_.buffer, 0, read_.size);
}

void WebGpuBackend::get_rows(Weight table, const int32_t* tokens, int32_t n, Act out) {
  const WeightBuf& w = weight(table);
  const ActBuf& o = act(out);
  const uint32_t n_rows = static_cast<uint32_t>(w.info.n_rows());
  if (static_cast<int32_t>(w.info.dims[0]) != o.cols || n > o.rows) webgpu_fail("get_rows: shape mismatch");
  for (int32_t r = 0; r < n; ++r)
    if (tokens[r] < 0 || static_cast<uint32_t>(tokens[r]) >= n_rows) webgpu_fail("token id " + std::to_string(tokens[r]) + " is outside the vocabulary");
  const uint32_t need = token_offset_ + n;
  if (!tokens_buffer_ || need > tokens_capacity_) {
    if (tokens_buffer_) lgpu_buffer_destroy(tokens_buffer_);
    tokens_capacity_ = std::max<uint32_t>(need, 256);
    tokens_buffer_ = lgpu_buffer_create(4.0 * tokens_capacity_, kStorage | kCopyDst, "tokens");
  }
  lgpu_buffer_write(tokens_buffer_, 4.0 * token_offset_, tokens, 4 * n);
  dispatch(pipeline("get_rows", w.info.type), {static_cast<uint32_t>(o.cols), static_cast<uint32_t>(w.info.row_bytes()), token_offset_, n_rows},
           {bind(w), tokens_buffer_, o.buffer}, ceil_div(o.cols, kWg), n);
  token_offset_ += n;
}

void WebGpuBackend::rms_norm(Act x, Weight w, float eps, int32_t rows, Act out) {
  const ActBuf& xi = act(x);
  const ActBuf& o = act(out);
  const WeightBuf& g = weight(w);
  if (g.info.type != GgmlType::F32 || static_cast<int32_t>(g.info.n_elements) != xi.cols || o.cols != xi.cols)
    webgpu_fail("rms_norm: " + g.info.name + " must be f32 with one value per column");
  if (x.id == out.id) webgpu_fail("rms_norm: in place is not supported");
  dispatch(pipeline("rms_norm"), {static_cast<uint32_t>(xi.cols), fbits(eps), 0u}, {xi.buffer, bind(g), o.buffer}, rows);
}

void WebGpuBackend::add_rms_norm(Act x, Act y, Weight w, float eps, int32_t rows) {
  const ActBuf& xo = act(x);
  const ActBuf& yi = act(y);
  const WeightBuf& g = weight(w);
  if (g.info.type != GgmlType::F32 || static_cast<int32_t>(g.info.n_elements) != yi.cols || xo.cols != yi.cols)
    webgpu_fail("add_rms_norm: " + g.info.name + " must be f32 with one value per column");
  if (x.id == y.id) webgpu_fail("add_rms_norm: in place is not supported");
  dispatch(pipeline("rms_norm"), {static_cast<uint32_t>(yi.cols), fbits(eps), 1u}, {yi.buffer, bind(g), xo.buffer}, rows);
}

void WebGpuBackend::scale_cap(Act x, float mul, float cap, int32_t rows) {
  const ActBuf& a = act(x);
  if (rows > a.rows) webgpu_fail("scale: too many rows");
  const uint64_t n = static_cast<uint64_t>(rows) * a.cols;
  dispatch(pipeline("scale"), {static_cast<uint32_t>(n), fbits(mul), fbits(cap)}, {a.buffer},
           std::min<uint32_t>(ceil_div(n, kWg), 65535), ceil_div(n, 65535ull * kWg));
}

void WebGpuBackend::scale(Act x, float s, int32_t rows) { scale_cap(x, s, 0.0f, rows); }

void WebGpuBackend::softcap(Act x, float cap, int32_t rows) {
  if (!(cap > 0.0f)) webgpu_fail("softcap: the cap must be positive");
  scale_cap(x, 1.0f / cap, cap, rows);
}

void WebGpuBackend::head_rms_norm(Act x, Weight w, float eps, int32_t rows) {
  const ActBuf& xi = act(x);
  const WeightBuf& g = weight(w);
  const int32_t n = static_cast<int32_t>(g.info.n_elements);
  if (g.info.type != GgmlType::F32 || n <= 0 || xi.cols % n != 0)
    webgpu_fail("head_rms_norm: " + g.info.name + " must be f32 and divide the row into heads");
  dispatch(pipeline("head_rms_norm"), {static_cast<uint32_t>(n), fbits(eps)}, {xi.buffer, bind(g)}, xi.cols / n, rows);
}

void WebGpuBackend::matmul(Weight w, Weight bias, Act x, int32_t rows, Act out) {
  const WeightBuf& wb = weight(w);
  const ActBuf& xi = act(x);
  const ActBuf& o = act(out);
  const int64_t in = static_cast<int64_t>(wb.info.dims[0]);
  const int64_t out_dim = static_cast<int64_t>(wb.info.n_rows());
  if (in != xi.cols || out_dim != o.cols || rows > xi.rows || rows > o.rows) webgpu_fail("matmul " + wb.info.name + ": shape mismatch");
  Binding bias_buf = dummy_buffer_;
  if (bias) {
    const WeightBuf& bb = weight(bias);
    if (bb.info.type != GgmlType::F32 || static_cast<int64_t>(bb.info.n_elements) != out_dim) webgpu_fail("matmul: bias " + bb.info.name + " must be f32");
    bias_buf = bind(bb);
  }
  const std::vector<uint32_t> params{static_cast<uint32_t>(in), static_cast<uint32_t>(out_dim),
                                     static_cast<uint32_t>(wb.info.row_bytes()), bias ? 1u : 0u, static_cast<uint32_t>(rows), 0u};
  const std::vector<Binding> bufs{bind(wb), xi.buffer, o.buffer, bias_buf};
  // Decode (a token or a few): matvec.wgsl (see matvec_shape). Prefill:
  // tiles that read each weight once per 64 tokens, on the matrix units
  // where the device has them.
  const MatvecShape shape = matvec_shape(in, out_dim);
  if (in % 32 != 0) dispatch(pipeline("matmul", wb.info.type), params, bufs, ceil_div(out_dim, 4), rows);
  else if (rows <= kDecodeRows) dispatch_matvec(pipeline("matvec", wb.info.type, shape), params, bufs, out_dim, shape, rows);
  else if (use_smx_) dispatch(pipeline("matmul_subgroup", wb.info.type), params, bufs, ceil_div(out_dim, 4 * smx_.n), ceil_div(rows, 4 * smx_.m));
  else dispatch(pipeline("matmul_tiled", wb.info.type), params, bufs, ceil_div(out_dim, 64), ceil_div(rows, 64));
}

int WebGpuBackend::rope_table(const RopeParams& p) {
  const std::vector<uint32_t> key{static_cast<uint32_t>(p.n_rot), fbits(p.freq_base), static_cast<uint32_t>(p.freq_factors.id),
                                  fbits(p.freq_scale), fbits(p.ext_factor), fbits(p.attn_factor), fbits(p.beta_fast),
                                  fbits(p.beta_slow), static_cast<uint32_t>(p.n_ctx_orig)};
  auto it = rope_tables_.find(key);
  if (it != rope_tables_.end()) return it->second;
  const float* factors = nullptr;
  if (p.freq_factors) {
    const WeightBuf& f = weight(p.freq_factors);
    if (f.host.size() != static_cast<size_t>(p.n_rot / 2))
      webgpu_fail(f.info.name + " must be uploaded through write_weight (lt_write_tensor) before the first pass");
    factors = f.host.data();
  }
  const std::vector<float> table = rope_cos_sin_table(p, factors, kv_ctx_);
  const int buf = lgpu_buffer_create(4.0 * table.size(), kStorage | kCopyDst, "rope cos/sin");
  lgpu_buffer_write(buf, 0, table.data(), static_cast<int>(table.size() * 4));
  rope_tables_[key] = buf;
  return buf;
}

void WebGpuBackend::rope(Act x, int32_t rows, int32_t n_heads, int32_t head_dim, int32_t pos0, const RopeParams& p) {
  const ActBuf& xi = act(x);
  if (n_heads * head_dim != xi.cols || p.n_rot > head_dim || p.n_rot % 2) webgpu_fail("rope: shape mismatch");
  if (pos0 < 0 || pos0 + rows > kv_ctx_) webgpu_fail("rope: position past the context");
  dispatch(pipeline("rope"),
           {static_cast<uint32_t>(n_heads), static_cast<uint32_t>(head_dim), static_cast<uint32_t>(pos0),
            static_cast<uint32_t>(p.n_rot), p.neox ? 1u : 0u},
           {xi.buffer, rope_table(p)}, ceil_div(static_cast<uint64_t>(n_heads) * p.n_rot / 2, 64), rows);
}

void WebGpuBackend::kv_store(int32_t layer, Act k, Act v, int32_t rows, int32_t pos0) {
  const ActBuf& ki = act(k);
  const ActBuf& vi = act(v);
  if (ki.cols != kv_dim_ || vi.cols != kv_dim_ || layer < 0 || layer >= static_cast<int32_t>(k_cache_.size())) webgpu_fail("kv_store: shape mismatch");
  if (pos0 < 0 || pos0 + rows > kv_ctx_) webgpu_fail("kv_store: position past the context");
  dispatch(pipeline("kv_store"), {static_cast<uint32_t>(rows), static_cast<uint32_t>(kv_dim_), static_cast<uint32_t>(pos0)},
           {ki.buffer, vi.buffer, k_cache_[layer], v_cache_[layer]}, ceil_div(static_cast<uint64_t>(rows) * kv_dim_ / 2, kWg));
}

void WebGpuBackend::attention(int32_t layer, Act q, int32_t rows, int32_t pos0, const AttentionShape& s, Act out) {
  const ActBuf& qi = act(q);
  const ActBuf& o = act(out);
  if (qi.cols != s.n_head * s.head_dim || o.cols != qi.cols || s.n_head_kv * s.head_dim != kv_dim_) webgpu_fail("attention: shape mismatch");
  if (s.head_dim % 4 != 0 || s.head_dim > 256) webgpu_fail("attention: head_dim must be a multiple of 4 and at most 256");
  if (pos0 + rows > kv_ctx_) webgpu_fail("attention: position past the context");
  // Keys from the first row's first visible one on are split in chunks of
  // 256 (attention.wgsl's CHUNK), one workgroup each; with more than one
  // chunk a second dispatch combines them.
  constexpr uint32_t kChunk = 256;
  const uint32_t key0 = static_cast<uint32_t>(first_visible_key(s, pos0));
  const uint32_t n_split = ceil_div(static_cast<uint64_t>(pos0) + rows - key0, kChunk);
  if (n_split > 1) {
    const double need = 4.0 * rows * s.n_head * n_split * (s.head_dim + 2);
    if (!attn_part_ || need > attn_part_bytes_) {
      if (attn_part_) lgpu_buffer_destroy(attn_part_);
      attn_part_ = lgpu_buffer_create(need, kStorage, "attention partials");
      attn_part_bytes_ = need;
    }
  }
  const Binding part = attn_part_ ? Binding(attn_part_) : Binding(dummy_out_[0]);
  dispatch(pipeline("attention"),
           {static_cast<uint32_t>(pos0), static_cast<uint32_t>(s.n_head), static_cast<uint32_t>(s.n_head_kv),
            static_cast<uint32_t>(s.head_dim), static_cast<uint32_t>(kv_dim_), n_split,
            fbits(score_multiplier(s.scale, s.softcap)), fbits(s.softcap), static_cast<uint32_t>(s.window), key0},
           {qi.buffer, k_cache_[layer], v_cache_[layer], o.buffer, part}, s.n_head, rows, n_split);
  if (n_split > 1)
    dispatch(pipeline("attention_reduce"), {static_cast<uint32_t>(s.n_head), static_cast<uint32_t>(s.head_dim), n_split},
             {part, o.buffer}, s.n_head, rows);
}

void WebGpuBackend::glu(Act gate, Act up, int32_t rows, GateAct fn, Act out) {
  const ActBuf& g = act(gate);
  const ActBuf& u = act(up);
  const ActBuf& o = act(out);
  if (g.cols != u.cols || o.cols != g.cols) webgpu_fail("glu: shape mismatch");
  const uint64_t n = static_cast<uint64_t>(rows) * g.cols;
  dispatch(pipeline("glu"), {static_cast<uint32_t>(n), gate_act_id(fn)}, {g.buffer, u.buffer, o.buffer},
           std::min<uint32_t>(ceil_div(n, kWg), 65535), ceil_div(n, 65535ull * kWg));
}

void WebGpuBackend::add(Act x, Act y, int32_t rows) {
  const ActBuf& a = act(x);
  const ActBuf& b = act(y);
  if (a.cols != b.cols) webgpu_fail("add: shape mismatch");
  const uint64_t n = static_cast<uint64_t>(rows) * a.cols;
  dispatch(pipeline("add"), {static_cast<uint32_t>(n)}, {a.buffer, b.buffer}, std::min<uint32_t>(ceil_div(n, kWg), 65535),
           ceil_div(n, 65535ull * kWg));
}

void WebGpuBackend::copy_row(Act src, int32_t src_row, Act dst) {
  const ActBuf& s = act(src);
  const ActBuf& d = act(dst);
  if (s.cols != d.cols || src_row < 0 || src_row >= s.rows) webgpu_fail("copy_row: shape mismatch");
  dispatch(pipeline("copy_row"), {static_cast<uint32_t>(s.cols), static_cast<uint32_t>(src_row)}, {s.buffer, d.buffer},
           ceil_div(s.cols, kWg));
}

// --- fused decode steps (a token or a few; prefill takes the plain ops) ---

void WebGpuBackend::norm_matmul(Act x, Weight norm, float eps, const std::vector<Weight>& w,
                                const std::vector<Weight>& bias, int32_t rows, Act h, const std::vector<Act>& outs) {
  const ActBuf& xi = act(x);
  const WeightBuf& w0 = weight(w.at(0));
  const bool biased = !bias.empty() && bias[0];
  const bool fusable = rows <= kDecodeRows && xi.cols % 32 == 0 && w.size() <= 3 && w.size() == outs.size() &&
                       (w.size() == 1 || same_group(w)) && (!biased || (bias.size() == w.size() && same_group(bias))) &&
                       weight(norm).info.type == GgmlType::F32;
  if (!fusable) return Backend::norm_matmul(x, norm, eps, w, bias, rows, h, outs);
  uint32_t ends[3] = {0, 0, 0}, offs[3] = {0, 0, 0}, boffs[3] = {0, 0, 0};
  uint32_t total = 0;
  std::vector<Binding> out_bind;
  for (size_t i = 0; i < 3; ++i) {
    if (i < w.size()) {
      const WeightBuf& wi = weight(w[i]);
      if (static_cast<int32_t>(wi.info.dims[0]) != xi.cols) webgpu_fail("norm_matmul: " + wi.info.name + " has the wrong row length");
      if (act(outs[i]).cols != static_cast<int32_t>(wi.info.n_rows())) webgpu_fail("norm_matmul: output shape mismatch for " + wi.info.name);
      total += static_cast<uint32_t>(wi.info.n_rows());
      offs[i] = static_cast<uint32_t>(wi.offset - w0.offset);
      if (biased) boffs[i] = static_cast<uint32_t>((weight(bias[i]).offset - weight(bias[0]).offset) / 4);
      out_bind.push_back(act(outs[i]).buffer);
    } else {
      out_bind.push_back(dummy_out_[i - 1]);
    }
    ends[i] = total;
  }
  // The whole group from its first member on, so part offsets are relative to it.
  const WeightBuf& wl = weight(w.back());
  const Binding wbind(w0.buffer, w0.offset, wl.offset + round4(wl.info.n_bytes) - w0.offset);
  Binding bbind = dummy_buffer_;
  if (biased) {
    const WeightBuf& b0 = weight(bias[0]);
    const WeightBuf& bl = weight(bias.back());
    bbind = Binding(b0.buffer, b0.offset, bl.offset + round4(bl.info.n_bytes) - b0.offset);
  }
  const MatvecShape shape = matvec_shape(xi.cols, total);
  dispatch_matvec(pipeline("matvec_norm", w0.info.type, shape),
                  {static_cast<uint32_t>(xi.cols), total, static_cast<uint32_t>(w0.info.row_bytes()), fbits(eps), ends[0],
                   ends[1], offs[0], offs[1], offs[2], boffs[0], boffs[1], boffs[2], biased ? 1u : 0u},
                  {wbind, xi.buffer, bind(weight(norm)), out_bind[0], out_bind[1], out_bind[2], bbind}, total, shape, rows);
}

void WebGpuBackend::norm_gate_up(Act x, Weight norm, float eps, Weight w_gate, Weight w_up, GateAct fn, int32_t rows,
                                 Act h, Act gate, Act up, Act out) {
  const ActBuf& xi = act(x);
  if (rows > kDecodeRows || xi.cols % 32 != 0 || !same_group({w_gate, w_up}) || weight(norm).info.type != GgmlType::F32)
    return Backend::norm_gate_up(x, norm, eps, w_gate, w_up, fn, rows, h, gate, up, out);
  const WeightBuf& wg = weight(w_gate);
  const WeightBuf& wu = weight(w_up);
  const ActBuf& o = act(out);
  const uint32_t n_ff = static_cast<uint32_t>(wg.info.n_rows());
  if (o.cols != static_cast<int32_t>(n_ff) || static_cast<int32_t>(wg.info.dims[0]) != xi.cols) webgpu_fail("norm_gate_up: shape mismatch");
  const Binding wbind(wg.buffer, wg.offset, wu.offset + round4(wu.info.n_bytes) - wg.offset);
  // Two matrices' rows per row: at most 4 rows per workgroup.
  MatvecShape shape = matvec_shape(xi.cols, n_ff);
  shape.rows = std::min(shape.rows, 4u);
  dispatch_matvec(pipeline("matvec_gate_up", wg.info.type, shape),
                  {static_cast<uint32_t>(xi.cols), n_ff, static_cast<uint32_t>(wg.info.row_bytes()), fbits(eps), 0u,
                   static_cast<uint32_t>(wu.offset - wg.offset), gate_act_id(fn)},
                  {wbind, xi.buffer, bind(weight(norm)), o.buffer}, n_ff, shape, rows);
}

void WebGpuBackend::matmul_add(Weight w, Act a, int32_t rows, Act x, Act tmp, Weight post_norm, float eps) {
  const WeightBuf& wb = weight(w);
  const ActBuf& ai = act(a);
  const ActBuf& xo = act(x);
  const int64_t in = static_cast<int64_t>(wb.info.dims[0]), out_dim = static_cast<int64_t>(wb.info.n_rows());
  // A post-norm needs the whole product first: the plain ops.
  if (rows > kDecodeRows || in % 32 != 0 || post_norm) return Backend::matmul_add(w, a, rows, x, tmp, post_norm, eps);
  if (in != ai.cols || out_dim != xo.cols) webgpu_fail("matmul_add " + wb.info.name + ": shape mismatch");
  const MatvecShape shape = matvec_shape(in, out_dim);
  dispatch_matvec(pipeline("matvec", wb.info.type, shape),
                  {static_cast<uint32_t>(in), static_cast<uint32_t>(out_dim), static_cast<uint32_t>(wb.info.row_bytes()), 0u,
                   static_cast<uint32_t>(rows), 1u},
                  {bind(wb), ai.buffer, xo.buffer, dummy_buffer_}, out_dim, shape, rows);
}

void WebGpuBackend::rope_store(int32_t layer, Act q, Act k, Act v, int32_t rows, int32_t pos0, const AttentionShape& s,
                               const RopeParams& p) {
  if (rows > kDecodeRows) return Backend::rope_store(layer, q, k, v, rows, pos0, s, p);
  const ActBuf& qi = act(q);
  const ActBuf& ki = act(k);
  const ActBuf& vi = act(v);
  if (qi.cols != s.n_head * s.head_dim || ki.cols != kv_dim_ || vi.cols != kv_dim_ || p.n_rot > s.head_dim || p.n_rot % 2)
    webgpu_fail("rope_store: shape mismatch");
  if (layer < 0 || layer >= static_cast<int32_t>(k_cache_.size()) || pos0 < 0 || pos0 + rows > kv_ctx_)
    webgpu_fail("rope_store: bad layer or position past the context");
  const uint64_t threads = static_cast<uint64_t>(rows) * (s.n_head * (p.n_rot / 2) + kv_dim_ / 2);
  dispatch(pipeline("rope_store"),
           {static_cast<uint32_t>(rows), static_cast<uint32_t>(s.n_head), static_cast<uint32_t>(s.head_dim),
            static_cast<uint32_t>(pos0), static_cast<uint32_t>(p.n_rot), p.neox ? 1u : 0u, static_cast<uint32_t>(kv_dim_)},
           {qi.buffer, ki.buffer, vi.buffer, k_cache_[layer], v_cache_[layer], rope_table(p)}, ceil_div(threads, kWg));
}

void WebGpuBackend::argmax(Act logits, int32_t row, int32_t slot) {
  const ActBuf& l = act(logits);
  if (row < 0 || row >= l.rows || slot < 0 || slot >= kTokenSlots) webgpu_fail("argmax: bad row or slot");
  // Stage 1: up to 256 workgroups of 256 threads, each a slice of the row;
  // stage 2: one workgroup over their results.
  const uint32_t groups = std::min<uint32_t>(256, ceil_div(l.cols, 4 * kWg));
  const uint32_t cols = static_cast<uint32_t>(l.cols), r = static_cast<uint32_t>(row), sl = static_cast<uint32_t>(slot);
  const int pipe = pipeline("argmax");
  dispatch(pipe, {cols, r, sl, 0u, groups}, {l.buffer, argmax_partial_, slots_buffer_}, groups);
  dispatch(pipe, {cols, r, sl, 1u, groups}, {l.buffer, argmax_partial_, slots_buffer_}, 1);
}

void WebGpuBackend::get_rows_slot(Weight table, int32_t slot, Act out) {
  const WeightBuf& w = weight(table);
  const ActBuf& o = act(out);
  if (static_cast<int32_t>(w.info.dims[0]) != o.cols || slot < 0 || slot >= kTokenSlots) webgpu_fail("get_rows_slot: bad shape or slot");
  dispatch(pipeline("get_rows", w.info.type),
           {static_cast<uint32_t>(o.cols), static_cast<uint32_t>(w.info.row_bytes()), static_cast<uint32_t>(slot),
            static_cast<uint32_t>(w.info.n_rows())},
           {bind(w), slots_buffer_, o.buffer}, ceil_div(o.cols, kWg), 1);
}

void WebGpuBackend::token_read_begin(int32_t slot) {
  if (slot < 0 || slot >= kTokenSlots) webgpu_fail("token_read_begin: bad slot");
  if (slot_requests_[slot] >= 0) webgpu_fail("token slot " + std::to_string(slot) + " is already being read");
  slot_requests_[slot] = lgpu_read_begin(slots_buffer_, 4.0 * slot, 4);
}

int32_t WebGpuBackend::token_read_poll(int32_t slot) {
  if (slot < 0 || slot >= kTokenSlots || slot_requests_[slot] < 0) webgpu_fail("token_read_poll: no read of that slot");
  const int r = lgpu_read_poll(slot_requests_[slot], &slot_values_[slot]);
  if (r < 0) webgpu_fail("reading a token back from the GPU failed (device lost?)");
  if (r == 0) return -1;
  slot_requests_[slot] = -1;
  return static_cast<int32_t>(slot_values_[slot]);
}

void WebGpuBackend::token_read_cancel(int32_t slot) {
  if (slot < 0 || slot >= kTokenSlots || slot_requests_[slot] < 0) return;
  lgpu_read_cancel(slot_requests_[slot]);
  slot_requests_[slot] = -1;
}

void WebGpuBackend::read_begin(Act a, int32_t rows, float* dst) {
  const ActBuf& s = act(a);
  if (rows > s.rows) webgpu_fail("read: too many rows");
  read_ = Read{s.buffer, -1, 4 * rows * s.cols, dst};
}

bool WebGpuBackend::read_poll() {
  if (read_.buffer < 0) return true;
  if (read_.request < 0) webgpu_fail("read_poll before the pass was submitted");
  const int r = lgpu_read_poll(read_.request, read_.dst);
  if (r < 0) webgpu_fail("reading results back from the GPU failed (device lost?)");
  if (r == 0) return false;
  read_ = Read{};
  return true;
}

}  // namespace lantern
