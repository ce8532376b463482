// The interface of the products on f32 activations, out[r][j] = W[j] . x[r]
// (+ bias[j]) for `rows` tokens (matmul, matmul_tiled, matmul_subgroup; the
// backend prepends it): parameters and bindings in the order
// WebGpuBackend::matmul binds them, and act_at for weights_*.wgsl's block_dot.
struct Params {
  in_dim: u32,
  out_dim: u32,
  row_bytes: u32,
  has_bias: u32,
  rows: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

fn act_at(i: u32) -> f32 { return x[i]; }
