// IQ4_NL: blocks of 18 bytes, an f16 scale d then 16 bytes of 4-bit level
// indices: element j is d * level(low nibble of byte j), element j + 16
// d * level(its high nibble), the levels being weights_common's
// IQ4_LEVELS. 18 bytes keep fields only 2-byte aligned.

// Elements 4q..4q+3 of block b: low nibbles of bytes 4q.. for q < 4, high
// nibbles of bytes 4(q-4).. for q >= 4.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 18u;
  let v = word_at(ob + 2u + 4u * (q & 3u));
  return half_at(ob) * iq4_levels(select(v, v >> 4u, q >= 4u));
}

// Half tiles for matvec.wgsl as Q4_0's: half h of block b (hb = 2b + h) is
// the nibbles of bytes 8h..8h+7: elements 8h..8h+7 and 16+8h..16+8h+7.
fn half_x(hb: u32, j: u32) -> u32 {
  return (hb / 2u) * 8u + 2u * (hb % 2u) + (j & 1u) + 4u * (j >> 1u);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 2u) * 18u;
  let v = words2_at(ob + 2u + 8u * (hb % 2u));
  let q = dot(iq4_levels(v.x), xs[0]) + dot(iq4_levels(v.y), xs[1]) + dot(iq4_levels(v.x >> 4u), xs[2]) +
          dot(iq4_levels(v.y >> 4u), xs[3]);
  return half_at(ob) * q;
}
