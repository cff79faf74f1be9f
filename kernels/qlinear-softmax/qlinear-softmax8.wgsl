// com.microsoft QLinearSoftmax on packed 8-bit values (host: qlinear-softmax8.ts; oracle:
// qlinear-softmax.ref.ts, which documents onnxruntime's arithmetic). One invocation per row along
// the axis: max, then sum = f32 running sum of e_j = L[255 - max + x_j] (L: onnxruntime's exp table
// made on the host, in logical order), then v_j = nearbyint(f32(f32(e_j * Y) / sum)).
// f32 + and * are correctly rounded in WGSL, but / is only accurate to 2.5 ULP, so the quotient is
// computed exactly by integer long division of the mantissas (div_nearest). The host guarantees
// Y < 2^24 and sum >= 1 and passes the largest e whose f32(e * Y) is finite: a larger e_j takes the
// reference's overflow result without computing an infinity (uint8: zy; int8: INT32_MIN + zy,
// wrapped, then clamped) (the row's max reads L[255] >= 1); quotients below
// 2^-126 (subnormal, flushed or not) round to 0 either way, as do subnormal e_j in the sum.
// Bindings: 0 x, 1 y (atomic, cleared by the host: rows are strided when inner > 1), 2 params,
// 3 table (L as f32 bits). Needs kernels/gpu/wgsl/div-nearest.wgsl (prepended by the host).

override SIGNED: bool = true;
override WORKGROUP_SIZE: u32 = 64u;

struct Params { rows: u32, length: u32, inner: u32, zy: i32, y_int: f32, e_max_bits: u32, pad1: u32, pad2: u32 }

@group(0) @binding(0) var<storage, read> x: array<u32>;
@group(0) @binding(1) var<storage, read_write> y: array<atomic<u32>>;
@group(0) @binding(2) var<uniform> params: Params;
@group(0) @binding(3) var<storage, read> table: array<u32>;

fn load8(e: u32) -> i32 {
  let b = (x[e >> 2u] >> (8u * (e & 3u))) & 0xffu;
  if (SIGNED) { return (bitcast<i32>(b) << 24u) >> 24u; }
  return bitcast<i32>(b);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let r = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
  if (r >= params.rows) { return; }
  let base = (r / params.inner) * params.length * params.inner + r % params.inner;
  var mx = -256;
  for (var j = 0u; j < params.length; j++) { mx = max(mx, load8(base + j * params.inner)); }
  var sum = 0.0;
  for (var j = 0u; j < params.length; j++) {
    sum = sum + bitcast<f32>(table[u32(255 - mx + load8(base + j * params.inner))]);
  }
  for (var j = 0u; j < params.length; j++) {
    let o = base + j * params.inner;
    let ej = bitcast<f32>(table[u32(255 - mx + load8(o))]);
    let overflow = bitcast<u32>(ej) > params.e_max_bits;
    var v = i32(round(div_nearest(ej * params.y_int, sum)));
    if (overflow) { v = select(0, i32(-2147483647 - 1), SIGNED); }
    var q = 0;
    if (SIGNED) { q = clamp(v + params.zy, -128, 127); } else { q = min(v + params.zy, 255); }
    atomicOr(&y[o >> 2u], (bitcast<u32>(q) & 0xffu) << (8u * (o & 3u)));
  }
}
