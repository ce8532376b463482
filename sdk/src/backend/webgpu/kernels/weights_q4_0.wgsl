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
  return half_at(ob) * (nibbles_lo(select(v, v >> 4u, q >= 4u)) - 8.0);
}

// Half tiles for matvec.wgsl: half h of block b is hb = 2b + h, the nibbles
// of bytes 8h..8h+7: elements 8h..8h+7 (low) and 16+8h..16+8h+7 (high).
// x vec4 j of half tile hb, counted from the row's start.
fn half_x(hb: u32, j: u32) -> u32 {
  return (hb / 2u) * 8u + 2u * (hb % 2u) + (j & 1u) + 4u * (j >> 1u);
}

// W[row][half tile hb] . xs, xsum the sum of xs's elements: (q - 8) . x is
// q . x - 8 * sum(x). The 8 nibble bytes sit at an even offset: three words
// are read and two put together where it is not a multiple of 4.
fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 2u) * 18u;
  let o = ob + 2u + 8u * (hb % 2u);
  let i = o >> 2u;
  let w0 = w[i];
  let w1 = w[i + 1u];
  let w2 = w[i + 2u];
  let odd = (o & 2u) != 0u;
  let a = select(w0, (w0 >> 16u) | (w1 << 16u), odd);
  let c = select(w1, (w1 >> 16u) | (w2 << 16u), odd);
  let q = dot(nibbles_lo(a), xs[0]) + dot(nibbles_lo(c), xs[1]) + dot(nibbles_hi(a), xs[2]) + dot(nibbles_hi(c), xs[3]);
  return half_at(ob) * (q - 8.0 * xsum);
}
