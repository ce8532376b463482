// Q8_0: blocks of 34 bytes, an f16 scale then 32 signed bytes.
const BLOCK: u32 = 32u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  let ob = row_byte + (i / 32u) * 34u;
  let j = i % 32u;
  let q = word_at(ob + 2u + (j & ~3u));
  return half_at(ob) * sbyte(q, j & 3u);
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  let ob = row_byte + b * 34u;
  var s = 0.0;
  for (var k = 0u; k < 8u; k++) {
    let q = word_at(ob + 2u + 4u * k);
    let xi = xo + 4u * k;
    s += sbyte(q, 0u) * act_at(xi) + sbyte(q, 1u) * act_at(xi + 1u) + sbyte(q, 2u) * act_at(xi + 2u) + sbyte(q, 3u) * act_at(xi + 3u);
  }
  return half_at(ob) * s;
}

// Elements 4q..4q+3 of block b.
fn load4(row_byte: u32, b: u32, q: u32) -> vec4<f32> {
  let ob = row_byte + b * 34u;
  return half_at(ob) * sbytes(word_at(ob + 2u + 4u * q));
}

// Half tiles for matvec.wgsl: half h of block b (hb = 2b + h) is elements
// 16h..16h+15, 16 signed bytes at an even offset.
fn half_x(hb: u32, j: u32) -> u32 { return hb * 4u + j; }

// The four signed bytes of a word as floats, without integer-to-float
// conversions (1/8 of the FMA rate on NVIDIA GPUs): byte b ^ 0x80 is b + 128,
// and bits 0x4B000000 | (b + 128) are the float 2^23 + 128 + b.
fn sbytes(v: u32) -> vec4<f32> {
  let u = v ^ 0x80808080u;
  let f = vec4<u32>(u & 0xFFu, (u >> 8u) & 0xFFu, (u >> 16u) & 0xFFu, u >> 24u) | vec4<u32>(0x4B000000u);
  return bitcast<vec4<f32>>(f) - vec4<f32>(8388736.0);
}

fn half_dot(row_byte: u32, hb: u32, xs: array<vec4<f32>, 4>, xsum: f32) -> f32 {
  let ob = row_byte + (hb / 2u) * 34u;
  let o = ob + 2u + 16u * (hb % 2u);
  let i = o >> 2u;
  let odd = (o & 2u) != 0u;
  var q = 0.0;
  var prev = w[i];
  for (var k = 0u; k < 4u; k++) {
    let next = w[i + k + 1u];
    q += dot(sbytes(select(prev, (prev >> 16u) | (next << 16u), odd)), xs[k]);
    prev = next;
  }
  return half_at(ob) * q;
}
