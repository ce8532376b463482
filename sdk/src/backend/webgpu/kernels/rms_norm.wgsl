// out[r] = x[r] / sqrt(mean(x[r]^2) + eps) * g, or with accumulate
// out[r] += that (gemma's post-norms before the residual add); one workgroup
// per row.
struct Params {
  cols: u32,
  eps: f32,
  accumulate: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> g: array<f32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;

const WG: u32 = 256u;
var<workgroup> sums: array<f32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let base = wg.x * p.cols;
  var s = 0.0;
  for (var i = lid; i < p.cols; i += WG) {
    let v = x[base + i];
    s += v * v;
  }
  sums[lid] = s;
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { sums[lid] += sums[lid + stride]; }
    workgroupBarrier();
  }
  let scale = 1.0 / sqrt(sums[0] / f32(p.cols) + p.eps);
  for (var i = lid; i < p.cols; i += WG) {
    let v = x[base + i] * scale * g[i];
    out[base + i] = select(v, out[base + i] + v, p.accumulate != 0u);
  }
}
