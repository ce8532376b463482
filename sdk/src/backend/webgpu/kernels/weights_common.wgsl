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
