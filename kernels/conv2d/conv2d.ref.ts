// Float Conv reference (ONNX Conv, opsets 1-22): 1-D, 2-D and 3-D, groups (depthwise included),
// strides, dilations, explicit pads or auto_pad. Sums run in float64 and are rounded once.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';
import { type AutoPad, type ConvGeometry, resolveConvGeometry, rowMajorStrides } from './conv-geometry.js';

export interface ConvParams {
  readonly group?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  /** If given, must agree with W's spatial dims. */
  readonly kernelShape?: readonly number[];
}

/**
 * For every kernel position, the (output offset, input offset) pairs where that tap reads inside
 * the (unpadded) input. Padding contributes zeros, so those taps are simply absent. Grouping by
 * kernel position lets the inner loop run over output positions with one weight held fixed, and
 * flattening both spaces keeps it the same for 1-D, 2-D and 3-D.
 */
export interface KernelTaps {
  /** pairs of kernel position k: outputOffsets/inputOffsets[start[k] .. start[k+1]). */
  readonly start: Int32Array;
  readonly outputOffsets: Int32Array;
  readonly inputOffsets: Int32Array;
}

export function kernelTaps(
  inputSpatial: readonly number[],
  kernelSpatial: readonly number[],
  geo: ConvGeometry,
): KernelTaps {
  const n = inputSpatial.length;
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const kSize = kernelSpatial.reduce((a, b) => a * b, 1);
  const inStrides = rowMajorStrides(inputSpatial);
  const start = new Int32Array(kSize + 1);
  const outOff: number[] = [];
  const inOff: number[] = [];
  const k = new Array<number>(n).fill(0);
  const o = new Array<number>(n).fill(0);
  for (let kk = 0; kk < kSize; kk++) {
    start[kk] = outOff.length;
    o.fill(0);
    for (let p = 0; p < outSize; p++) {
      let inside = true;
      let flat = 0;
      for (let a = 0; a < n; a++) {
        const x = o[a] * geo.strides[a] - geo.pads[a] + k[a] * geo.dilations[a];
        if (x < 0 || x >= inputSpatial[a]) {
          inside = false;
          break;
        }
        flat += x * inStrides[a];
      }
      if (inside) {
        outOff.push(p);
        inOff.push(flat);
      }
      increment(o, geo.outputSpatial);
    }
    increment(k, kernelSpatial);
  }
  start[kSize] = outOff.length;
  return { start, outputOffsets: Int32Array.from(outOff), inputOffsets: Int32Array.from(inOff) };
}

/** Advances a row-major multi-index in place. */
export function increment(idx: number[], dims: readonly number[]): void {
  for (let a = idx.length - 1; a >= 0; a--) {
    if (++idx[a] < dims[a]) return;
    idx[a] = 0;
  }
}

export function conv(x: Tensor, w: Tensor, bias: Tensor | undefined, p: ConvParams = {}): Tensor {
  assertFloat(x, 'Conv X');
  assertFloat(w, 'Conv W');
  if (x.dims.length < 3) throw new Error(`Conv X must be [N, C, spatial...], got [${x.dims}]`);
  if (w.dims.length !== x.dims.length)
    throw new Error(`Conv W rank ${w.dims.length} differs from X rank ${x.dims.length}`);
  const group = p.group ?? 1;
  const [batch, channels] = x.dims;
  const [outChannels, groupChannels] = w.dims;
  const inputSpatial = x.dims.slice(2);
  const kernelSpatial = w.dims.slice(2);
  if (p.kernelShape && p.kernelShape.join() !== kernelSpatial.join()) {
    throw new Error(`kernel_shape [${p.kernelShape}] differs from W spatial dims [${kernelSpatial}]`);
  }
  if (channels !== groupChannels * group) {
    throw new Error(`X has ${channels} channels, W expects ${groupChannels} x group ${group}`);
  }
  if (outChannels % group !== 0)
    throw new Error(`W has ${outChannels} output channels, not divisible by group ${group}`);
  if (bias && (bias.dims.length !== 1 || bias.dims[0] !== outChannels)) {
    throw new Error(`Conv B must be [${outChannels}], got [${bias.dims}]`);
  }
  const geo = resolveConvGeometry({ inputSpatial, kernelSpatial, ...p });
  const taps = kernelTaps(inputSpatial, kernelSpatial, geo);
  const xs = readFloats(x);
  const ws = readFloats(w);
  const bs = bias ? readFloats(bias) : undefined;
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const kSize = kernelSpatial.reduce((a, b) => a * b, 1);
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const outPerGroup = outChannels / group;
  const y = new Float64Array(batch * outChannels * outSize);
  for (let b = 0; b < batch; b++) {
    for (let m = 0; m < outChannels; m++) {
      const g = Math.floor(m / outPerGroup);
      const plane = y.subarray((b * outChannels + m) * outSize, (b * outChannels + m + 1) * outSize);
      if (bs) plane.fill(bs[m]);
      for (let c = 0; c < groupChannels; c++) {
        const xBase = (b * channels + g * groupChannels + c) * inSize;
        const wBase = (m * groupChannels + c) * kSize;
        for (let kk = 0; kk < kSize; kk++) {
          const wv = ws[wBase + kk];
          const t1 = taps.start[kk + 1];
          for (let t = taps.start[kk]; t < t1; t++)
            plane[taps.outputOffsets[t]] += wv * xs[xBase + taps.inputOffsets[t]];
        }
      }
    }
  }
  return floatTensor(x.dtype, [batch, outChannels, ...geo.outputSpatial], y);
}
