// RoPE on q (in place) and k, and k and v into one layer's cache, in one
// dispatch. Threads below n_q each rotate one pair of q; the rest each write
// two consecutive elements of k (rotated, each computed from its rotation
// partner, which is only read) and the same two of v into the cache at
// their position, as one KvPair (kv_*.wgsl).
struct Params {
  rows: u32,
  n_head: u32,
  head_dim: u32,
  pos0: u32,
  n_rot: u32,
  neox: u32,
  kv_dim: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> kc: array<KvPair>;
@group(0) @binding(5) var<storage, read_write> vc: array<KvPair>;
@group(0) @binding(6) var<storage, read> cos_sin: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let half = p.n_rot / 2u;
  let t = gid.x;
  let n_q = p.rows * p.n_head * half;
  if (t < n_q) {
    let r = t / (p.n_head * half);
    let h = (t / half) % p.n_head;
    let i = t % half;
    let cs = ((p.pos0 + r) * half + i) * 2u;
    let base = (r * p.n_head + h) * p.head_dim;
    var ia = base + 2u * i;
    var ib = ia + 1u;
    if (p.neox != 0u) {
      ia = base + i;
      ib = base + i + half;
    }
    let a = q[ia];
    let b = q[ib];
    q[ia] = a * cos_sin[cs] - b * cos_sin[cs + 1u];
    q[ib] = a * cos_sin[cs + 1u] + b * cos_sin[cs];
    return;
  }
  let e2 = t - n_q;
  if (e2 >= p.rows * p.kv_dim / 2u) { return; }
  let e = 2u * e2;
  let dst = p.pos0 * p.kv_dim / 2u + e2;
  kc[dst] = kv_pack(vec2<f32>(rotated_k(e), rotated_k(e + 1u)));
  vc[dst] = kv_pack(vec2<f32>(v[e], v[e + 1u]));
}

// Element e of k (row-major over rows x kv_dim) after RoPE.
fn rotated_k(e: u32) -> f32 {
  let half = p.n_rot / 2u;
  let r = e / p.kv_dim;
  let c = e % p.kv_dim;
  let d = c % p.head_dim;     // dimension within the head
  let head0 = e - d;          // element index of the head's first dimension
  if (d >= p.n_rot) { return k[e]; }
  // The pair (a, b) this element belongs to and which of the two it is.
  var ia = head0 + (d & ~1u);
  var ib = ia + 1u;
  var i = d / 2u;
  var second = (d & 1u) == 1u;
  if (p.neox != 0u) {
    i = d % half;
    ia = head0 + i;
    ib = ia + half;
    second = d >= half;
  }
  let cs = ((p.pos0 + r) * half + i) * 2u;
  let a = k[ia];
  let b = k[ib];
  if (second) { return a * cos_sin[cs + 1u] + b * cos_sin[cs]; }
  return a * cos_sin[cs] - b * cos_sin[cs + 1u];
}
