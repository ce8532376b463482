// f16 weights: two elements per word (rows have an even length).
const BLOCK: u32 = 2u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  return half_at(row_byte + 2u * i);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let v = unpack2x16float(w[(row_byte >> 2u) + b]);
  return v.x * x[xo] + v.y * x[xo + 1u];
}
