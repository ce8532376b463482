// Rotary position embedding in place: each thread rotates one pair of one
// head of one token, with cos/sin from a table the host computed exactly as
// the CPU backend does (GPU sin/cos are imprecise on large arguments).
// Normal order pairs (2i, 2i+1); NeoX pairs (i, i + n_rot/2).
struct Params {
  n_heads: u32,
  head_dim: u32,
  pos0: u32,
  n_rot: u32,
  neox: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;
@group(0) @binding(2) var<storage, read> cos_sin: array<f32>;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let half = p.n_rot / 2u;
  let t = gid.x;
  let r = gid.y;
  if (t >= p.n_heads * half) { return; }
  let h = t / half;
  let i = t % half;
  let k = ((p.pos0 + r) * half + i) * 2u;
  let c = cos_sin[k];
  let s = cos_sin[k + 1u];
  let base = r * p.n_heads * p.head_dim + h * p.head_dim;
  var ia = base + 2u * i;
  var ib = ia + 1u;
  if (p.neox != 0u) {
    ia = base + i;
    ib = base + i + half;
  }
  let a = x[ia];
  let b = x[ib];
  x[ia] = a * c - b * s;
  x[ib] = a * s + b * c;
}
