// Kernels that use block_dot define fn act_at(i: u32) -> f32, the activation
// element i (they keep x as f32 or vec4 arrays, or have none).
//
// Reading GGUF tensor bytes in place. Weights are uploaded byte for byte as
// they are in the file (no repacking), so block fields sit at any even byte
// offset; these helpers read them out of the u32 words of the buffer `w`.

// The 16-bit float at an even byte offset.
fn half_at(o: u32) -> f32 {
  let v = unpack2x16float(w[o >> 2u]);
  return select(v.x, v.y, (o & 2u) != 0u);
}

// The four bytes starting at an even byte offset, as one little-endian word.
fn word_at(o: u32) -> u32 {
  let lo = w[o >> 2u];
  if ((o & 2u) == 0u) { return lo; }
  return (lo >> 16u) | (w[(o >> 2u) + 1u] << 16u);
}

// Byte k (0..3) of a word as a signed integer.
fn sbyte(v: u32, k: u32) -> f32 {
  return f32(bitcast<i32>(v << (24u - 8u * k)) >> 24u);
}

// The two words starting at an even byte offset (three are read and two put
// together where it is not a multiple of 4).
fn words2_at(o: u32) -> vec2<u32> {
  let i = o >> 2u;
  let w0 = w[i];
  let w1 = w[i + 1u];
  let w2 = w[i + 2u];
  let odd = (o & 2u) != 0u;
  return vec2<u32>(select(w0, (w0 >> 16u) | (w1 << 16u), odd), select(w1, (w1 >> 16u) | (w2 << 16u), odd));
}

// The four bytes of a word as floats 0..255. Integer-to-float conversions
// run at 1/8 of the FMA rate on NVIDIA GPUs, so each byte b is put into the
// mantissa of 2^23 instead: bits 0x4B000000 | b are the float 2^23 + b.
fn bytes4(v: u32) -> vec4<f32> {
  let f = vec4<u32>(v & 0xFFu, (v >> 8u) & 0xFFu, (v >> 16u) & 0xFFu, v >> 24u) | vec4<u32>(0x4B000000u);
  return bitcast<vec4<f32>>(f) - vec4<f32>(8388608.0);
}
// The low and the high nibbles of a word's four bytes as floats 0..15.
fn nibbles_lo(v: u32) -> vec4<f32> { return bytes4(v & 0x0F0F0F0Fu); }
fn nibbles_hi(v: u32) -> vec4<f32> { return bytes4((v >> 4u) & 0x0F0F0F0Fu); }
// Byte k (0..3) of a word as a float.
fn ubyte(v: u32, k: u32) -> f32 { return bitcast<f32>(((v >> (8u * k)) & 0xFFu) | 0x4B000000u) - 8388608.0; }

// Four bits of v (from bit s) spread to bit 4 of each byte: the fifth bit of
// four 5-bit quants whose high bits are packed one per element.
fn bits_to_bytes(v: u32, s: u32) -> u32 {
  let b = v >> s;
  return ((b & 1u) << 4u) | ((b & 2u) << 11u) | ((b & 4u) << 18u) | ((b & 8u) << 25u);
}

// The sum of a half tile's 2 x 2 vec4s: (x[0] + x[1], x[2] + x[3]), for types
// whose half tile has two scales (the low and the high nibbles' blocks).
fn half_sums(xs: array<vec4<f32>, 4>) -> vec2<f32> {
  return vec2<f32>(dot(xs[0] + xs[1], vec4<f32>(1.0)), dot(xs[2] + xs[3], vec4<f32>(1.0)));
}

// Q4_K and Q5_K: the 6-bit scales and mins of a super-block at byte ob (12
// bytes after its f16 d and dmin), for sub-blocks 2p and 2p+1, as
// (sc0, m0, sc1, m1). Scales 0..3 are the low 6 bits of bytes 0..3 (mins:
// bytes 4..7); scales 4..7 take their low 4 bits from bytes 8..11 and their
// top 2 bits from the tops of bytes 0..3 (mins: the high nibbles of 8..11
// and the tops of 4..7). The block must start at a multiple of 4 bytes.
fn k4_scales(ob: u32, p: u32) -> vec4<f32> {
  let a = w[(ob >> 2u) + 1u];
  let b = w[(ob >> 2u) + 2u];
  let c = w[(ob >> 2u) + 3u];
  let low = p < 2u;
  let sc = select((c & 0x0F0F0F0Fu) | ((a >> 2u) & 0x30303030u), a & 0x3F3F3F3Fu, low);
  let mn = select(((c >> 4u) & 0x0F0F0F0Fu) | ((b >> 2u) & 0x30303030u), b & 0x3F3F3F3Fu, low);
  let k = 2u * (p & 1u);
  return vec4<f32>(ubyte(sc, k), ubyte(mn, k), ubyte(sc, k + 1u), ubyte(mn, k + 1u));
}

// IQ4_NL and IQ4_XS: the 16 non-linear levels a 4-bit index stands for
// (GGML's kvalues_iq4nl), and the levels of the low nibbles of a word's four
// bytes.
const IQ4_LEVELS = array<f32, 16>(-127.0, -104.0, -83.0, -65.0, -49.0, -35.0, -22.0, -10.0,
                                  1.0, 13.0, 25.0, 38.0, 53.0, 69.0, 89.0, 113.0);
fn iq4_levels(v: u32) -> vec4<f32> {
  return vec4<f32>(IQ4_LEVELS[v & 15u], IQ4_LEVELS[(v >> 8u) & 15u], IQ4_LEVELS[(v >> 16u) & 15u],
                   IQ4_LEVELS[(v >> 24u) & 15u]);
}
