// The KV cache's element type for the attention, kv_store and rope_store
// kernels: f32. Kernels see the cache as pairs (KvPair, two consecutive
// elements) and quads (KvQuad, four).
alias KvPair = vec2<f32>;
alias KvQuad = vec4<f32>;
fn kv_pack(v: vec2<f32>) -> KvPair { return v; }
fn kv_unpack(p: KvPair) -> vec2<f32> { return p; }
fn kv_unpack4(q: KvQuad) -> vec4<f32> { return q; }
