// out = silu(Wg . n) * (Wu . n), n = rms_norm(x) * g, for one token or a few
// (decode): the FFN's normalisation, both input projections and SwiGLU in one
// dispatch. Wg and Wu sit in one buffer (a weight group) at byte offsets
// off_gate and off_up. 4 output rows per workgroup, 32 threads per row, each
// thread summing its share of both rows. Type functions from weights_*.wgsl.
struct Params {
  in_dim: u32,
  n_ff: u32,
  row_bytes: u32,
  eps: f32,
  off_gate: u32,
  off_up: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

fn act_at(i: u32) -> f32 { return x[i / 4u][i % 4u]; }

const LANES: u32 = 32u;
const ROWS: u32 = 4u;  // 128 threads: many workgroups keep every SM busy on small matrices
var<workgroup> red: array<f32, 128>;
var<workgroup> red_up: array<f32, 128>;

@compute @workgroup_size(128)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.y;
  let n4 = p.in_dim / 4u;
  let xq = r * n4;
  let scale = rms_scale(xq, n4, p.eps, lid);

  let lane = lid % LANES;
  let sub = lid / LANES;
  let j = wg.x * ROWS + sub;
  let nb = p.in_dim / 32u;
  let q = lane % 8u;
  let b0 = lane / 8u;
  var sg = 0.0;
  var su = 0.0;
  if (j < p.n_ff) {
    let rg = p.off_gate + j * p.row_bytes;
    let ru = p.off_up + j * p.row_bytes;
    for (var b = b0; b < nb; b += 4u) {
      let xv = x[xq + b * 8u + q] * g[b * 8u + q];
      sg += dot(load4(rg, b, q), xv);
      su += dot(load4(ru, b, q), xv);
    }
  }
  red[lid] = sg;
  red_up[lid] = su;
  workgroupBarrier();
  for (var stride = LANES / 2u; stride > 0u; stride >>= 1u) {
    if (lane < stride) {
      red[lid] += red[lid + stride];
      red_up[lid] += red_up[lid + stride];
    }
    workgroupBarrier();
  }
  if (lane == 0u && j < p.n_ff) {
    let gv = red[lid] * scale;
    out[r * p.n_ff + j] = gv / (1.0 + exp(-gv)) * (red_up[lid] * scale);
  }
}
