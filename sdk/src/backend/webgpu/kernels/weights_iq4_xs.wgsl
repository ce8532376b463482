// IQ4_XS: super-blocks of 256 elements in 136 bytes: f16 d, u16 scales_h,
// 4 bytes scales_l, 128 bytes of 4-bit level indices. Sub-block s (32
// elements) has the scale d * (ls - 32), ls = nibble s % 2 of scales_l[s / 2]
// | bits 2s..2s+1 of scales_h << 4; its 16 bytes at 8 + 16s hold elements j
// (low nibbles) and j + 16 (high nibbles) as an IQ4_NL block's. 136 is a
// multiple of 4, so every field is word aligned.

// The scale of sub-block s of the super-block at byte ob. Read as a word,
// scales_l has sub-block s's low 4 bits at bit 4s.
fn iq4xs_scale(ob: u32, s: u32) -> f32 {
  let head = w[ob >> 2u];  // d | scales_h << 16
  let lo = (w[(ob >> 2u) + 1u] >> (4u * s)) & 0xFu;
  let hi = (head >> (16u + 2u * s)) & 3u;
  return unpack2x16float(head).x * (f32(lo | (hi << 4u)) - 32.0);
}

// Elements 4q..4q+3 of 32-element tile b (sub-block b % 8 of super-block
// b / 8): low nibbles of bytes 4q.. for q < 4, high ones of 4(q-4)...
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + (b / 8u) * 136u;
  let v = w[(ob + 8u + 16u * (b % 8u) + 4u * (q & 3u)) >> 2u];
  return iq4xs_scale(ob, b % 8u) * iq4_levels(select(v, v >> 4u, q >= 4u));
}

// Half tiles for matvec.wgsl as Q4_0's: half h of tile b (hb = 2b + h) is
// the nibbles of bytes 8h..8h+7 of its sub-block: elements 8h..8h+7 and
// 16+8h..16+8h+7.
fn half_x(hb: u32, j: u32) -> u32 {
  return (hb / 2u) * 8u + 2u * (hb % 2u) + (j & 1u) + 4u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let b = hb / 2u;
  let ob = row_byte + (b / 8u) * 136u;
  let i = (ob + 8u + 16u * (b % 8u) + 8u * (hb % 2u)) >> 2u;
  let a = w[i];
  let c = w[i + 1u];
  let q = dot(iq4_levels(a), xs[0]) + dot(iq4_levels(c), xs[1]) + dot(iq4_levels(a >> 4u), xs[2]) +
          dot(iq4_levels(c >> 4u), xs[3]);
  return iq4xs_scale(ob, b % 8u) * q;
}
