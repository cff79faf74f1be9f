// GatherND (host: gather-nd.ts; oracle: kernels/scatter/scatter.ref.ts's gatherNDRef): the index
// tuples are the indices' rows of q entries; output element o = (row, e) over [rows, slice] copies
// data element batch(row) * batchStride + sum_j index(row, j) * stride_j + e, with index(row, j)
// counted from the end of dim_j when negative. Indices are i32 words or int64 (lo, hi) word pairs,
// constant or known only at run time.
// An index entry out of [-dim_j, dim_j) (or beyond i32) cannot stop the kernel: invocation k
// (< nIdx) checks entry k and atomicMax-es ~k into error[0], so error[0] ends as ~(the first bad
// entry), the one the CPU reference reports; gather-runtime.wgsl's `report` then copies its words
// into error[1..2]. A bad entry counts as 0 (its output is never returned).
// BYTES: 8-bit data packed 4 per word (each invocation builds one output word), else 32-bit.
// gather-common.wgsl (index_word, gathered_word) is appended by the host.
// bindings: 0 indices, 1 error (3 u32), 2 data, 3 y, 4 params, 5 table: dim_j for j < q, then
// stride_j (the data's element strides at axes batch_dims + j).

override BYTES: bool = false;
override INT64: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

struct GatherNDParams {
  total: u32, invocations: u32, nIdx: u32, q: u32, slice: u32, perBatch: u32, batchStride: u32, pad0: u32,
}

@group(0) @binding(0) var<storage, read> indices: array<u32>;
@group(0) @binding(1) var<storage, read_write> error: array<atomic<u32>, 3>;
@group(0) @binding(2) var<storage, read> data: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
@group(0) @binding(4) var<uniform> params: GatherNDParams;
@group(0) @binding(5) var<storage, read> table: array<i32>;

/** Index entry k resolved into [0, dim_(k mod q)), or -1 when out of range. */
fn resolved(k: u32) -> i32 {
  let w = index_word(k);
  var v = bitcast<i32>(w.x);
  let d = table[k % params.q];
  if (w.y == 0u || v < -d || v >= d) { return -1; }
  if (v < 0) { v += d; }
  return v;
}

/** The data element output o reads (bad entries count as 0). */
fn source(o: u32) -> u32 {
  let row = o / params.slice;
  let e = o - row * params.slice;
  var off = (row / params.perBatch) * params.batchStride + e;
  for (var j = 0u; j < params.q; j++) {
    off += u32(max(resolved(row * params.q + j), 0)) * u32(table[params.q + j]);
  }
  return off;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i < params.nIdx && resolved(i) < 0) {
    atomicMax(&error[0], ~i);
  }
  if (i >= params.invocations) { return; }
  y[i] = gathered_word(i);
}
