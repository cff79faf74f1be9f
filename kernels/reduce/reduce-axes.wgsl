// Shared by reduce.wgsl and normalization/mvn.wgsl, appended by their hosts (reduce.ts's
// reduceAxesWgsl): the walk over the axes table that both bind (reduce.ts's reduceAxesTable: per
// input axis its dim, element stride and reduced flag 0/1). Uses the including kernel's `axes` and
// `params.rank`.

/** The input offset of index `n` over the axes whose reduced flag equals `reduced`. */
fn offset_of(n: u32, reduced: i32) -> u32 {
  var rest = n;
  var off = 0u;
  for (var d = i32(params.rank) - 1; d >= 0; d--) {
    if (axes[3 * d + 2] != reduced) { continue; }
    let dim = u32(axes[3 * d]);
    off += (rest % dim) * u32(axes[3 * d + 1]);
    rest = rest / dim;
  }
  return off;
}
