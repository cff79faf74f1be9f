// Mod of int32 / uint32 tensors with broadcasting (host: int-mod.ts; oracle: broadcast-ops.ref.ts's
// Fmod / Mod `int` entries): fmod = 1 is the truncated remainder (the dividend's sign), fmod = 0 adds
// the divisor when a non-zero remainder's sign differs from it; unsigned values have one meaning.
// WGSL's % is the truncated remainder and gives 0 for i32 min % -1, as the reference stores it. A
// zero divisor sets `error` (read after the run: the run fails as the CPU reference does).
// bindings: 0 a, 1 b, 2 y, 3 error (one u32), 4 params, 5 table: output dims, then a's and b's
// element strides per output axis (0 where broadcast).

override WORKGROUP_SIZE: u32 = 64u;

// kind: 0 i32 fmod, 1 i32 Python mod, 2 u32.
struct ModParams { count: u32, rank: u32, kind: u32, pad0: u32 }

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<storage, read_write> error: array<u32>;
@group(0) @binding(4) var<uniform> params: ModParams;
@group(0) @binding(5) var<storage, read> shape: array<i32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (i >= params.count) { return; }
  let rank = i32(params.rank);
  var rest = i;
  var ja = 0u;
  var jb = 0u;
  for (var d = rank - 1; d >= 0; d--) {
    let n = u32(shape[d]);
    let c = rest % n;
    rest = rest / n;
    ja += c * u32(shape[rank + d]);
    jb += c * u32(shape[2 * rank + d]);
  }
  let x = a[ja];
  let m = b[jb];
  if (m == 0u) {
    error[0] = 1u;
    y[i] = 0u;
    return;
  }
  if (params.kind == 2u) {
    y[i] = x % m;
    return;
  }
  let xs = bitcast<i32>(x);
  let ms = bitcast<i32>(m);
  var r = select(xs % ms, 0, ms == -1);
  if (params.kind == 1u && r != 0 && (r < 0) != (ms < 0)) { r += ms; }
  y[i] = bitcast<u32>(r);
}
