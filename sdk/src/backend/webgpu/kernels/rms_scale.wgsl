// 1 / rms(x) of one token's activation row (n4 vec4s from xq), for kernels
// that fuse RMSNorm into a matrix product: every workgroup recomputes it
// (a few KB, cached) instead of a dispatch writing the normed row. Needs the
// including kernel's `x: array<vec4<f32>>` and `red: array<f32, 128>`, and
// uniform control flow (it has barriers).
fn rms_scale(xq: u32, n4: u32, eps: f32, lid: u32) -> f32 {
  var ss = 0.0;
  for (var i = lid; i < n4; i += 128u) {
    let v = x[xq + i];
    ss += dot(v, v);
  }
  red[lid] = ss;
  workgroupBarrier();
  for (var stride = 64u; stride > 0u; stride >>= 1u) {
    if (lid < stride) { red[lid] += red[lid + stride]; }
    workgroupBarrier();
  }
  let scale = 1.0 / sqrt(red[0] / f32(n4 * 4u) + eps);
  workgroupBarrier();
  return scale;
}
