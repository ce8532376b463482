// The gated feed-forward's activations (backend.h's GateAct), for glu.wgsl
// and matvec_gate_up.wgsl: act 0 is SiLU, 1 GELU's tanh approximation
// computed as the CPU backend does (llama.cpp's table: from x rounded to
// fp16, the result rounded to fp16; 0 below -10, x above 10).

// tanh that stays finite for any x (e^2x may overflow; then it is +-1).
fn tanh_safe(x: f32) -> f32 {
  let t = 1.0 - 2.0 / (exp(2.0 * abs(x)) + 1.0);
  return select(t, -t, x < 0.0);
}

fn round_f16(x: f32) -> f32 { return unpack2x16float(pack2x16float(vec2<f32>(x, 0.0))).x; }

fn gelu_tanh(x: f32) -> f32 {
  if (x <= -10.0) { return 0.0; }
  if (x >= 10.0) { return x; }
  let h = round_f16(x);
  return round_f16(0.5 * h * (1.0 + tanh_safe(0.7978845608 * h * (1.0 + 0.044715 * h * h))));
}

fn gate_act(x: f32, act: u32) -> f32 {
  if (act == 1u) { return gelu_tanh(x); }
  return x / (1.0 + exp(-x));
}
