// Einsum (oracle: einsum.ref.ts): one invocation per output element. The equation is compiled on
// the host into the reference's layout (einsumLayout): labels `all` = output labels then summed
// labels, their sizes, and per operand the stride of every label (0 where broadcast or absent,
// summed strides for a diagonal). An invocation decodes its output index (last label fastest),
// then walks the summed index space as the reference does (last summed label fastest, an odometer
// that moves each operand's offset by its stride), multiplying the operands left to right and
// adding in T (f32, i32 or u32: integers wrap as the reference's result does when stored).
// The host fills in the operand count and element type: its text replaces the marker line below
// with declarations of x0..x{N-1} (read), y (write), P (binding N + 1), table (N + 2) and `fn product`.
// table: sizes[labels], then strides[operand * labels + label].
// Grid: linear, 2-D past the dispatch limit.

override WORKGROUP_SIZE: u32 = 64u;
const MAX_LABELS: u32 = 16u;

struct Params {
  out_size: u32,
  sum_size: u32,
  labels: u32,
  out_labels: u32,
}

// @operands

fn stride(k: u32, a: u32) -> u32 {
  return u32(table[P.labels + k * P.labels + a]);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let o = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (o >= P.out_size) { return; }
  var off: array<u32, OPERANDS>;
  var rest = o;
  for (var a = P.out_labels; a > 0u; a--) {
    let d = u32(table[a - 1u]);
    let i = rest % d;
    rest = rest / d;
    for (var k = 0u; k < OPERANDS; k++) { off[k] += i * stride(k, a - 1u); }
  }
  var idx: array<u32, MAX_LABELS>;
  var acc = T(0);
  for (var s = 0u; s < P.sum_size; s++) {
    acc = acc + product(off);
    // The next summed index: the last summed label moves fastest.
    var a = P.labels;
    loop {
      if (a == P.out_labels) { break; }
      a--;
      idx[a]++;
      for (var k = 0u; k < OPERANDS; k++) { off[k] += stride(k, a); }
      if (idx[a] < u32(table[a])) { break; }
      for (var k = 0u; k < OPERANDS; k++) { off[k] -= stride(k, a) * idx[a]; }
      idx[a] = 0u;
    }
  }
  y[o] = acc;
}
