// Q4_K: super-blocks of 256 elements in 144 bytes: f16 d, f16 dmin, 12 bytes
// of 6-bit scales and mins for the eight 32-element sub-blocks, then 128
// bytes of nibbles. Sub-blocks 2p and 2p+1 share bytes 32p..32p+31 (low and
// high nibbles); element l of sub-block s is d * sc[s] * q - dmin * m[s].
// 144 is a multiple of 4, so every field is word aligned.

// Elements 4q..4q+3 of sub-block b (32-element tiles, counted along the row).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + (b / 8u) * 144u;
  let s = b % 8u;
  let dm = unpack2x16float(w[ob >> 2u]);
  let scm = k4_scales(ob, s / 2u);
  let v = w[(ob + 16u + 32u * (s / 2u) + 4u * q) >> 2u];
  if ((s & 1u) == 0u) { return dm.x * scm.x * nibbles_lo(v) - dm.y * scm.y; }
  return dm.x * scm.z * nibbles_hi(v) - dm.y * scm.w;
}

// Half tiles for matvec.wgsl, 16 per super-block: h = 4p + k is bytes
// 32p + 8k .. +7, i.e. elements 8k..8k+7 of sub-block 2p (low nibbles) and
// of sub-block 2p+1 (high nibbles). x vec4 j of half tile hb:
fn half_x(hb: u32, j: u32) -> u32 {
  let h = hb % 16u;
  return (hb / 16u) * 64u + (h / 4u) * 16u + 2u * (h % 4u) + (j & 1u) + 8u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 16u) * 144u;
  let h = hb % 16u;
  let i = (ob + 16u + 32u * (h / 4u) + 8u * (h % 4u)) >> 2u;
  let a = w[i];
  let c = w[i + 1u];
  let dm = unpack2x16float(w[ob >> 2u]);
  let scm = k4_scales(ob, h / 4u);
  let sums = half_sums(xs);
  let lo = dot(nibbles_lo(a), xs[0]) + dot(nibbles_lo(c), xs[1]);
  let hi = dot(nibbles_hi(a), xs[2]) + dot(nibbles_hi(c), xs[3]);
  return dm.x * (scm.x * lo + scm.z * hi) - dm.y * (scm.y * sums.x + scm.w * sums.y);
}
