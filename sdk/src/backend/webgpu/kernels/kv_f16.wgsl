// The KV cache's element type for the attention, kv_store and rope_store
// kernels: fp16, two to a word (no shader-f16 needed), math in f32. Half the
// memory and half the bytes attention reads.
alias KvPair = u32;
alias KvQuad = vec2<u32>;

// f32 -> fp16 bits, rounded to nearest even on every adapter (WGSL leaves
// pack2x16float's rounding to the implementation), as the CPU reference and
// llama.cpp store them.
fn f16_bits(f: f32) -> u32 {
  let b = bitcast<u32>(f);
  let sign = (b >> 16u) & 0x8000u;
  let a = b & 0x7FFFFFFFu;
  if (a > 0x7F800000u) { return sign | 0x7E00u; }    // NaN
  if (a >= 0x477FF000u) { return sign | 0x7C00u; }   // rounds past 65504: infinity
  if (a < 0x38800000u) {                              // below 2^-14: subnormal or zero
    return sign | u32(round(bitcast<f32>(a) * 16777216.0));  // round() is half-to-even
  }
  return sign | ((a + 0xFFFu + ((a >> 13u) & 1u) - 0x38000000u) >> 13u);
}

fn kv_pack(v: vec2<f32>) -> KvPair { return f16_bits(v.x) | (f16_bits(v.y) << 16u); }
fn kv_unpack(p: KvPair) -> vec2<f32> { return unpack2x16float(p); }
fn kv_unpack4(q: KvQuad) -> vec4<f32> { return vec4<f32>(unpack2x16float(q.x), unpack2x16float(q.y)); }
