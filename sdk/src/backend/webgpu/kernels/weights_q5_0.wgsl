// Q5_0: blocks of 22 bytes: f16 d, 4 bytes of fifth bits (bit j for element
// j), 16 bytes of nibbles (element j: low nibble of byte j, element j+16:
// high nibble): d * (q - 16). 22 bytes keep fields only 2-byte aligned.

// Elements 4q..4q+3 of block b (nibbles as Q4_0's, bits 4q..4q+3 of qh).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 22u;
  let v = word_at(ob + 6u + 4u * (q & 3u));
  let n = select(v, v >> 4u, q >= 4u) & 0x0F0F0F0Fu;
  return half_at(ob) * (bytes4(n | bits_to_bytes(word_at(ob + 2u), 4u * q)) - 16.0);
}

// Half tiles for matvec.wgsl as Q4_0's: half h of block b (hb = 2b + h) is
// the nibbles of bytes 8h..8h+7: elements 8h..8h+7 and 16+8h..16+8h+7.
fn half_x(hb: u32, j: u32) -> u32 {
  return (hb / 2u) * 8u + 2u * (hb % 2u) + (j & 1u) + 4u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 2u) * 22u;
  let h8 = 8u * (hb % 2u);
  let v = words2_at(ob + 6u + h8);
  let qh = word_at(ob + 2u);
  let q = dot(bytes4((v.x & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8)), xs[0]) +
          dot(bytes4((v.y & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8 + 4u)), xs[1]) +
          dot(bytes4(((v.x >> 4u) & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8 + 16u)), xs[2]) +
          dot(bytes4(((v.y >> 4u) & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8 + 20u)), xs[3]);
  return half_at(ob) * (q - 16.0 * xsum);
}
