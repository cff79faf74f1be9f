// The element offsets of up to three broadcast inputs for output element i (broadcast-ops.wgsl,
// int-map.wgsl). Needs the includer's `params.rank` and `shape` table: the output dims, then each
// input's element strides per output axis (0 where broadcast); rank 0: every input has the output's
// layout, so the offsets are i.
fn broadcast_offsets(i: u32) -> vec3<u32> {
  let rank = i32(params.rank);
  if (rank == 0) { return vec3<u32>(i); }
  var rest = i32(i);
  var o = vec3<i32>(0);
  for (var d = rank - 1; d >= 0; d--) {
    let n = shape[d];
    let c = rest % n;
    rest = rest / n;
    o += c * vec3<i32>(shape[rank + d], shape[2 * rank + d], shape[3 * rank + d]);
  }
  return vec3<u32>(o);
}
