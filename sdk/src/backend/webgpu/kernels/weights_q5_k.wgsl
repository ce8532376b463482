// Q5_K: super-blocks of 256 elements in 176 bytes: f16 d, f16 dmin, 12 bytes
// of 6-bit scales and mins (as Q4_K's), 32 bytes of fifth bits, then 128
// bytes of nibbles. Sub-blocks 2p and 2p+1 share nibble bytes 32p..32p+31
// (low and high nibbles); element l of sub-block s takes bit s of high-bit
// byte l: q = nibble + 16 * bit, value d * sc[s] * q - dmin * m[s]. 176 is a
// multiple of 4, so every field is word aligned.

// Nibbles v (shifted so the wanted ones are low) with their fifth bits from
// h (bit s of each byte), as four floats 0..31.
fn q5k_quads(v: u32, h: u32, s: u32) -> vec4<f32> {
  return bytes4((v & 0x0F0F0F0Fu) | (((h >> s) & 0x01010101u) << 4u));
}

// Elements 4q..4q+3 of sub-block b (32-element tiles, counted along the row).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + (b / 8u) * 176u;
  let s = b % 8u;
  let dm = unpack2x16float(w[ob >> 2u]);
  let scm = k4_scales(ob, s / 2u);
  let v = w[(ob + 48u + 32u * (s / 2u) + 4u * q) >> 2u];
  let h = w[(ob + 16u + 4u * q) >> 2u];
  if ((s & 1u) == 0u) { return dm.x * scm.x * q5k_quads(v, h, s) - dm.y * scm.y; }
  return dm.x * scm.z * q5k_quads(v >> 4u, h, s) - dm.y * scm.w;
}

// Half tiles for matvec.wgsl, laid out as Q4_K's: h = 4p + k is elements
// 8k..8k+7 of sub-blocks 2p (low nibbles) and 2p+1 (high nibbles).
fn half_x(hb: u32, j: u32) -> u32 {
  let h = hb % 16u;
  return (hb / 16u) * 64u + (h / 4u) * 16u + 2u * (h % 4u) + (j & 1u) + 8u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 16u) * 176u;
  let h = hb % 16u;
  let p = h / 4u;
  let i = (ob + 48u + 32u * p + 8u * (h % 4u)) >> 2u;
  let a = w[i];
  let c = w[i + 1u];
  let hi_bits = (ob + 16u + 8u * (h % 4u)) >> 2u;
  let ha = w[hi_bits];
  let hc = w[hi_bits + 1u];
  let dm = unpack2x16float(w[ob >> 2u]);
  let scm = k4_scales(ob, p);
  let sums = half_sums(xs);
  let lo = dot(q5k_quads(a, ha, 2u * p), xs[0]) + dot(q5k_quads(c, hc, 2u * p), xs[1]);
  let hi = dot(q5k_quads(a >> 4u, ha, 2u * p + 1u), xs[2]) + dot(q5k_quads(c >> 4u, hc, 2u * p + 1u), xs[3]);
  return dm.x * (scm.x * lo + scm.z * hi) - dm.y * (scm.y * sums.x + scm.w * sums.y);
}
