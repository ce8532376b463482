// Q4_1: blocks of 20 bytes: f16 d, f16 m, then 16 bytes of nibbles; element
// j is the low nibble of byte j, element j+16 the high nibble: d * q + m.

// Elements 4q..4q+3 of block b: low nibbles of bytes 4q.. for q < 4, high
// nibbles of bytes 4(q-4).. for q >= 4.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 20u;
  let dm = unpack2x16float(w[ob >> 2u]);
  let v = w[(ob + 4u + 4u * (q & 3u)) >> 2u];
  return dm.x * nibbles_lo(select(v, v >> 4u, q >= 4u)) + dm.y;
}

// Half tiles for matvec.wgsl as Q4_0's: half h of block b (hb = 2b + h) is
// the nibbles of bytes 8h..8h+7: elements 8h..8h+7 and 16+8h..16+8h+7.
fn half_x(hb: u32, j: u32) -> u32 {
  return (hb / 2u) * 8u + 2u * (hb % 2u) + (j & 1u) + 4u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 2u) * 20u;
  let i = (ob + 4u + 8u * (hb % 2u)) >> 2u;
  let a = w[i];
  let c = w[i + 1u];
  let dm = unpack2x16float(w[ob >> 2u]);
  let q = dot(nibbles_lo(a), xs[0]) + dot(nibbles_lo(c), xs[1]) + dot(nibbles_hi(a), xs[2]) + dot(nibbles_hi(c), xs[3]);
  return dm.x * q + dm.y * xsum;
}
