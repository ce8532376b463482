// f16 weights: two elements per word (rows have an even length).
const BLOCK: u32 = 2u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  return half_at(row_byte + 2u * i);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let v = unpack2x16float(w[(row_byte >> 2u) + b]);
  return v.x * act_at(xo) + v.y * act_at(xo + 1u);
}

// Elements 4q..4q+3 of the 32-element tile b (rows a multiple of 32 long).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let o = (row_byte >> 2u) + b * 16u + q * 2u;
  return vec4<f32>(unpack2x16float(w[o]), unpack2x16float(w[o + 1u]));
}

// Half tiles for matvec.wgsl: 16 consecutive elements, 8 words.
fn half_x(hb: u32, j: u32) -> u32 { return hb * 4u + j; }

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let o = (row_byte >> 2u) + hb * 8u;
  var q = 0.0;
  for (var k = 0u; k < 4u; k++) {
    q += dot(vec4<f32>(unpack2x16float(w[o + 2u * k]), unpack2x16float(w[o + 2u * k + 1u])), xs[k]);
  }
  return q;
}
