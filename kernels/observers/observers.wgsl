// observers.wgsl: calibration statistics on the GPU, per tensor or per channel.
//
// The meaning (which values count, the bin rule) is kernels/observers/observers.ref.ts; these
// kernels equal it bit for bit.
//
// Bindings (group 0): 0 src array<u32> (f32 bits), 1 out array<atomic<u32>>, 2 ranges array<u32>
// (histogram: the f32 estimate scale of each channel, then each channel's BINS + 1 f32 edges),
// 3 params uniform.
// Channel of element i: ((start + i) / inner) % channels (per tensor: channels = 1); `start` is the
// first element of this dispatch's window of a larger tensor (inputs above the binding limit run
// as several dispatches, each binding a window of src).
// Each invocation scans a run of RUN consecutive elements, so per-tensor work costs one atomic per
// run instead of one per element.
//
// With ABS each value's sign bit is cleared first (the statistics of |x|).
// minmax_main: out[2c] = min key, out[2c+1] = max key of channel c, where key(x) maps f32 bits to
//   an order-preserving u32 (negative: ~bits, positive: bits | 0x80000000). NaN and infinities are
//   left out. The host initializes min keys to 0xffffffff and max keys to 0 and decodes the keys.
// histogram_main: out[c*BINS + b] counts x in channel c whose bin on the edges is b: the estimate
//   floor(f32(f32(x - lo) * scale)) (correctly rounded, no fusion in WGSL), then moved until
//   edges[b] <= x < edges[b + 1] (the last bin holds its right edge). Values outside
//   [edges[0], edges[BINS]], NaN and infinities are not counted.

override RUN: u32 = 64u;
override WORKGROUP_SIZE: u32 = 64u;
override BINS: u32 = 2048u;
// ABS: the statistics of |x| (onnxruntime's symmetric percentile histogram; min/max of |x|).
override ABS: bool = false;

struct Params { count: u32, inner: u32, channels: u32, start: u32 }

@group(0) @binding(0) var<storage, read> src: array<u32>;
@group(0) @binding(1) var<storage, read_write> out: array<atomic<u32>>;
@group(0) @binding(2) var<storage, read> ranges: array<u32>;
@group(0) @binding(3) var<uniform> params: Params;

fn order_key(bits: u32) -> u32 {
  return select(bits | 0x80000000u, ~bits, (bits & 0x80000000u) != 0u);
}

fn is_nonfinite(bits: u32) -> bool { return (bits & 0x7f800000u) == 0x7f800000u; }

fn channel_of(i: u32) -> u32 { return ((params.start + i) / params.inner) % params.channels; }

fn run_start(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return ((wid.y * nwg.x + wid.x) * WORKGROUP_SIZE + lid) * RUN;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn minmax_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
               @builtin(local_invocation_index) lid: u32) {
  let start = run_start(wid, nwg, lid);
  if (start >= params.count) { return; }
  let end = min(start + RUN, params.count);
  var chan = channel_of(start);
  var lo = 0xffffffffu;
  var hi = 0u;
  for (var i = start; i < end; i = i + 1u) {
    let c = channel_of(i);
    if (c != chan) {
      if (lo != 0xffffffffu) { atomicMin(&out[2u * chan], lo); atomicMax(&out[2u * chan + 1u], hi); }
      chan = c;
      lo = 0xffffffffu;
      hi = 0u;
    }
    let bits = select(src[i], src[i] & 0x7fffffffu, ABS);
    if (is_nonfinite(bits)) { continue; }
    let key = order_key(bits);
    lo = min(lo, key);
    hi = max(hi, key);
  }
  if (lo != 0xffffffffu) { atomicMin(&out[2u * chan], lo); atomicMax(&out[2u * chan + 1u], hi); }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn histogram_main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>,
                  @builtin(local_invocation_index) lid: u32) {
  let start = run_start(wid, nwg, lid);
  if (start >= params.count) { return; }
  let end = min(start + RUN, params.count);
  for (var i = start; i < end; i = i + 1u) {
    let bits = select(src[i], src[i] & 0x7fffffffu, ABS);
    if (is_nonfinite(bits)) { continue; }
    let c = channel_of(i);
    let scale = bitcast<f32>(ranges[c]);
    let base = params.channels + c * (BINS + 1u);
    let x = bitcast<f32>(bits);
    let lo = bitcast<f32>(ranges[base]);
    if (x < lo || x > bitcast<f32>(ranges[base + BINS])) { continue; }
    var b = min(u32(floor((x - lo) * scale)), BINS - 1u);
    loop {
      if (b > 0u && x < bitcast<f32>(ranges[base + b])) { b = b - 1u; } else { break; }
    }
    loop {
      if (b < BINS - 1u && x >= bitcast<f32>(ranges[base + b + 1u])) { b = b + 1u; } else { break; }
    }
    atomicAdd(&out[c * BINS + b], 1u);
  }
}
