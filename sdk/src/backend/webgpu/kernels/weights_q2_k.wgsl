// Q2_K: super-blocks of 256 elements in 84 bytes: 16 scale bytes (a 4-bit
// scale, a 4-bit min above it), 64 bytes of 2-bit quants (qs), f16 d, f16
// dmin. Element e of a super-block, with n = e / 128, j = (e % 128) / 32,
// h = (e % 32) / 16, l = e % 16: quant (qs[32n + 16h + l] >> 2j) & 3, scale
// byte 8n + 2j + h, value d * scale * quant - dmin * min. 84 is a multiple
// of 4, so every field is word aligned.

// (d * scale, dmin * min) of scale byte i of the super-block at byte ob.
fn q2k_scale_min(ob: u32, i: u32) -> vec2<f32> {
  let sc = (w[(ob + i) >> 2u] >> (8u * (i % 4u))) & 0xFFu;
  let dm = unpack2x16float(w[(ob + 80u) >> 2u]);
  return vec2<f32>(dm.x * f32(sc & 15u), dm.y * f32(sc >> 4u));
}

// Elements 4q..4q+3 of 32-element tile b (counted along the row): tile t of
// its super-block is (n, j) = (t / 4, t % 4), and q / 4 is h.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + (b / 8u) * 84u;
  let t = b % 8u;
  let n = t / 4u;
  let j = t % 4u;
  let h = q / 4u;
  let v = (w[(ob + 16u + 32u * n + 16u * h + 4u * (q % 4u)) >> 2u] >> (2u * j)) & 0x03030303u;
  let sm = q2k_scale_min(ob, 8u * n + 2u * j + h);
  return sm.x * bytes4(v) - sm.y;
}

// Half tiles for matvec.wgsl: 16 consecutive elements, hb = 2b + h being
// elements 16h..16h+15 of tile b (one scale and min): 16 bytes of qs.
fn half_x(hb: u32, j: u32) -> u32 { return 4u * hb + j; }

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let b = hb / 2u;
  let ob = row_byte + (b / 8u) * 84u;
  let t = b % 8u;
  let n = t / 4u;
  let j = t % 4u;
  let h = hb % 2u;
  let i = (ob + 16u + 32u * n + 16u * h) >> 2u;
  var q = 0.0;
  for (var k = 0u; k < 4u; k++) { q += dot(bytes4((w[i + k] >> (2u * j)) & 0x03030303u), xs[k]); }
  let sm = q2k_scale_min(ob, 8u * n + 2u * j + h);
  return sm.x * q - sm.y * xsum;
}
