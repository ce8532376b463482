// f32 weights: a "block" is two elements, so any even row length works.
const BLOCK: u32 = 2u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  return bitcast<f32>(w[(row_byte >> 2u) + i]);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let o = (row_byte >> 2u) + 2u * b;
  return bitcast<f32>(w[o]) * act_at(xo) + bitcast<f32>(w[o + 1u]) * act_at(xo + 1u);
}

// Elements 4q..4q+3 of the 32-element tile b (rows a multiple of 32 long).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let o = (row_byte >> 2u) + b * 32u + q * 4u;
  return vec4<f32>(bitcast<f32>(w[o]), bitcast<f32>(w[o + 1u]), bitcast<f32>(w[o + 2u]), bitcast<f32>(w[o + 3u]));
}

// Half tiles for matvec.wgsl: 16 consecutive elements.
fn half_x(hb: u32, j: u32) -> u32 { return hb * 4u + j; }

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let o = (row_byte >> 2u) + hb * 16u;
  var q = 0.0;
  for (var k = 0u; k < 4u; k++) {
    let e = o + 4u * k;
    q += dot(vec4<f32>(bitcast<f32>(w[e]), bitcast<f32>(w[e + 1u]), bitcast<f32>(w[e + 2u]), bitcast<f32>(w[e + 3u])), xs[k]);
  }
  return q;
}
