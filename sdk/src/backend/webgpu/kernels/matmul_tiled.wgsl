// out[r][j] = W[j] . x[r] (+ bias[j]) for many tokens (prefill): a workgroup
// computes a 32 x 32 tile (32 output rows x 32 tokens), staging 32-element
// slices of W (dequantised once) and x in workgroup memory so that each
// weight is read once per 32 tokens; each thread owns 2 x 2 outputs. Needs
// in_dim to be a multiple of 32. Type functions from weights_*.wgsl.
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

const T: u32 = 32u;
const S: u32 = 33u;  // padded row stride: no bank conflicts on column reads
var<workgroup> ws: array<f32, 1056>;  // [32 weight rows][33]
var<workgroup> xs: array<f32, 1056>;  // [32 tokens][33]

fn act_at(i: u32) -> f32 { return x[i]; }

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j0 = wg.x * T;
  let r0 = wg.y * T;
  let tj = (lid / 16u) * 2u;  // this thread's two weight rows in the tile
  let tr = (lid % 16u) * 2u;  // and two tokens
  let lr = lid / 8u;          // the row (weights) / token (x) this thread loads
  let lq = lid % 8u;          // the quad of 4 elements it loads
  var a00 = 0.0; var a01 = 0.0; var a10 = 0.0; var a11 = 0.0;
  let nb = p.in_dim / T;
  for (var b = 0u; b < nb; b++) {
    var wv = vec4<f32>(0.0);
    if (j0 + lr < p.out_dim) { wv = load4((j0 + lr) * p.row_bytes, b, lq); }
    var xv = vec4<f32>(0.0);
    if (r0 + lr < p.rows) {
      let xo = (r0 + lr) * p.in_dim + b * T + lq * 4u;
      xv = vec4<f32>(x[xo], x[xo + 1u], x[xo + 2u], x[xo + 3u]);
    }
    for (var e = 0u; e < 4u; e++) {
      ws[lr * S + lq * 4u + e] = wv[e];
      xs[lr * S + lq * 4u + e] = xv[e];
    }
    workgroupBarrier();
    for (var k = 0u; k < T; k++) {
      let w0 = ws[tj * S + k];
      let w1 = ws[(tj + 1u) * S + k];
      let x0 = xs[tr * S + k];
      let x1 = xs[(tr + 1u) * S + k];
      a00 += w0 * x0; a01 += w0 * x1; a10 += w1 * x0; a11 += w1 * x1;
    }
    workgroupBarrier();
  }
  let acc = array<f32, 4>(a00, a01, a10, a11);
  for (var i = 0u; i < 4u; i++) {
    let j = j0 + tj + i / 2u;
    let r = r0 + tr + i % 2u;
    if (j < p.out_dim && r < p.rows) {
      var v = acc[i];
      if (p.has_bias != 0u) { v += bias[j]; }
      out[r * p.out_dim + j] = v;
    }
  }
}
