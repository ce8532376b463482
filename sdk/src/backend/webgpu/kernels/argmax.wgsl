// Greedy choice in two dispatches, so a 150K-entry vocabulary is scanned by
// many workgroups at once. Stage 1 (this kernel with p.stage == 0): each of
// up to 256 workgroups finds the first maximum of its slice of the row and
// writes (value, index) to `partial`. Stage 2 (p.stage == 1, one workgroup):
// the first maximum of the partials goes to slots[slot].
struct Params {
  cols: u32,
  row: u32,
  slot: u32,
  stage: u32,
  n_groups: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> partial: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read_write> slots: array<u32>;

const WG: u32 = 256u;
var<workgroup> best_v: array<f32, 256>;
var<workgroup> best_i: array<u32, 256>;

fn better(v: f32, i: u32, bv: f32, bi: u32) -> bool {
  return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  var bv = -3.4e38;
  var bi = 0xFFFFFFFFu;
  if (p.stage == 0u) {
    let per = (p.cols + p.n_groups - 1u) / p.n_groups;
    let begin = wg.x * per;
    let end = min(p.cols, begin + per);
    let base = p.row * p.cols;
    for (var i = begin + lid; i < end; i += WG) {
      let v = logits[base + i];
      if (v > bv) { bv = v; bi = i; }  // ascending i: keeps the first maximum
    }
  } else {
    for (var g = lid; g < p.n_groups; g += WG) {
      let v = bitcast<f32>(partial[g].x);
      let i = partial[g].y;
      if (better(v, i, bv, bi)) { bv = v; bi = i; }
    }
  }
  best_v[lid] = bv;
  best_i[lid] = bi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s && better(best_v[lid + s], best_i[lid + s], best_v[lid], best_i[lid])) {
      best_v[lid] = best_v[lid + s];
      best_i[lid] = best_i[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    if (p.stage == 0u) { partial[wg.x] = vec2<u32>(bitcast<u32>(best_v[0]), best_i[0]); }
    else { slots[p.slot] = best_i[0]; }
  }
}
