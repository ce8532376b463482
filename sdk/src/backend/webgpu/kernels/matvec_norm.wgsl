// outs = W_i . (rms_norm(x) * g) (+ bias_i) for one token or a few (decode),
// up to three matrices of one group side by side in `w` (q|k|v, or just the
// output head): the normalisation, the three matrix-vector products and the
// biases in one dispatch. A workgroup computes R rows as matvec.wgsl does,
// on x * g; the sum of squares of x comes from the same loads (the threads'
// half tiles cover the row once) and scales the sums at the end. Row j of
// the concatenation belongs to part 0 below end0, part 1 below end1, part 2
// after. Type functions from weights_*.wgsl; T and R prepended by the backend.
struct Params {
  in_dim: u32,
  total_rows: u32,
  row_bytes: u32,
  eps: f32,
  end0: u32,
  end1: u32,
  off0: u32,       // byte offset of each part in w
  off1: u32,
  off2: u32,
  boff0: u32,      // element offset of each part's bias in `bias`
  boff1: u32,
  boff2: u32,
  has_bias: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> g: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> out0: array<f32>;
@group(0) @binding(5) var<storage, read_write> out1: array<f32>;
@group(0) @binding(6) var<storage, read_write> out2: array<f32>;
@group(0) @binding(7) var<storage, read> bias: array<f32>;

// block_dot in weights_*.wgsl reads activations through this (matmul.wgsl uses it).
fn act_at(i: u32) -> f32 { return x[i / 4u][i % 4u]; }

var<workgroup> red: array<f32, (R + 1u) * T>;  // R rows' sums, then the sum of squares

// Where row j of the concatenation lives: (part, row within the part).
fn part_of(j: u32) -> vec2<u32> {
  if (j < p.end0) { return vec2<u32>(0u, j); }
  if (j < p.end1) { return vec2<u32>(1u, j - p.end0); }
  return vec2<u32>(2u, j - p.end1);
}

fn pick(part: u32, a: u32, b: u32, c: u32) -> u32 { return select(select(c, b, part == 1u), a, part == 0u); }

@compute @workgroup_size(T)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
        @builtin(local_invocation_index) lid: u32) {
  let r = wg.y;
  let xq = r * (p.in_dim / 4u);
  let j0 = (wg.z * nwg.x + wg.x) * R;  // groups past 65535 continue in z
  var rb = array<u32, R>();
  for (var k = 0u; k < R; k++) {
    let pj = part_of(min(j0 + k, p.total_rows - 1u));
    rb[k] = pick(pj.x, p.off0, p.off1, p.off2) + pj.y * p.row_bytes;
  }
  var acc = array<f32, R>();
  var ss = 0.0;
  for (var hb = lid; hb < p.in_dim / 16u; hb += T) {
    var xs: array<vec4<f32>, 4>;
    for (var k = 0u; k < 4u; k++) {
      let i = half_x(hb, k);
      let v = x[xq + i];
      ss += dot(v, v);
      xs[k] = v * g[i];
    }
    let xsum = dot(xs[0] + xs[1] + xs[2] + xs[3], vec4<f32>(1.0));
    for (var k = 0u; k < R; k++) {
      if (j0 + k < p.total_rows) { acc[k] += half_dot(rb[k], hb, xs, xsum); }
    }
  }
  for (var k = 0u; k < R; k++) { red[k * T + lid] = acc[k]; }
  red[R * T + lid] = ss;
  workgroupBarrier();
  for (var stride = T / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      for (var k = 0u; k <= R; k++) { red[k * T + lid] += red[k * T + lid + stride]; }
    }
    workgroupBarrier();
  }
  let j = j0 + lid;
  if (lid < R && j < p.total_rows) {
    let scale = 1.0 / sqrt(red[R * T] / f32(p.in_dim) + p.eps);
    let pj = part_of(j);
    var v = red[lid * T] * scale;
    if (p.has_bias != 0u) { v += bias[pick(pj.x, p.boff0, p.boff1, p.boff2) + pj.y]; }
    let o = r * pick(pj.x, p.end0, p.end1 - p.end0, p.total_rows - p.end1) + pj.y;
    if (pj.x == 0u) { out0[o] = v; } else if (pj.x == 1u) { out1[o] = v; } else { out2[o] = v; }
  }
}
