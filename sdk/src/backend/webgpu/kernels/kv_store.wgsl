// Appends rows of keys and values to one layer's cache at positions pos0...,
// a pair of elements per thread (KvPair from kv_*.wgsl).
struct Params {
  rows: u32,
  kv_dim: u32,
  pos0: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> k: array<vec2<f32>>;
@group(0) @binding(2) var<storage, read> v: array<vec2<f32>>;
@group(0) @binding(3) var<storage, read_write> kc: array<KvPair>;
@group(0) @binding(4) var<storage, read_write> vc: array<KvPair>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.rows * p.kv_dim / 2u) { return; }
  let dst = p.pos0 * p.kv_dim / 2u + i;
  kc[dst] = kv_pack(k[i]);
  vc[dst] = kv_pack(v[i]);
}
