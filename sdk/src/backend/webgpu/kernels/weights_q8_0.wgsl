// Q8_0: blocks of 34 bytes, an f16 scale then 32 signed bytes.
const BLOCK: u32 = 32u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  let ob = row_byte + (i / 32u) * 34u;
  let j = i % 32u;
  let q = word_at(ob + 2u + (j & ~3u));
  return half_at(ob) * sbyte(q, j & 3u);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let ob = row_byte + b * 34u;
  var s = 0.0;
  for (var k = 0u; k < 8u; k++) {
    let q = word_at(ob + 2u + 4u * k);
    let xi = xo + 4u * k;
    s += sbyte(q, 0u) * act_at(xi) + sbyte(q, 1u) * act_at(xi + 1u) + sbyte(q, 2u) * act_at(xi + 2u) + sbyte(q, 3u) * act_at(xi + 3u);
  }
  return half_at(ob) * s;
}

// Elements 4q..4q+3 of block b.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 34u;
  let v = word_at(ob + 2u + 4u * q);
  return half_at(ob) * vec4<f32>(sbyte(v, 0u), sbyte(v, 1u), sbyte(v, 2u), sbyte(v, 3u));
}
