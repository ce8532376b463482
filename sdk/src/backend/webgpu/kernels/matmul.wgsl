// out[r][j] = W[j] . x[r] (+ bias[j]) for a quantised W (type functions from
// the weights_*.wgsl file prepended, bindings from matmul_io.wgsl). A
// workgroup computes ROWS output rows of one token: its 64 threads stride
// over the blocks, then reduce.

const ROWS: u32 = 4u;
const WG: u32 = 64u;
var<workgroup> partial: array<f32, 256>;  // WG * ROWS

@compute @workgroup_size(64)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
  let r = wg.y;
  let j0 = wg.x * ROWS;
  let nb = p.in_dim / BLOCK;
  let xbase = r * p.in_dim;
  for (var k = 0u; k < ROWS; k++) {
    let j = j0 + k;
    var s = 0.0;
    if (j < p.out_dim) {
      let row_byte = j * p.row_bytes;
      for (var b = lid; b < nb; b += WG) {
        s += block_dot(row_byte, b, xbase + b * BLOCK);
      }
    }
    partial[k * WG + lid] = s;
  }
  workgroupBarrier();
  for (var stride = WG / 2u; stride > 0u; stride >>= 1u) {
    if (lid < stride) {
      for (var k = 0u; k < ROWS; k++) {
        partial[k * WG + lid] += partial[k * WG + lid + stride];
      }
    }
    workgroupBarrier();
  }
  if (lid < ROWS) {
    let j = j0 + lid;
    if (j < p.out_dim) {
      var v = partial[lid * WG];
      if (p.has_bias != 0u) { v += bias[j]; }
      out[r * p.out_dim + j] = v;
    }
  }
}
