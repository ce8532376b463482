// Q3_K: super-blocks of 256 elements in 110 bytes: 32 bytes of high bits
// (hmask), 64 bytes of 2-bit lows (qs), 12 bytes of 6-bit scales, f16 d.
// Element e of a super-block, with n = e / 128, j = (e % 128) / 32,
// h = (e % 32) / 16, l = e % 16: low bits (qs[32n + 16h + l] >> 2j) & 3,
// high bit bit 4n + j of hmask[16h + l], level low + 4 * high - 4, scale
// 8n + 2j + h. 110 bytes keep fields only 2-byte aligned.

// Scale i (0..15), signed: its low 4 bits are nibble i / 8 of scales byte
// i % 8, its top 2 bits bits 2 * (i / 4) of byte 8 + i % 4; stored + 32.
fn q3_scale(ob: u32, i: u32) -> f32 {
  let lo = (word_at(ob + 96u + 4u * ((i % 8u) / 4u)) >> (8u * (i % 4u) + 4u * (i / 8u))) & 0xFu;
  let hi = (word_at(ob + 104u) >> (8u * (i % 4u) + 2u * (i / 4u))) & 3u;
  return f32(lo | (hi << 4u)) - 32.0;
}

// Elements 4q..4q+3 of 32-element tile b (counted along the row): tile t of
// its super-block is (n, j) = (t / 4, t % 4), and q / 4 is h.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + (b / 8u) * 110u;
  let t = b % 8u;
  let n = t / 4u;
  let j = t % 4u;
  let h = q / 4u;
  let l0 = 4u * (q % 4u);
  let low = (word_at(ob + 32u + 32u * n + 16u * h + l0) >> (2u * j)) & 0x03030303u;
  let high = (word_at(ob + 16u * h + l0) >> (4u * n + j)) & 0x01010101u;
  return half_at(ob + 108u) * q3_scale(ob, 8u * n + 2u * j + h) * (bytes4(low | (high << 2u)) - 4.0);
}

// Half tiles for matvec.wgsl: 16 consecutive elements, hb = 2b + k being
// elements 16k..16k+15 of tile b (each 16 share one scale).
fn half_x(hb: u32, j: u32) -> u32 { return 4u * hb + j; }

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  var s = 0.0;
  for (var j = 0u; j < 4u; j++) { s += dot(load4(row_byte, hb / 2u, 4u * (hb % 2u) + j), xs[j]); }
  return s;
}
