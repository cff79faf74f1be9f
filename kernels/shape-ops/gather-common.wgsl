// Shared by the run-time gathers (gather-runtime.wgsl, gather-nd.wgsl, gather-elements.wgsl),
// appended to each by its host (gather-runtime.ts's gatherWgsl). Uses the including kernel's
// INT64 and BYTES overrides, its `indices`, `data` and `params.total`, and its `source(o)`: the
// data element output element o reads.

/** Index k's low word, and 1 when it fits i32 (the high word is the low word's sign extension). */
fn index_word(k: u32) -> vec2<u32> {
  if (!INT64) { return vec2<u32>(indices[k], 1u); }
  let lo = indices[2u * k];
  let hi = indices[2u * k + 1u];
  return vec2<u32>(lo, select(0u, 1u, hi == select(0u, 0xffffffffu, lo >= 0x80000000u)));
}

/** Output word i: element i of 32-bit data, or elements 4i .. 4i+3 of 8-bit data packed in one word. */
fn gathered_word(i: u32) -> u32 {
  if (!BYTES) { return data[source(i)]; }
  var word = 0u;
  for (var j = 0u; j < 4u; j++) {
    let o = 4u * i + j;
    if (o >= params.total) { break; }
    let e = source(o);
    word |= ((data[e >> 2u] >> (8u * (e & 3u))) & 0xffu) << (8u * j);
  }
  return word;
}
