// Q5_1: blocks of 24 bytes: f16 d, f16 m, 4 bytes of fifth bits (bit j for
// element j), 16 bytes of nibbles (element j: low nibble of byte j, element
// j+16: high nibble): d * q + m. Every field is word aligned.

// Elements 4q..4q+3 of block b (nibbles as Q4_0's, bits 4q..4q+3 of qh).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 24u;
  let dm = unpack2x16float(w[ob >> 2u]);
  let v = w[(ob + 8u + 4u * (q & 3u)) >> 2u];
  let n = select(v, v >> 4u, q >= 4u) & 0x0F0F0F0Fu;
  return dm.x * bytes4(n | bits_to_bytes(w[(ob + 4u) >> 2u], 4u * q)) + dm.y;
}

// Half tiles for matvec.wgsl as Q4_0's: half h of block b (hb = 2b + h) is
// the nibbles of bytes 8h..8h+7: elements 8h..8h+7 and 16+8h..16+8h+7.
fn half_x(hb: u32, j: u32) -> u32 {
  return (hb / 2u) * 8u + 2u * (hb % 2u) + (j & 1u) + 4u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 2u) * 24u;
  let h8 = 8u * (hb % 2u);
  let i = (ob + 8u + h8) >> 2u;
  let a = w[i];
  let c = w[i + 1u];
  let qh = w[(ob + 4u) >> 2u];
  let dm = unpack2x16float(w[ob >> 2u]);
  let q = dot(bytes4((a & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8)), xs[0]) +
          dot(bytes4((c & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8 + 4u)), xs[1]) +
          dot(bytes4(((a >> 4u) & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8 + 16u)), xs[2]) +
          dot(bytes4(((c >> 4u) & 0x0F0F0F0Fu) | bits_to_bytes(qh, h8 + 20u)), xs[3]);
  return dm.x * q + dm.y * xsum;
}
