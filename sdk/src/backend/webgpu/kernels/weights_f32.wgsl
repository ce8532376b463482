// f32 weights: a "block" is two elements, so any even row length works.
const BLOCK: u32 = 2u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  return bitcast<f32>(w[(row_byte >> 2u) + i]);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let o = (row_byte >> 2u) + 2u * b;
  return bitcast<f32>(w[o]) * x[xo] + bitcast<f32>(w[o + 1u]) * x[xo + 1u];
}
