// out[r] = row tokens[r] of an embedding table, dequantised (type functions
// from the weights_*.wgsl file prepended).
struct Params {
  cols: u32,
  row_bytes: u32,
  token_offset: u32,
  n_rows: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> tokens: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
// The type functions read activations in block_dot; get_rows never calls it.
fn act_at(i: u32) -> f32 { return 0.0; }

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  let r = gid.y;
  if (i >= p.cols) { return; }
  let t = min(tokens[p.token_offset + r], p.n_rows - 1u);
  out[r * p.cols + i] = load_elem(t * p.row_bytes, i);
}
