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
 * For every output spatial position, the (kernel offset, input offset) pairs whose input position
 * lies inside the (unpadded) input. Padding contributes zeros, so those taps are simply absent.
 * Flattening both spaces keeps the inner loop the same for 1-D, 2-D and 3-D.
 */
export interface WindowTaps {
  /** taps of output position p are kernelOffsets/inputOffsets[start[p] .. start[p+1]). */
  readonly start: Int32Array;
  readonly kernelOffsets: Int32Array;
  readonly inputOffsets: Int32Array;
}

export function windowTaps(
  inputSpatial: readonly number[],
  kernelSpatial: readonly number[],
  geo: ConvGeometry,
): WindowTaps {
  const n = inputSpatial.length;
  const outSize = geo.outputSpatial.reduce((a, b) => a * b, 1);
  const kSize = kernelSpatial.reduce((a, b) => a * b, 1);
  const inStrides = rowMajorStrides(inputSpatial);
  const start = new Int32Array(outSize + 1);
  const kOff: number[] = [];
  const iOff: number[] = [];
  const o = new Array<number>(n).fill(0);
  const k = new Array<number>(n).fill(0);
  for (let p = 0; p < outSize; p++) {
    start[p] = kOff.length;
    k.fill(0);
    for (let kk = 0; kk < kSize; kk++) {
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
        kOff.push(kk);
        iOff.push(flat);
      }
      increment(k, kernelSpatial);
    }
    increment(o, geo.outputSpatial);
  }
  start[outSize] = kOff.length;
  return { start, kernelOffsets: Int32Array.from(kOff), inputOffsets: Int32Array.from(iOff) };
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
  const taps = windowTaps(inputSpatial, kernelSpatial, geo);
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
      const yBase = (b * outChannels + m) * outSize;
      for (let q = 0; q < outSize; q++) {
        let acc = bs ? bs[m] : 0;
        const t0 = taps.start[q];
        const t1 = taps.start[q + 1];
        for (let c = 0; c < groupChannels; c++) {
          const xBase = (b * channels + g * groupChannels + c) * inSize;
          const wBase = (m * groupChannels + c) * kSize;
          for (let t = t0; t < t1; t++)
            acc += xs[xBase + taps.inputOffsets[t]] * ws[wBase + taps.kernelOffsets[t]];
        }
        y[yBase + q] = acc;
      }
    }
  }
  return floatTensor(x.dtype, [batch, outChannels, ...geo.outputSpatial], y);
}
