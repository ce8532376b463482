// Causal attention of one query head of one token over the cached keys and
// values 0..pos: scores, softmax, weighted sum of values. One workgroup per
// (head, token). Scores stay in workgroup memory up to MAX_LOCAL keys (no
// round trips through device memory, which cost most of a decode step's
// attention time); longer rows use a scratch row in device memory.
struct Params {
  pos0: u32,
  n_head: u32,
  n_head_kv: u32,
  head_dim: u32,
  kv_dim: u32,
  n_ctx: u32,
  scale: f32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kc4: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> vc: array<f32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> scores: array<f32>;

const WG: u32 = 64u;
const MAX_LOCAL: u32 = 2048u;
var<workgroup> red: array<f32, 64>;
var<workgroup> qs: array<f32, 256>;  // head_dim <= 256
var<workgroup> sc: array<f32, MAX_LOCAL>;

fn reduce_max(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] = max(red[lid], red[lid + s]); }
    workgroupBarrier();
  }
  let m = red[0];
  workgroupBarrier();
  return m;
}

fn reduce_sum(v: f32, lid: u32) -> f32 {
  red[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red[lid] += red[lid + s]; }
    workgroupBarrier();
  }
  let m = red[0];
  workgroupBarrier();
  return m;
}

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let r = wg.y;
  let kvh = h / (p.n_head / p.n_head_kv);
  let n_keys = p.pos0 + r + 1u;
  let qo = (r * p.n_head + h) * p.head_dim;
  let ko = kvh * p.head_dim;
  let so = (r * p.n_head + h) * p.n_ctx;
  // The query in workgroup memory: every thread reads all of it.
  for (var i = lid; i < p.head_dim; i += WG) { qs[i] = q[qo + i]; }
  workgroupBarrier();

  let in_wg = n_keys <= MAX_LOCAL;
  var m = -3.4e38;
  let hd4 = p.head_dim / 4u;
  for (var k = lid; k < n_keys; k += WG) {
    // Keys as vec4: head_dim is a multiple of 4 in every supported model.
    let kb = (k * p.kv_dim + ko) / 4u;
    var d = 0.0;
    for (var i = 0u; i < hd4; i++) {
      d += dot(vec4<f32>(qs[4u * i], qs[4u * i + 1u], qs[4u * i + 2u], qs[4u * i + 3u]), kc4[kb + i]);
    }
    d *= p.scale;
    if (in_wg) { sc[k] = d; } else { scores[so + k] = d; }
    m = max(m, d);
  }
  m = reduce_max(m, lid);
  var s = 0.0;
  for (var k = lid; k < n_keys; k += WG) {
    if (in_wg) {
      let e = exp(sc[k] - m);
      sc[k] = e;
      s += e;
    } else {
      let e = exp(scores[so + k] - m);
      scores[so + k] = e;
      s += e;
    }
  }
  s = reduce_sum(s, lid);  // its barriers also publish sc
  storageBarrier();
  let inv = 1.0 / s;
  for (var i = lid; i < p.head_dim; i += WG) {
    var acc = 0.0;
    if (in_wg) {
      for (var k = 0u; k < n_keys; k++) { acc += sc[k] * vc[k * p.kv_dim + ko + i]; }
    } else {
      for (var k = 0u; k < n_keys; k++) { acc += scores[so + k] * vc[k * p.kv_dim + ko + i]; }
    }
    out[qo + i] = acc * inv;
  }
}
