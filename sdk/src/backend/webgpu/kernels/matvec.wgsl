// out[r][j] = W[j] . x[r] (+ bias[j]) for one token or a few (decode). A
// workgroup of T threads computes R rows (T and R are prepended by the
// backend: more threads for longer rows, more rows for taller matrices):
// thread t takes half tiles (16 elements) t, t + T, ... of all R rows, so
// each x vector it loads serves R rows and each step has R independent
// weight reads in flight; then the threads' partial sums are reduced. Needs
// in_dim to be a multiple of 32. With `accumulate` it adds into out
// (x += W . a). Type functions (half_x, half_dot) from weights_*.wgsl.
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

// block_dot in weights_*.wgsl reads activations through this (matmul.wgsl uses it).
fn act_at(i: u32) -> f32 { return x[i / 4u][i % 4u]; }

var<workgroup> red: array<f32, R * T>;

@compute @workgroup_size(T)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let j0 = (wg.z * nwg.x + wg.x) * R;  // groups past 65535 continue in z
  let r = wg.y;
  let xq = r * (p.in_dim / 4u);
  var acc = array<f32, R>();
  for (var hb = lid; hb < p.in_dim / 16u; hb += T) {
    var xs: array<vec4<f32>, 4>;
    for (var k = 0u; k < 4u; k++) { xs[k] = x[xq + half_x(hb, k)]; }
    let xsum = dot(xs[0] + xs[1] + xs[2] + xs[3], vec4<f32>(1.0));
    for (var k = 0u; k < R; k++) {
      if (j0 + k < p.out_dim) { acc[k] += half_dot((j0 + k) * p.row_bytes, hb, xs, xsum); }
    }
  }
  for (var k = 0u; k < R; k++) { red[k * T + lid] = acc[k]; }
  workgroupBarrier();
  for (var stride = T / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      for (var k = 0u; k < R; k++) { red[k * T + lid] += red[k * T + lid + stride]; }
    }
    workgroupBarrier();
  }
  let j = j0 + lid;
  if (lid < R && j < p.out_dim) {
    var v = red[lid * T];
    if (p.has_bias != 0u) { v += bias[j]; }
    if (p.accumulate != 0u) { v += out[r * p.out_dim + j]; }
    out[r * p.out_dim + j] = v;
  }
}
