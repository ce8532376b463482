// Appends rows of keys and values to one layer's cache at positions pos0...
struct Params {
  rows: u32,
  kv_dim: u32,
  pos0: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> k: array<f32>;
@group(0) @binding(2) var<storage, read> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> kc: array<f32>;
@group(0) @binding(4) var<storage, read_write> vc: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.rows * p.kv_dim) { return; }
  let dst = p.pos0 * p.kv_dim + i;
  kc[dst] = k[i];
  vc[dst] = v[i];
}
