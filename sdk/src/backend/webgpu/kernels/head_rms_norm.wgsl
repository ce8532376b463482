// x[r][h] = x[r][h] / sqrt(mean(x[r][h]^2) + eps) * g, in place, for each
// head h (head_dim values) of each row r: one workgroup per (head, row).
struct Params {
  head_dim: u32,
  eps: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;

const WG: u32 = 64u;
var<workgroup> sums: array<f32, 64>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let base = (wg.y * nwg.x + wg.x) * p.head_dim;
  var s = 0.0;
  for (var i = lid; i < p.head_dim; i += WG) {
    let v = x[base + i];
    s += v * v;
  }
  sums[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  let scale = 1.0 / sqrt(sums[0] / f32(p.head_dim) + p.eps);
  workgroupBarrier();
  for (var i = lid; i < p.head_dim; i += WG) {
    x[base + i] = x[base + i] * scale * g[i];
  }
}
