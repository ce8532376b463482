// dst[0] = src[row]: picks the last token's hidden state before the head.
struct Params { cols: u32, row: u32, }
@group(0) @binding(0) var<uniform> p: Params;
@group(0) @binding(1) var<storage, read> src: array<f32>;
@group(0) @binding(2) var<storage, read_write> dst: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let i = gid.x;
  if (i >= p.cols) { return; }
  dst[i] = src[p.row * p.cols + i];
}
