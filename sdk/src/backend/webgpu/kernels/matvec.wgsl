// out[r][j] = W[j] . x[r] (+ bias[j]) for one or a few tokens (decode): a
// workgroup computes 8 output rows, 32 threads per row striding over the
// blocks, then a reduction per row. Type functions from weights_*.wgsl.
struct Params {
  in_dim: u32,
  out_dim: u32,
  row_bytes: u32,
  has_bias: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<storage, read> bias: array<f32>;

const LANES: u32 = 32u;
const ROWS: u32 = 8u;
var<workgroup> red: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let lane = lid % LANES;
  let sub = lid / LANES;
  let j = wg.x * ROWS + sub;
  let r = wg.y;
  let nb = p.in_dim / BLOCK;
  var s = 0.0;
  if (j < p.out_dim) {
    let row_byte = j * p.row_bytes;
    let xbase = r * p.in_dim;
    for (var b = lane; b < nb; b += LANES) {
      s += block_dot(row_byte, b, xbase + b * BLOCK);
    }
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
    out[r * p.out_dim + j] = v;
  }
}
