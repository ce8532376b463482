// outs = W_i . (rms_norm(x) * g) (+ bias_i) for one token or a few (decode),
// up to three matrices of one group side by side in `w` (q|k|v, or just the
// output head): the normalisation, the three matrix-vector products and the
// biases in one dispatch. Each workgroup first takes the sum of squares of
// its token's x, then computes 4 output rows, 32 threads per row (see
// matvec.wgsl). Row j of the concatenation belongs to part 0 below end0,
// part 1 below end1, part 2 after. Type functions from weights_*.wgsl.
struct Params {
  in_dim: u32,
  total_rows: u32,
  row_bytes: u32,
  eps: f32,
  end0: u32,
  end1: u32,
  off0: u32,       // byte offset of each part in w
  off1: u32,
  off2: u32,
  boff0: u32,      // element offset of each part's bias in `bias`
  boff1: u32,
  boff2: u32,
  has_bias: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> out0: array<f32>;
@group(0) @binding(5) var<storage, read_write> out1: array<f32>;
@group(0) @binding(6) var<storage, read_write> out2: array<f32>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;

fn act_at(i: u32) -> f32 { return x[i / 4u][i % 4u]; }

const LANES: u32 = 32u;
const ROWS: u32 = 4u;  // 128 threads: many workgroups keep every SM busy on small matrices
var<workgroup> red: array<f32, 128>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.y;
  let n4 = p.in_dim / 4u;
  let xq = r * n4;
  let scale = rms_scale(xq, n4, p.eps, lid);

  let lane = lid % LANES;
  let sub = lid / LANES;
  let j = wg.x * ROWS + sub;
  var part = 2u;
  var jl = j - p.end1;
  var off = p.off2;
  var n = p.total_rows - p.end1;
  var boff = p.boff2;
  if (j < p.end0) {
    part = 0u; jl = j; off = p.off0; n = p.end0; boff = p.boff0;
  } else if (j < p.end1) {
    part = 1u; jl = j - p.end0; off = p.off1; n = p.end1 - p.end0; boff = p.boff1;
  }
  let nb = p.in_dim / 32u;
  let q = lane % 8u;
  let b0 = lane / 8u;
  var s = 0.0;
  if (j < p.total_rows) {
    let row_byte = off + jl * p.row_bytes;
    var s2 = 0.0;
    var b = b0;
    for (; b + 4u < nb; b += 8u) {
      s += dot(load4(row_byte, b, q), x[xq + b * 8u + q] * g[b * 8u + q]);
      s2 += dot(load4(row_byte, b + 4u, q), x[xq + (b + 4u) * 8u + q] * g[(b + 4u) * 8u + q]);
    }
    if (b < nb) { s += dot(load4(row_byte, b, q), x[xq + b * 8u + q] * g[b * 8u + q]); }
    s += s2;
  }
  red[lid] = s;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lane < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  if (lane == 0u && j < p.total_rows) {
    var v = red[lid] * scale;
    if (p.has_bias != 0u) { v += bias[boff + jl]; }
    let o = r * n + jl;
    if (part == 0u) { out0[o] = v; } else if (part == 1u) { out1[o] = v; } else { out2[o] = v; }
  }
}
