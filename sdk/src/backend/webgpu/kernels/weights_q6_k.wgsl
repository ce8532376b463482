// Q6_K: super-blocks of 256 elements in 210 bytes: 128 bytes of low nibbles
// (ql), 64 bytes of high 2-bit pairs (qh), 16 signed 8-bit scales, f16 d.
// Element 128n + 32g + l (n 0..1, g 0..3, l 0..31) is
// d * sc[8n + 2g + l/16] * (q - 32), q = nibble of ql[64n + 32(g & 1) + l]
// (the high one for g >= 2) | bits 2g..2g+1 of qh[32n + l] << 4.
// 210 bytes keep fields only 2-byte aligned: words are read with word_at.

// Quads of 6-bit values: nibbles v (shifted so the wanted ones are low) with
// bit pairs of h from bit s, as four floats 0..63.
fn q6k_quads(v: u32, h: u32, s: u32) -> vec4<f32> {
  return bytes4((v & 0x0F0F0F0Fu) | (((h >> s) & 0x03030303u) << 4u));
}

// The signed scale i of the super-block at byte ob.
fn q6k_scale(ob: u32, i: u32) -> f32 {
  return sbyte(word_at(ob + 192u + (i & ~3u)), i & 3u);
}

// Elements 4q..4q+3 of 32-element tile b (group g = b % 4 of half n).
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + (b / 8u) * 210u;
  let n = (b % 8u) / 4u;
  let g = b % 4u;
  let v = word_at(ob + 64u * n + 32u * (g & 1u) + 4u * q);
  let h = word_at(ob + 128u + 32u * n + 4u * q);
  let d = half_at(ob + 208u) * q6k_scale(ob, 8u * n + 2u * g + q / 4u);
  return d * (q6k_quads(v >> (4u * (g / 2u)), h, 2u * g) - 32.0);
}

// Half tiles for matvec.wgsl, 16 per super-block: h = 8n + 4e + k is bytes
// 8k..8k+7 of ql's quarter 64n + 32e: elements 8k..8k+7 of group g = e (low
// nibbles) and of group g = e + 2 (high nibbles), one scale each.
fn half_x(hb: u32, j: u32) -> u32 {
  let h = hb % 16u;
  return (hb / 16u) * 64u + (h / 8u) * 32u + ((h / 4u) % 2u) * 8u + 2u * (h % 4u) + (j & 1u) + 16u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 16u) * 210u;
  let h = hb % 16u;
  let n = h / 8u;
  let e = (h / 4u) % 2u;
  let k = h % 4u;
  let v = words2_at(ob + 64u * n + 32u * e + 8u * k);
  let hb2 = words2_at(ob + 128u + 32u * n + 8u * k);
  let sums = half_sums(xs);
  let lo = dot(q6k_quads(v.x, hb2.x, 2u * e), xs[0]) + dot(q6k_quads(v.y, hb2.y, 2u * e), xs[1]);
  let hi = dot(q6k_quads(v.x >> 4u, hb2.x, 2u * e + 4u), xs[2]) + dot(q6k_quads(v.y >> 4u, hb2.y, 2u * e + 4u), xs[3]);
  let si = 8u * n + 2u * e + k / 2u;
  return half_at(ob + 208u) * (q6k_scale(ob, si) * (lo - 32.0 * sums.x) + q6k_scale(ob, si + 4u) * (hi - 32.0 * sums.y));
}
