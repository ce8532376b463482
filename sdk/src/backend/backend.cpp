#include "backend/backend.h"

#include <stdexcept>

namespace lantern {

namespace {
[[noreturn]] void unsupported(const Backend& b, const char* op) {
  throw std::logic_error(b.name() + " backend: " + op + " is not supported (check supports_device_argmax())");
}
}  // namespace

std::vector<Weight> Backend::create_weight_group(const std::vector<const GgufTensorInfo*>& infos,
                                                const std::vector<const uint8_t*>& data) {
  std::vector<Weight> out;
  for (size_t i = 0; i < infos.size(); ++i) out.push_back(create_weight(*infos[i], data[i]));
  return out;
}

void Backend::norm_matmul(Act x, Weight norm, float eps, const std::vector<Weight>& w, const std::vector<Weight>& bias,
                          int32_t rows, Act h, const std::vector<Act>& outs) {
  rms_norm(x, norm, eps, rows, h);
  for (size_t i = 0; i < w.size(); ++i) matmul(w[i], i < bias.size() ? bias[i] : Weight{}, h, rows, outs[i]);
}

void Backend::norm_gate_up(Act x, Weight norm, float eps, Weight w_gate, Weight w_up, GateAct act, int32_t rows, Act h,
                           Act gate, Act up, Act out) {
  rms_norm(x, norm, eps, rows, h);
  matmul(w_gate, Weight{}, h, rows, gate);
  matmul(w_up, Weight{}, h, rows, up);
  glu(gate, up, rows, act, out);
}

void Backend::matmul_add(Weight w, Act a, int32_t rows, Act x, Act tmp, Weight post_norm, float eps) {
  matmul(w, Weight{}, a, rows, tmp);
  if (post_norm) add_rms_norm(x, tmp, post_norm, eps, rows);
  else add(x, tmp, rows);
}

void Backend::rope_store(int32_t layer, Act q, Act k, Act v, int32_t rows, int32_t pos0, const AttentionShape& s,
                         const RopeParams& p) {
  rope(q, rows, s.n_head, s.head_dim, pos0, p);
  rope(k, rows, s.n_head_kv, s.head_dim, pos0, p);
  kv_store(layer, k, v, rows, pos0);
}

void Backend::argmax(Act, int32_t, int32_t) { unsupported(*this, "argmax"); }
void Backend::get_rows_slot(Weight, int32_t, Act) { unsupported(*this, "get_rows_slot"); }
void Backend::token_read_begin(int32_t) { unsupported(*this, "token_read_begin"); }
int32_t Backend::token_read_poll(int32_t) { unsupported(*this, "token_read_poll"); }
void Backend::token_read_cancel(int32_t) { unsupported(*this, "token_read_cancel"); }

}  // namespace lantern
