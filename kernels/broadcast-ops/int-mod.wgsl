// Mod of int32 / uint32 / int64 tensors with broadcasting (host: int-mod.ts; oracle:
// broadcast-ops.ref.ts's Fmod / Mod `int` and `big` entries): fmod = 1 is the truncated remainder (the dividend's sign), fmod = 0 adds
// the divisor when a non-zero remainder's sign differs from it; unsigned values have one meaning.
// WGSL's % is the truncated remainder and gives 0 for i32 min % -1, as the reference stores it.
// int64 values are (lo, hi) word pairs: the remainder of the magnitudes by 64-bit long division
// (exact; |int64 min| = 2^63 fits in u64), given the dividend's sign. A
// zero divisor sets `error` (read after the run: the run fails as the CPU reference does).
// bindings: 0 a, 1 b, 2 y, 3 error (one u32), 4 params, 5 table: output dims, then a's and b's
// element strides per output axis (0 where broadcast).

override WORKGROUP_SIZE: u32 = 64u;

// kind: 0 i32 fmod, 1 i32 Python mod, 2 u32, 3 i64 fmod, 4 i64 Python mod.
struct ModParams { count: u32, rank: u32, kind: u32, pad0: u32 }

@group(0) @binding(0) var<storage, read> a: array<u32>;
@group(0) @binding(1) var<storage, read> b: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
@group(0) @binding(3) var<storage, read_write> error: array<u32>;
@group(0) @binding(4) var<uniform> params: ModParams;
@group(0) @binding(5) var<storage, read> shape: array<i32>;

// u64 as vec2<u32>(lo, hi).
fn u64_ge(a: vec2<u32>, b: vec2<u32>) -> bool { return a.y > b.y || (a.y == b.y && a.x >= b.x); }
fn u64_sub(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  return vec2<u32>(a.x - b.x, a.y - b.y - select(0u, 1u, a.x < b.x));
}
fn u64_add(a: vec2<u32>, b: vec2<u32>) -> vec2<u32> {
  let lo = a.x + b.x;
  return vec2<u32>(lo, a.y + b.y + select(0u, 1u, lo < a.x));
}
fn u64_neg(a: vec2<u32>) -> vec2<u32> { return u64_sub(vec2<u32>(0u, 0u), a); }
fn i64_negative(a: vec2<u32>) -> bool { return a.y >= 0x80000000u; }
fn i64_abs(a: vec2<u32>) -> vec2<u32> { return select(a, u64_neg(a), i64_negative(a)); }

/** a mod m for non-negative 64-bit magnitudes, m != 0 (shift-subtract, one bit at a time). */
fn u64_rem(a: vec2<u32>, m: vec2<u32>) -> vec2<u32> {
  var r = vec2<u32>(0u, 0u);
  for (var i = 63i; i >= 0; i--) {
    let bit = select((a.x >> u32(i)) & 1u, (a.y >> u32(i - 32)) & 1u, i >= 32);
    r = vec2<u32>((r.x << 1u) | bit, (r.y << 1u) | (r.x >> 31u));
    if (u64_ge(r, m)) { r = u64_sub(r, m); }
  }
  return r;
}

fn mod64(x: vec2<u32>, m: vec2<u32>, python: bool) -> vec2<u32> {
  let r = u64_rem(i64_abs(x), i64_abs(m));
  if (r.x == 0u && r.y == 0u) { return r; }
  var s = select(r, u64_neg(r), i64_negative(x));
  if (python && i64_negative(s) != i64_negative(m)) { s = u64_add(s, m); }
  return s;
}

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
  if (params.kind >= 3u) {
    let x64 = vec2<u32>(a[2u * ja], a[2u * ja + 1u]);
    let m64 = vec2<u32>(b[2u * jb], b[2u * jb + 1u]);
    var r64 = vec2<u32>(0u, 0u);
    if (m64.x == 0u && m64.y == 0u) { error[0] = 1u; } else { r64 = mod64(x64, m64, params.kind == 4u); }
    y[2u * i] = r64.x;
    y[2u * i + 1u] = r64.y;
    return;
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
