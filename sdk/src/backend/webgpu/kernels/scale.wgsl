// x = x * mul, then, where cap > 0, cap * tanh(x) (gemma's embedding scale;
// soft-capping, with mul = 1 / cap, as the CPU backend computes it).
// tanh_safe from gate_act.wgsl.
struct Params { n: u32, mul: f32, cap: f32, }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read_write> x: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.y * 65535u * 256u + gid.x;
  if (i >= p.n) { return; }
  let v = x[i] * p.mul;
  x[i] = select(v, tanh_safe(v) * p.cap, p.cap > 0.0);
}
