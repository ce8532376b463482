// out[r][j] = W[j] . x[r] (+ bias[j]) for many tokens (prefill): a workgroup
// computes a 64 x 64 tile (64 output rows x 64 tokens), staging 16-element
// slices of W (dequantised once) and x in workgroup memory, so each weight is
// read once per 64 tokens; each thread owns 4 x 4 outputs, reading a vec4 of
// weights and a vec4 of tokens per step (16 FMAs for two workgroup loads).
// Slices are stored k-major ([k][64 rows as 16 vec4]) so those reads are
// conflict-free. Needs in_dim to be a multiple of 32. Type functions from
// weights_*.wgsl, bindings from matmul_io.wgsl.

const T: u32 = 64u;   // tile edge (weight rows and tokens)
const K: u32 = 16u;   // slice depth
var<workgroup> ws: array<vec4<f32>, 256>;  // [K][T / 4]
var<workgroup> xs: array<vec4<f32>, 256>;  // [K][T / 4]

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let j0 = wg.x * T;
  let r0 = wg.y * T;
  let tj = lid % 16u;  // this thread's weight rows 4tj..4tj+3 (neighbours write neighbouring outputs)
  let tr = lid / 16u;  // and tokens 4tr..4tr+3
  let lr = lid / 4u;   // the row (weights) / token (x) this thread loads
  let lq = lid % 4u;   // the quad of 4 elements of the slice it loads
  var a0 = vec4<f32>(0.0);
  var a1 = vec4<f32>(0.0);
  var a2 = vec4<f32>(0.0);
  var a3 = vec4<f32>(0.0);
  let ns = p.in_dim / K;
  for (var s = 0u; s < ns; s++) {
    var wv = vec4<f32>(0.0);
    if (j0 + lr < p.out_dim) { wv = load4((j0 + lr) * p.row_bytes, s / 2u, (s % 2u) * 4u + lq); }
    var xv = vec4<f32>(0.0);
    if (r0 + lr < p.rows) {
      let xo = (r0 + lr) * p.in_dim + s * K + lq * 4u;
      xv = vec4<f32>(x[xo], x[xo + 1u], x[xo + 2u], x[xo + 3u]);
    }
    for (var e = 0u; e < 4u; e++) {
      let at = (lq * 4u + e) * 16u + lr / 4u;
      ws[at][lr % 4u] = wv[e];
      xs[at][lr % 4u] = xv[e];
    }
    workgroupBarrier();
    for (var k = 0u; k < K; k++) {
      let wk = ws[k * 16u + tj];
      let xk = xs[k * 16u + tr];
      a0 += wk.x * xk;
      a1 += wk.y * xk;
      a2 += wk.z * xk;
      a3 += wk.w * xk;
    }
    workgroupBarrier();
  }
  let acc = array<vec4<f32>, 4>(a0, a1, a2, a3);
  for (var i = 0u; i < 4u; i++) {
    let j = j0 + 4u * tj + i;
    if (j >= p.out_dim) { break; }
    var b = 0.0;
    if (p.has_bias != 0u) { b = bias[j]; }
    for (var c = 0u; c < 4u; c++) {
      let r = r0 + 4u * tr + c;
      if (r < p.rows) { out[r * p.out_dim + j] = acc[i][c] + b; }
    }
  }
}
