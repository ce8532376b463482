// Causal attention of one query head of one token over a chunk of the cached
// keys and values: scores, softmax, weighted sum of values. Workgroup
// (head, token, split) takes keys [key0 + split * CHUNK, key0 + (split + 1)
// * CHUNK) of the token's visible ones (0..pos, or with a sliding window the
// last `window` of them; key0 is the first row's first visible key), so a
// long context is spread over many workgroups (flash-decoding). A score is
// q.k * scale, or softcap * tanh(q.k * scale) where softcap > 0 (the caller
// divides the scale by the cap, as the CPU backend does; tanh_safe from
// gate_act.wgsl). With one split it writes the output; with several it
// writes (max, sum, unnormalised values) per split to `part` and
// attention_reduce.wgsl combines them. Cache element type from kv_*.wgsl.
struct Params {
  pos0: u32,
  n_head: u32,
  n_head_kv: u32,
  head_dim: u32,
  kv_dim: u32,
  n_split: u32,
  scale: f32,
  softcap: f32,
  window: u32,
  key0: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> kc: array<KvQuad>;
@group(0) @binding(3) var<storage, read> vc: array<KvPair>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<storage, read_write> part: array<f32>;  // (token, head, split) x (head_dim + 2)

const WG: u32 = 256u;
const CHUNK: u32 = 256u;  // keys per workgroup: a score per thread
var<workgroup> red: array<f32, WG>;
var<workgroup> qs: array<vec4<f32>, 64>;  // head_dim <= 256
var<workgroup> sc: array<f32, CHUNK>;
var<workgroup> vsum: array<vec2<f32>, WG>;  // value sums per (key group, dimension pair)

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

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let h = wg.x;
  let r = wg.y;
  let split = wg.z;
  let kvh = h / (p.n_head / p.n_head_kv);
  let pos = p.pos0 + r;
  let first = select(0u, pos + 1u - p.window, p.window > 0u && pos >= p.window);
  let c0 = p.key0 + split * CHUNK;  // this workgroup's chunk
  let k0 = max(c0, first);
  let k1 = min(pos + 1u, c0 + CHUNK);
  let qo = (r * p.n_head + h) * p.head_dim;
  let hd4 = p.head_dim / 4u;
  // The query in workgroup memory: every thread reads all of it.
  for (var i = lid; i < hd4; i += WG) {
    qs[i] = vec4<f32>(q[qo + 4u * i], q[qo + 4u * i + 1u], q[qo + 4u * i + 2u], q[qo + 4u * i + 3u]);
  }
  workgroupBarrier();

  var m = -3.4e38;
  for (var k = k0 + lid; k < k1; k += WG) {
    let kb = (k * p.kv_dim + kvh * p.head_dim) / 4u;
    var d = 0.0;
    for (var i = 0u; i < hd4; i++) { d += dot(qs[i], kv_unpack4(kc[kb + i])); }
    d *= p.scale;
    if (p.softcap > 0.0) { d = p.softcap * tanh_safe(d); }
    sc[k - k0] = d;
    m = max(m, d);
  }
  m = reduce_max(m, lid);
  var s = 0.0;
  for (var k = k0 + lid; k < k1; k += WG) {
    let e = exp(sc[k - k0] - m);
    sc[k - k0] = e;
    s += e;
  }
  s = reduce_sum(s, lid);  // its barriers also publish sc
  // Value sums: the threads form `groups` groups of one thread per pair of
  // dimensions; group gi takes keys gi, gi + groups, ... of the chunk, so
  // every thread has only a few dependent steps; then group 0 adds them up.
  let pairs = p.head_dim / 2u;
  let groups = WG / pairs;
  let i = lid % pairs;
  let gi = lid / pairs;
  let vo = (kvh * p.head_dim) / 2u + i;
  var acc = vec2<f32>(0.0);
  if (gi < groups) {
    for (var k = k0 + gi; k < k1; k += groups) { acc += sc[k - k0] * kv_unpack(vc[k * p.kv_dim / 2u + vo]); }
  }
  vsum[lid] = acc;
  workgroupBarrier();
  let po = ((r * p.n_head + h) * p.n_split + split) * (p.head_dim + 2u);
  if (lid < pairs) {
    var v = vec2<f32>(0.0);
    for (var g = 0u; g < groups; g++) { v += vsum[g * pairs + lid]; }
    if (p.n_split == 1u) {
      out[qo + 2u * lid] = v.x / s;
      out[qo + 2u * lid + 1u] = v.y / s;
    } else {
      part[po + 2u + 2u * lid] = v.x;
      part[po + 3u + 2u * lid] = v.y;
    }
  }
  if (p.n_split > 1u && lid == 0u) {
    // An empty chunk (past this token's keys) has sum 0 and adds nothing.
    part[po] = m;
    part[po + 1u] = select(0.0, s, k0 < k1);
  }
}
