// bf16 weights: the top 16 bits of an f32, two elements per word (rows have
// an even length).
const BLOCK: u32 = 2u;

fn bf16_lo(v: u32) -> f32 { return bitcast<f32>(v << 16u); }
fn bf16_hi(v: u32) -> f32 { return bitcast<f32>(v & 0xFFFF0000u); }

fn load_elem(row_byte: u32, i: u32) -> f32 {
  let o = row_byte + 2u * i;
  let v = w[o >> 2u];
  return select(bf16_lo(v), bf16_hi(v), (o & 2u) != 0u);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let v = w[(row_byte >> 2u) + b];
  return bf16_lo(v) * act_at(xo) + bf16_hi(v) * act_at(xo + 1u);
}

// Elements 4q..4q+3 of the 32-element tile b (rows a multiple of 32 long).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let o = (row_byte >> 2u) + b * 16u + q * 2u;
  return vec4<f32>(bf16_lo(w[o]), bf16_hi(w[o]), bf16_lo(w[o + 1u]), bf16_hi(w[o + 1u]));
}

// Half tiles for matvec.wgsl: 16 consecutive elements, 8 words.
fn half_x(hb: u32, j: u32) -> u32 { return hb * 4u + j; }

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let o = (row_byte >> 2u) + hb * 8u;
  var q = 0.0;
  for (var k = 0u; k < 4u; k++) {
    let a = w[o + 2u * k];
    let c = w[o + 2u * k + 1u];
    q += dot(vec4<f32>(bf16_lo(a), bf16_hi(a), bf16_lo(c), bf16_hi(c)), xs[k]);
  }
  return q;
}
