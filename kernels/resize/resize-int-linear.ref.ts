// Bilinear Resize of 8/16/32-bit integer tensors as onnxruntime's CPU kernel computes it
// (UpsampleBilinear, NCHW): per axis the source coordinate in float32 (resize.ref.ts), clamped;
// the two neighbours x1 = trunc(x), x2 = min(x1 + 1, len - 1); weights d1 = |x - x1| and
// d2 = |x - x2| in float32, both 0.5 where x1 = x2; then, in float32 and in this order,
//   y = d2x*d2y*X11 + d1x*d2y*X21 + d2x*d1y*X12 + d1x*d1y*X22
// truncated toward zero to the integer type (a C++ static_cast, so no rounding and no clamp is
// needed: the sum stays within the inputs' range). 2-D inputs, and 4-D ones whose two outer axes
// are not resized, as onnxruntime allows; tf_crop_and_resize writes extrapolation_value outside.
import { allocData, type Tensor } from '../tensor.js';
import {
  type CoordinateTransformationMode,
  originalCoordinate,
  type ResizeParams,
  resizeOutputShape,
} from './resize.ref.js';

const f = Math.fround;

interface Axis {
  readonly i1: Int32Array;
  readonly i2: Int32Array;
  readonly d1: Float32Array;
  readonly d2: Float32Array;
  readonly outside: Uint8Array;
}

function axis(
  inLen: number,
  outLen: number,
  scale: number,
  ctm: CoordinateTransformationMode,
  roi: [number, number],
): Axis {
  const a: Axis = {
    i1: new Int32Array(outLen),
    i2: new Int32Array(outLen),
    d1: new Float32Array(outLen),
    d2: new Float32Array(outLen),
    outside: new Uint8Array(outLen),
  };
  for (let o = 0; o < outLen; o++) {
    let x = scale === 1 ? o : originalCoordinate(ctm, o, scale, inLen, outLen, roi[0], roi[1]);
    if (ctm === 'tf_crop_and_resize' && (x < 0 || x > inLen - 1)) a.outside[o] = 1;
    x = f(Math.max(0, Math.min(x, inLen - 1)));
    const x1 = Math.min(Math.trunc(x), inLen - 1);
    const x2 = Math.min(x1 + 1, inLen - 1);
    a.i1[o] = x1;
    a.i2[o] = x2;
    a.d1[o] = x1 === x2 ? 0.5 : Math.abs(f(x - x1));
    a.d2[o] = x1 === x2 ? 0.5 : Math.abs(f(x - x2));
  }
  return a;
}

/** onnxruntime's integer bilinear Resize; throws for what onnxruntime's kernel does not take. */
export function resizeIntegerLinear(x: Tensor, p: ResizeParams): Tensor {
  const rank = x.dims.length;
  const { dims, scales } = resizeOutputShape(x.dims, p);
  if (rank !== 2 && !(rank === 4 && scales[0] === 1 && scales[1] === 1))
    throw new Error(
      `Resize mode 'linear' on ${x.dtype} takes 2-D tensors or 4-D ones resized on the last two axes`,
    );
  const ctm = p.coordinateTransformationMode ?? 'half_pixel';
  const [inH, inW] = x.dims.slice(-2);
  const [outH, outW] = dims.slice(-2);
  const resized = (p.axes ?? x.dims.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  const roiFor = (a: number): [number, number] => {
    const j = resized.indexOf(a);
    if (!p.roi?.length || j < 0) return [0, 1];
    return [p.roi[j], p.roi[j + resized.length]];
  };
  const ay = axis(inH, outH, scales[rank - 2], ctm, roiFor(rank - 2));
  const ax = axis(inW, outW, scales[rank - 1], ctm, roiFor(rank - 1));
  const planes = rank === 4 ? x.dims[0] * x.dims[1] : 1;
  const xs = x.data as ArrayLike<number>;
  const out = allocData(x.dtype, planes * outH * outW) as Int32Array;
  const extrapolation = Math.trunc(f(p.extrapolationValue ?? 0));
  for (let c = 0; c < planes; c++) {
    const src = c * inH * inW;
    const dst = c * outH * outW;
    for (let y = 0; y < outH; y++) {
      const r1 = src + ay.i1[y] * inW;
      const r2 = src + ay.i2[y] * inW;
      for (let xo = 0; xo < outW; xo++) {
        if (ay.outside[y] || ax.outside[xo]) {
          out[dst + y * outW + xo] = extrapolation;
          continue;
        }
        const x11 = xs[r1 + ax.i1[xo]];
        const x21 = xs[r1 + ax.i2[xo]];
        const x12 = xs[r2 + ax.i1[xo]];
        const x22 = xs[r2 + ax.i2[xo]];
        const d2x = ax.d2[xo];
        const d1x = ax.d1[xo];
        const d2y = ay.d2[y];
        const d1y = ay.d1[y];
        let sum = f(f(d2x * d2y) * x11);
        sum = f(sum + f(f(d1x * d2y) * x21));
        sum = f(sum + f(f(d2x * d1y) * x12));
        sum = f(sum + f(f(d1x * d1y) * x22));
        out[dst + y * outW + xo] = Math.trunc(sum);
      }
    }
  }
  return { dtype: x.dtype, dims, data: out };
}
