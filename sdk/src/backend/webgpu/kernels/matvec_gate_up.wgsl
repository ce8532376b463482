// out = act(Wg . n) * (Wu . n), n = rms_norm(x) * g, for one token or a few
// (decode): the FFN's normalisation, both input projections and the gated
// activation (gate_act.wgsl: SiLU or GELU) in one dispatch. Wg and Wu sit in one buffer (a weight group) at byte offsets
// off_gate and off_up. R output rows per workgroup as in matvec.wgsl, each
// thread summing its share of both matrices' rows; the sum of squares of x
// comes from the same loads (see matvec_norm.wgsl). Type functions from
// weights_*.wgsl; T and R prepended by the backend.
struct Params {
  in_dim: u32,
  n_ff: u32,
  row_bytes: u32,
  eps: f32,
  off_gate: u32,
  off_up: u32,
  act: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;

// block_dot in weights_*.wgsl reads activations through this (matmul.wgsl uses it).
fn act_at(i: u32) -> f32 { return x[i / 4u][i % 4u]; }

var<workgroup> red: array<f32, (2u * R + 1u) * T>;  // gate sums, up sums, sum of squares

@compute @workgroup_size(T)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let r = wg.y;
  let xq = r * (p.in_dim / 4u);
  let j0 = (wg.z * nwg.x + wg.x) * R;  // groups past 65535 continue in z
  var acc = array<f32, 2u * R>();
  var ss = 0.0;
  for (var hb = lid; hb < p.in_dim / 16u; hb += T) {
    var xs: array<vec4<f32>, 4>;
    for (var k = 0u; k < 4u; k++) {
      let i = half_x(hb, k);
      let v = x[xq + i];
      ss += dot(v, v);
      xs[k] = v * g[i];
    }
    let xsum = dot(xs[0] + xs[1] + xs[2] + xs[3], vec4<f32>(1.0));
    for (var k = 0u; k < R; k++) {
      let j = j0 + k;
      if (j < p.n_ff) {
        acc[k] += half_dot(p.off_gate + j * p.row_bytes, hb, xs, xsum);
        acc[R + k] += half_dot(p.off_up + j * p.row_bytes, hb, xs, xsum);
      }
    }
  }
  for (var k = 0u; k < 2u * R; k++) { red[k * T + lid] = acc[k]; }
  red[2u * R * T + lid] = ss;
  workgroupBarrier();
  for (var stride = T / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      for (var k = 0u; k <= 2u * R; k++) { red[k * T + lid] += red[k * T + lid + stride]; }
    }
    workgroupBarrier();
  }
  let j = j0 + lid;
  if (lid < R && j < p.n_ff) {
    let scale = 1.0 / sqrt(red[2u * R * T] / f32(p.in_dim) + p.eps);
    let gv = red[lid * T] * scale;
    let uv = red[(R + lid) * T] * scale;
    out[r * p.n_ff + j] = gate_act(gv, p.act) * uv;
  }
}
