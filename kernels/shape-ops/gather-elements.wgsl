// GatherElements with indices computed at run time (host: gather-elements.ts; oracle:
// gather.ref.ts's gatherElementsRef): output element o (row-major over the indices' dims) copies
// the data element at o's coordinates with the axis coordinate replaced by its index (negative
// counts from the end). Indices are i32 words or int64 (lo, hi) word pairs. An index out of
// [-dim, dim) (or beyond i32) sets `error`, which the host reads after the run and reports as the
// CPU reference would (the element copied for it is never returned).
// BYTES: 8-bit data packed 4 per word (each invocation builds one output word), else 32-bit.
// gather-common.wgsl (index_word, gathered_word) is appended by the host.
// bindings: 0 data, 1 indices, 2 y, 3 error (one u32), 4 params, 5 table: the indices' dims, then
// the data's element strides.

override BYTES: bool = false;
override INT64: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

struct GatherParams { total: u32, invocations: u32, rank: u32, axis: u32, dim: u32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<storage, read> data: array<u32>;
@group(0) @binding(1) var<storage, read> indices: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<storage, read_write> error: array<u32>;
@group(0) @binding(4) var<uniform> params: GatherParams;
@group(0) @binding(5) var<storage, read> table: array<i32>;

/** The data element output o reads (0 after flagging an out-of-range index). */
fn source(o: u32) -> u32 {
  let w = index_word(o);
  var v = bitcast<i32>(w.x);
  let d = i32(params.dim);
  // Beyond i32 (w.y == 0) is beyond any dim: out of range.
  if (w.y == 0u || v < -d || v >= d) {
    error[0] = 1u;
    return 0u;
  }
  if (v < 0) { v += d; }
  var rest = o;
  var off = 0u;
  let rank = i32(params.rank);
  for (var k = rank - 1; k >= 0; k--) {
    let n = u32(table[k]);
    let c = rest % n;
    rest = rest / n;
    off += select(c, u32(v), u32(k) == params.axis) * u32(table[rank + k]);
  }
  return off;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.invocations) { return; }
  y[i] = gathered_word(i);
}
