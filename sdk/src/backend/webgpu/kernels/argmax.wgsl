// slots[slot] = index of the largest logit of row `row` (the first on ties),
// so greedy decoding never reads the logits back. One workgroup.
struct Params {
  cols: u32,
  row: u32,
  slot: u32,
}
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read_write> slots: array<u32>;

const WG: u32 = 256u;
var<workgroup> best_v: array<f32, 256>;
var<workgroup> best_i: array<u32, 256>;

@compute @workgroup_size(256)
fn main(@builtin(local_invocation_index) lid: u32) {
  let base = p.row * p.cols;
  var bv = -3.4e38;
  var bi = 0xFFFFFFFFu;
  for (var i = lid; i < p.cols; i += WG) {
    let v = logits[base + i];
    if (v > bv) { bv = v; bi = i; }  // ascending i: keeps the first maximum
  }
  best_v[lid] = bv;
  best_i[lid] = bi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) {
      let ov = best_v[lid + s];
      let oi = best_i[lid + s];
      if (ov > best_v[lid] || (ov == best_v[lid] && oi < best_i[lid])) {
        best_v[lid] = ov;
        best_i[lid] = oi;
      }
    }
    workgroupBarrier();
  }
  if (lid == 0u) { slots[p.slot] = best_i[0]; }
}
