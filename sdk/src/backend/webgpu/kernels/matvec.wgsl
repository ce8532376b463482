// out[r][j] = W[j] . x[r] (+ bias[j]) for one or a few tokens (decode): a
// workgroup computes 4 output rows with 32 threads per row. The 32 threads
// of a row take the 8 quads of 4 consecutive blocks at a time, so both the
// weight bytes and x (read as vec4) are read in one contiguous sweep per
// step, then the row's 32 partial sums are reduced. Needs in_dim to be a
// multiple of 32. With `accumulate` it adds into out (x += W . a).
// Type functions (load4) from weights_*.wgsl.
struct Params {
  in_dim: u32,
  out_dim: u32,
  row_bytes: u32,
  has_bias: u32,
  rows: u32,
  accumulate: u32,  // 1: out += W . x (a residual connection), 0: out = W . x
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

const LANES: u32 = 32u;
const ROWS: u32 = 4u;  // 128 threads: many workgroups keep every SM busy on small matrices
var<workgroup> red: array<f32, 128>;

fn act_at(i: u32) -> f32 { return x[i / 4u][i % 4u]; }

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let lane = lid % LANES;
  let sub = lid / LANES;
  let j = wg.x * ROWS + sub;
  let r = wg.y;
  let nb = p.in_dim / 32u;
  let q = lane % 8u;         // quad within a block
  let b0 = lane / 8u;        // block within a step of 4 blocks
  var s = 0.0;
  if (j < p.out_dim) {
    let row_byte = j * p.row_bytes;
    let xq = r * (p.in_dim / 4u);
    // Two independent sweeps in flight per thread (b and b + 4).
    var s2 = 0.0;
    var b = b0;
    for (; b + 4u < nb; b += 8u) {
      s += dot(load4(row_byte, b, q), x[xq + b * 8u + q]);
      s2 += dot(load4(row_byte, b + 4u, q), x[xq + (b + 4u) * 8u + q]);
    }
    if (b < nb) { s += dot(load4(row_byte, b, q), x[xq + b * 8u + q]); }
    s += s2;
  }
  red[lid] = s;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  if (lane == 0u && j < p.out_dim) {
    var v = red[lid];
    if (p.has_bias != 0u) { v += bias[j]; }
    if (p.accumulate != 0u) { v += out[r * p.out_dim + j]; }
    out[r * p.out_dim + j] = v;
  }
}
