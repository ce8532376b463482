// load_elem (the gather) and block_dot (matmul.wgsl) for the weight types
// whose prelude defines only load4, elements 4q..4q+3 of 32-element tile b:
// the 32-element block types after Q8_0/Q4_0 and the K-quants (a tile is a
// sub-block of their 256-element super-blocks). Appended after the prelude.
const BLOCK: u32 = 32u;

fn load_elem(row_byte: u32, i: u32) -> f32 {
  return load4(row_byte, i / 32u, (i % 32u) / 4u)[i % 4u];
}

fn block_dot(row_byte: u32, b: u32, xo: u32) -> f32 {
  var s = 0.0;
  for (var q = 0u; q < 8u; q++) {
    let xi = xo + 4u * q;
    s += dot(load4(row_byte, b, q), vec4<f32>(act_at(xi), act_at(xi + 1u), act_at(xi + 2u), act_at(xi + 3u)));
  }
  return s;
}
