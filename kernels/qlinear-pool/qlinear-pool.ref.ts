// com.microsoft QLinearAveragePool and QLinearGlobalAveragePool with onnxruntime CPU's arithmetic.
//
// QLinearAveragePool (contrib qlinear_pool.cc) works in f32, not in integers:
//   x_f[i] = f32(xs * (x[i] - zx))                  (every input dequantized first)
//   sum    = f32 running sum over the window, in row-major window order (h, then w, then d)
//   avg    = f32(sum / count)   count = prod(kernel) with count_include_pad, else the number of
//                                       window positions inside the input
//   y      = clamp(int32(nearbyintf(f32(f32(avg / ys) + zy))), qmin, qmax)
// Note the zero point is added BEFORE rounding (unlike QuantizeLinear), and a NaN (an empty window)
// converts to INT32_MIN, so qmin. Windows are clipped to the input: end = min(start + k, size),
// start = max(start, 0); ceil_mode and auto_pad only change how many windows there are.
// When the kernel covers the whole input and there is no padding, onnxruntime runs the global
// pool below instead (integer arithmetic), so this reference does too.
//
// QLinearGlobalAveragePool (MLAS qlgavgpool.cpp + MlasRequantizeOutput):
//   acc   = sum(x) - zx * imageSize                 (exact int32)
//   scale = f32(xs / f32(ys * f32(imageSize)))       (MLAS rejects scale < 2^-32 or >= 256)
//   y     = clamp(roundHalfEven(f32(f32(acc) * scale)) + zy, qmin, qmax)
// channels_last moves C to the last axis for both ops (NHWC input and output).
import { type AutoPad, resolveConvGeometry } from '../conv2d/conv-geometry.js';
import { cvtF32ToInt32 } from '../qlinear-elementwise/qlinear-elementwise.ref.js';
import { clamp, roundHalfEven } from '../quant-math/quant-math.js';

type QData = Int8Array | Uint8Array;

interface QPoolCommon {
  readonly x: QData;
  /** As stored: [N, C, ...spatial], or [N, ...spatial, C] when channelsLast. */
  readonly xDims: readonly number[];
  readonly channelsLast?: boolean;
  readonly xScale: number;
  readonly xZeroPoint: number;
  readonly yScale: number;
  readonly yZeroPoint: number;
}

export interface QLinearAveragePoolParams extends QPoolCommon {
  readonly kernelShape: readonly number[];
  readonly strides?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly ceilMode?: boolean;
  readonly countIncludePad?: boolean;
}

export interface QPoolResult {
  readonly data: QData;
  readonly dims: number[];
}

function qRangeOf(x: QData): [number, number] {
  return x instanceof Int8Array ? [-128, 127] : [0, 255];
}

/** Splits stored dims into N, C and spatial, whatever the layout. */
function layout(dims: readonly number[], channelsLast: boolean) {
  if (dims.length < 3) throw new Error(`pool input needs rank >= 3, got [${dims}]`);
  const n = dims[0];
  const c = channelsLast ? dims[dims.length - 1] : dims[1];
  const spatial = channelsLast ? dims.slice(1, -1) : dims.slice(2);
  return { n, c, spatial };
}

function storedDims(n: number, c: number, spatial: readonly number[], channelsLast: boolean): number[] {
  return channelsLast ? [n, ...spatial, c] : [n, c, ...spatial];
}

/** Index of (n, c, flat spatial position p) in a tensor of `size` positions per image. */
function indexOf(n: number, c: number, p: number, channels: number, size: number, channelsLast: boolean) {
  return channelsLast ? (n * size + p) * channels + c : (n * channels + c) * size + p;
}

/** MLAS's check and scale: f32(xs / f32(ys * f32(imageSize))). */
export function globalPoolScale(xScale: number, yScale: number, imageSize: number): number {
  if (imageSize >= 0x1000000) throw new Error('QLinearGlobalAveragePool image size too large');
  const scale = Math.fround(Math.fround(xScale) / Math.fround(Math.fround(yScale) * Math.fround(imageSize)));
  if (!(scale >= 2 ** -32 && scale < 256)) {
    throw new Error(
      `QLinearGlobalAveragePool scale ${scale} (x_scale / (y_scale * ${imageSize})) is out of range`,
    );
  }
  return scale;
}

export function qlinearGlobalAveragePool(p: QPoolCommon): QPoolResult {
  const channelsLast = p.channelsLast ?? false;
  const { n, c, spatial } = layout(p.xDims, channelsLast);
  const size = spatial.reduce((a, b) => a * b, 1);
  const scale = globalPoolScale(p.xScale, p.yScale, size);
  const [qmin, qmax] = qRangeOf(p.x);
  const out = p.x instanceof Int8Array ? new Int8Array(n * c) : new Uint8Array(n * c);
  const bias = -p.xZeroPoint * size;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      let acc = bias;
      for (let q = 0; q < size; q++) acc += p.x[indexOf(b, ch, q, c, size, channelsLast)];
      const v = roundHalfEven(Math.fround(Math.fround(acc | 0) * scale));
      out[b * c + ch] = clamp(v + p.yZeroPoint, qmin, qmax);
    }
  }
  return {
    data: out,
    dims: storedDims(
      n,
      c,
      spatial.map(() => 1),
      channelsLast,
    ),
  };
}

