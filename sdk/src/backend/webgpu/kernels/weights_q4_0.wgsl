// Q4_0: blocks of 18 bytes, an f16 scale then 16 bytes of nibbles; element j
// is the low nibble of byte j, element j+16 the high nibble, both minus 8.
const BLOCK: u32 = 32u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  let ob = row_byte + (i / 32u) * 18u;
  let j = i % 32u;
  let byte = (word_at(ob + 2u + ((j % 16u) & ~3u)) >> (8u * (j & 3u))) & 0xFFu;
  let nib = select(byte & 0xFu, byte >> 4u, j >= 16u);
  return half_at(ob) * (f32(nib) - 8.0);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let ob = row_byte + b * 18u;
  var s = 0.0;
  for (var k = 0u; k < 4u; k++) {
    let q = word_at(ob + 2u + 4u * k);
    for (var e = 0u; e < 4u; e++) {
      let byte = (q >> (8u * e)) & 0xFFu;
      let j = 4u * k + e;
      s += (f32(byte & 0xFu) - 8.0) * act_at(xo + j) + (f32(byte >> 4u) - 8.0) * act_at(xo + j + 16u);
    }
  }
  return half_at(ob) * s;
}

// Elements 4q..4q+3 of block b: low nibbles of bytes 4q.. for q < 4, high
// nibbles of bytes 4(q-4).. for q >= 4.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 18u;
  let v = word_at(ob + 2u + 4u * (q & 3u));
  let n = select(v & 0x0F0F0F0Fu, (v >> 4u) & 0x0F0F0F0Fu, q >= 4u);
  let d = half_at(ob);
  return d * (vec4<f32>(f32(n & 0xFFu), f32((n >> 8u) & 0xFFu), f32((n >> 16u) & 0xFFu), f32(n >> 24u)) - 8.0);
}
