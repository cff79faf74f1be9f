// Gather with indices known only at run time (host: gather-runtime.ts; oracle: gather.ref.ts's
// gatherRef). Output element o = (b, k, j) over [outer, nIdx, inner] copies data element
// (b * dim + indices[k]) * inner + j; a negative index counts from the end of the axis. Indices are
// i32 words or int64 (lo, hi) word pairs.
// An index out of [-dim, dim) (or beyond i32) cannot stop the kernel: invocation k (< nIdx) checks
// index k and atomicMax-es ~k into error[0], so error[0] ends as ~(the first bad position), the
// one the CPU reference reports; `report` then copies that index's words into error[1..2] so the
// host can name it as the reference does. A bad index reads element 0 (its output is never returned).
// BYTES: 8-bit data packed 4 per word (each invocation builds one output word), else 32-bit.
// gather-common.wgsl (index_word, gathered_word) is appended by the host.
// bindings (report uses only the first two): 0 indices, 1 error (3 u32), 2 data, 3 y, 4 params.

override BYTES: bool = false;
override INT64: bool = false;
override WORKGROUP_SIZE: u32 = 64u;

struct GatherParams { total: u32, invocations: u32, nIdx: u32, inner: u32, dim: u32, pad0: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<storage, read> indices: array<u32>;
@group(0) @binding(1) var<storage, read_write> error: array<atomic<u32>, 3>;
@group(0) @binding(2) var<storage, read> data: array<u32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
@group(0) @binding(4) var<uniform> params: GatherParams;

/** Index k resolved into [0, dim), or -1 when out of range. */
fn resolved(k: u32) -> i32 {
  let w = index_word(k);
  var v = bitcast<i32>(w.x);
  let d = i32(params.dim);
  if (w.y == 0u || v < -d || v >= d) { return -1; }
  if (v < 0) { v += d; }
  return v;
}

/** The data element output o reads (element 0 for a bad index). */
fn source(o: u32) -> u32 {
  let row = params.nIdx * params.inner;
  let b = o / row;
  let r = o - b * row;
  let k = r / params.inner;
  let j = r - k * params.inner;
  let v = resolved(k);
  if (v < 0) { return 0u; }
  return (b * params.dim + u32(v)) * params.inner + j;
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

/** One invocation, after main: the first bad index's words into error[1] (low) and error[2] (high). */
@compute @workgroup_size(1)
fn report() {
  let flag = atomicLoad(&error[0]);
  if (flag == 0u) { return; }
  let k = ~flag;
  if (INT64) {
    atomicStore(&error[1], indices[2u * k]);
    atomicStore(&error[2], indices[2u * k + 1u]);
  } else {
    let lo = indices[k];
    atomicStore(&error[1], lo);
    atomicStore(&error[2], select(0u, 0xffffffffu, lo >= 0x80000000u));
  }
}