/** Per axis, the clipped [start, end) of every output position along it. */
function windowBounds(inSize: number, outSize: number, k: number, stride: number, padBegin: number) {
  const start = new Int32Array(outSize);
  const end = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const s = o * stride - padBegin;
    end[o] = Math.min(s + k, inSize);
    start[o] = Math.max(s, 0);
  }
  return { start, end };
}

export function qlinearAveragePool(p: QLinearAveragePoolParams): QPoolResult {
  const channelsLast = p.channelsLast ?? false;
  const { n, c, spatial } = layout(p.xDims, channelsLast);
  const rank = spatial.length;
  if (p.kernelShape.length !== rank)
    throw new Error(`kernel_shape has ${p.kernelShape.length} axes, input ${rank}`);
  if (rank > 3) throw new Error('QLinearAveragePool supports 1-D, 2-D and 3-D pooling');
  // onnxruntime's PoolAttributes rejects such pads (a window could then lie wholly in padding)
  const pads = p.pads ?? [];
  if (pads.some((v, i) => v >= p.kernelShape[i % rank]))
    throw new Error('pads must be smaller than the kernel');
  const geo = resolveConvGeometry({
    inputSpatial: spatial,
    kernelSpatial: p.kernelShape,
    strides: p.strides,
    pads: p.pads,
    autoPad: p.autoPad,
    ceilMode: p.ceilMode,
  });
  const coversInput = spatial.every((s, i) => s === p.kernelShape[i]) && geo.pads.every((v) => v === 0);
  if (coversInput) return qlinearGlobalAveragePool(p);

  // Dequantized input (onnxruntime dequantizes the whole tensor first, with the same formula).
  const xs = Math.fround(p.xScale);
  const xf = new Float32Array(p.x.length);
  for (let i = 0; i < xf.length; i++) xf[i] = Math.fround(xs * ((p.x[i] - p.xZeroPoint) | 0));

  const inSize = spatial.reduce((a, b) => a * b, 1);
  const outSpatial = geo.outputSpatial;
  const outSize = outSpatial.reduce((a, b) => a * b, 1);
  const bounds = spatial.map((s, i) =>
    windowBounds(s, outSpatial[i], p.kernelShape[i], geo.strides[i], geo.pads[i]),
  );
  const inStride = spatial.map((_, i) => spatial.slice(i + 1).reduce((a, b) => a * b, 1));
  const kernelSize = p.kernelShape.reduce((a, b) => a * b, 1);
  const ys = Math.fround(p.yScale);
  const [qmin, qmax] = qRangeOf(p.x);
  const out = p.x instanceof Int8Array ? new Int8Array(n * c * outSize) : new Uint8Array(n * c * outSize);
  const o = new Array<number>(rank).fill(0);
  const pos = new Array<number>(rank).fill(0);
  for (let q = 0; q < outSize; q++) {
    // decompose q into per-axis output coordinates
    let rem = q;
    for (let a = rank - 1; a >= 0; a--) {
      o[a] = rem % outSpatial[a];
      rem = Math.floor(rem / outSpatial[a]);
    }
    const lo = o.map((v, a) => bounds[a].start[v]);
    const hi = o.map((v, a) => bounds[a].end[v]);
    let count = 1;
    for (let a = 0; a < rank; a++) count *= hi[a] - lo[a];
    const divisor = p.countIncludePad ? kernelSize : count;
    for (let b = 0; b < n; b++) {
      for (let ch = 0; ch < c; ch++) {
        let sum = 0;
        if (count > 0) {
          for (let a = 0; a < rank; a++) pos[a] = lo[a];
          for (;;) {
            let flat = 0;
            for (let a = 0; a < rank; a++) flat += pos[a] * inStride[a];
            sum = Math.fround(sum + xf[indexOf(b, ch, flat, c, inSize, channelsLast)]);
            // next window position, last axis fastest (onnxruntime's loop order)
            let a = rank - 1;
            for (; a >= 0; a--) {
              if (++pos[a] < hi[a]) break;
              pos[a] = lo[a];
            }
            if (a < 0) break;
          }
        }
        const avg = Math.fround(sum / divisor);
        const v = cvtF32ToInt32(Math.fround(Math.fround(avg / ys) + p.yZeroPoint));
        out[indexOf(b, ch, q, c, outSize, channelsLast)] = clamp(v, qmin, qmax);
      }
    }
  }
  return { data: out, dims: storedDims(n, c, outSpatial, channelsLast) };
}
