// Prefill products on the GPU's matrix units (subgroup matrices, Chromium's
// chromium_experimental_subgroup_matrix; Vulkan cooperative matrices):
// out[r][j] = W[j] . x[r] (+ bias[j]) for many tokens. The backend prepends
// the enables and the device's configuration: SM x SK left (tokens x depth)
// times SK x SN right (depth x weight rows) in f16, accumulated in f32; WG
// threads, four times the adapter's largest subgroup.
//
// A workgroup computes a tile of TT = 4 SM tokens by TR = 4 SN weight rows:
// each of its first four subgroups owns a quadrant of 2 x 2 result matrices.
// Per step the workgroup stages one 32-element block of every token's x and
// of every weight row (dequantised once) in workgroup memory as f16, and the
// subgroups multiply from there. The results go through workgroup memory so
// that edge tiles and the bias need no special matrix code. Operands are
// rounded to f16 (products and sums in f32): the CPU backend's f16_prefill
// mode computes the same. Needs in_dim to be a multiple of 32. Type functions
// from weights_*.wgsl, bindings from matmul_io.wgsl.

const TT: u32 = 4u * SM;  // tokens per tile
const TR: u32 = 4u * SN;  // weight rows per tile
const KB: u32 = 32u;      // depth staged per step: one Q4_0/Q8_0 block
// Row stride of the staged slices in halves: 80 bytes keeps rows 16-byte
// aligned for the matrix loads and puts 8 consecutive rows in different banks.
const KS: u32 = 40u;
var<workgroup> xs: array<f16, TT * KS>;  // [token][depth]
var<workgroup> ws: array<f16, TR * KS>;  // [weight row][depth]
var<workgroup> os: array<f32, TT * TR>;  // [token][weight row]

alias Left = subgroup_matrix_left<f16, SK, SM>;
alias Right = subgroup_matrix_right<f16, SN, SK>;
alias Result = subgroup_matrix_result<f32, SN, SM>;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3<u32>, @builtin(local_invocation_index) lid: u32,
        @builtin(subgroup_id) sg: u32) {
  let j0 = wg.x * TR;
  let r0 = wg.y * TT;
  // This subgroup's quadrant (subgroups past the fourth only stage data).
  let qt = (sg / 2u) * 2u * SM;
  let qr = (sg % 2u) * 2u * SN;
  var c00 = Result();
  var c01 = Result();
  var c10 = Result();
  var c11 = Result();
  let nb = p.in_dim / KB;
  for (var b = 0u; b < nb; b++) {
    // Quads of 4 elements: quad q of row i is elements 4q..4q+3 of block b.
    for (var i = lid; i < TT * 8u; i += WG) {
      let t = i / 8u;
      let qd = i % 8u;
      var v = vec4<f32>(0.0);
      if (r0 + t < p.rows) {
        let o = (r0 + t) * p.in_dim + b * KB + qd * 4u;
        v = vec4<f32>(x[o], x[o + 1u], x[o + 2u], x[o + 3u]);
      }
      let at = t * KS + qd * 4u;
      xs[at] = f16(v.x);
      xs[at + 1u] = f16(v.y);
      xs[at + 2u] = f16(v.z);
      xs[at + 3u] = f16(v.w);
    }
    for (var i = lid; i < TR * 8u; i += WG) {
      let j = i / 8u;
      let qd = i % 8u;
      var v = vec4<f32>(0.0);
      if (j0 + j < p.out_dim) { v = load4((j0 + j) * p.row_bytes, b, qd); }
      let at = j * KS + qd * 4u;
      ws[at] = f16(v.x);
      ws[at + 1u] = f16(v.y);
      ws[at + 2u] = f16(v.z);
      ws[at + 3u] = f16(v.w);
    }
    workgroupBarrier();
    if (sg < 4u) {
      for (var k = 0u; k < KB; k += SK) {
        let a0 = subgroupMatrixLoad<Left>(&xs, qt * KS + k, false, KS);
        let a1 = subgroupMatrixLoad<Left>(&xs, (qt + SM) * KS + k, false, KS);
        // Right matrices are depth x rows: the slices' rows are their columns.
        let b0 = subgroupMatrixLoad<Right>(&ws, qr * KS + k, true, KS);
        let b1 = subgroupMatrixLoad<Right>(&ws, (qr + SN) * KS + k, true, KS);
        c00 = subgroupMatrixMultiplyAccumulate(a0, b0, c00);
        c01 = subgroupMatrixMultiplyAccumulate(a0, b1, c01);
        c10 = subgroupMatrixMultiplyAccumulate(a1, b0, c10);
        c11 = subgroupMatrixMultiplyAccumulate(a1, b1, c11);
      }
    }
    workgroupBarrier();
  }
  if (sg < 4u) {
    subgroupMatrixStore(&os, qt * TR + qr, c00, false, TR);
    subgroupMatrixStore(&os, qt * TR + qr + SN, c01, false, TR);
    subgroupMatrixStore(&os, (qt + SM) * TR + qr, c10, false, TR);
    subgroupMatrixStore(&os, (qt + SM) * TR + qr + SN, c11, false, TR);
  }
  workgroupBarrier();
  for (var i = lid; i < TT * TR; i += WG) {
    let t = i / TR;
    let j = i % TR;
    if (r0 + t < p.rows && j0 + j < p.out_dim) {
      var v = os[i];
      if (p.has_bias != 0u) { v += bias[j0 + j]; }
      out[(r0 + t) * p.out_dim + j0 + j] = v;
    }
  }
}
