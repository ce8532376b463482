// Combines the per-split results of attention.wgsl for one (head, token):
// out = sum_s e^(m_s - M) acc_s / sum_s e^(m_s - M) l_s, M the largest m_s.
struct Params {
  n_head: u32,
  head_dim: u32,
  n_split: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> part: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let r = wg.y;
  let stride = p.head_dim + 2u;
  let base = (r * p.n_head + h) * p.n_split * stride;
  var mx = -3.4e38;
  for (var s = 0u; s < p.n_split; s++) {
    if (part[base + s * stride + 1u] > 0.0) { mx = max(mx, part[base + s * stride]); }
  }
  var l = 0.0;
  for (var s = 0u; s < p.n_split; s++) {
    let ls = part[base + s * stride + 1u];
    if (ls > 0.0) { l += exp(part[base + s * stride] - mx) * ls; }
  }
  let qo = (r * p.n_head + h) * p.head_dim;
  for (var i = lid; i < p.head_dim; i += 64u) {
    var acc = 0.0;
    for (var s = 0u; s < p.n_split; s++) {
      let o = base + s * stride;
      if (part[o + 1u] > 0.0) { acc += exp(part[o] - mx) * part[o + 2u + i]; }
    }
    out[qo + i] = acc / l;
  }
}
