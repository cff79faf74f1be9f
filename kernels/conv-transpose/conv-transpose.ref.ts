// Float ConvTranspose reference (ONNX ConvTranspose, opsets 1-22), written as the scatter that
// defines it: every input element adds x * W[c, m, k] to output position i*stride - pad + k*dilation.
// float32 replays onnxruntime's CPU order (GEMM + col2im, conv-transpose-mlas.ts) bit for bit;
// float16/float64 sums run in float64 and are rounded once.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { AutoPad } from '../conv2d/conv-geometry.js';
import { increment } from '../conv2d/conv2d.ref.js';
import type { Tensor } from '../tensor.js';
import { mlasConvTranspose } from './conv-transpose-mlas.js';

export interface ConvTransposeParams {
  readonly group?: number;
  readonly strides?: readonly number[];
  readonly dilations?: readonly number[];
  readonly pads?: readonly number[];
  readonly autoPad?: AutoPad;
  readonly outputPadding?: readonly number[];
  /** Spatial output shape (a full [N, C, ...] shape is accepted too); pads are then derived. */
  readonly outputShape?: readonly number[];
  readonly kernelShape?: readonly number[];
}

export interface ConvTransposeGeometry {
  readonly pads: number[];
  readonly outputSpatial: number[];
}

/**
 * Output size and pads as onnxruntime computes them (checked against onnxruntime-node 1.30):
 * with output_shape the total padding is full - output_shape, its larger half at the beginning
 * (at the end for SAME_UPPER); with SAME_* and no output_shape the target is in * stride, the total
 * padding is clamped at 0, so the output is min(full, in * stride).
 */
export function resolveConvTransposeGeometry(
  inputSpatial: readonly number[],
  kernelSpatial: readonly number[],
  p: ConvTransposeParams,
): ConvTransposeGeometry {
  const n = inputSpatial.length;
  const strides = p.strides?.length ? p.strides : new Array<number>(n).fill(1);
  const dilations = p.dilations?.length ? p.dilations : new Array<number>(n).fill(1);
  const adj = p.outputPadding?.length ? p.outputPadding : new Array<number>(n).fill(0);
  const autoPad = p.autoPad ?? 'NOTSET';
  let target: readonly number[] | undefined = p.outputShape?.length ? p.outputShape : undefined;
  if (target && target.length === n + 2) target = target.slice(2);
  if (target && target.length !== n)
    throw new Error(`output_shape [${target}] does not fit ${n} spatial axes`);
  const pads = p.pads?.length && autoPad === 'NOTSET' ? [...p.pads] : new Array<number>(2 * n).fill(0);
  if (pads.length !== 2 * n) throw new Error(`pads has ${pads.length} values, expected ${2 * n}`);
  const outputSpatial = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const full = (inputSpatial[i] - 1) * strides[i] + adj[i] + (kernelSpatial[i] - 1) * dilations[i] + 1;
    const out = target?.[i];
    if (out !== undefined || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      const total = Math.max(0, full - (out ?? inputSpatial[i] * strides[i]));
      const small = Math.floor(total / 2);
      pads[i] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[i + n] = total - pads[i];
      outputSpatial[i] = out ?? full - total;
    } else {
      outputSpatial[i] = full - pads[i] - pads[i + n];
    }
    if (outputSpatial[i] <= 0) throw new Error(`ConvTranspose output axis ${i} would be ${outputSpatial[i]}`);
  }
  return { pads, outputSpatial };
}

export function convTranspose(
  x: Tensor,
  w: Tensor,
  bias: Tensor | undefined,
  p: ConvTransposeParams = {},
  /** W is an initializer (onnxruntime prepacks it, which changes its float32 summation order). */
  opts: { constantW?: boolean } = {},
): Tensor {
  assertFloat(x, 'ConvTranspose X');
  assertFloat(w, 'ConvTranspose W');
  if (x.dims.length < 3 || w.dims.length !== x.dims.length) {
    throw new Error(
      `ConvTranspose needs X [N, C, spatial...] and W of the same rank, got [${x.dims}] and [${w.dims}]`,
    );
  }
  const group = p.group ?? 1;
  const [batch, channels] = x.dims;
  const [wChannels, outPerGroup] = w.dims;
  if (wChannels !== channels) throw new Error(`W has ${wChannels} input channels, X has ${channels}`);
  if (channels % group !== 0) throw new Error(`X channels ${channels} not divisible by group ${group}`);
  const outChannels = outPerGroup * group;
  const inputSpatial = x.dims.slice(2);
  const kernelSpatial = w.dims.slice(2);
  if (p.kernelShape?.length && p.kernelShape.join() !== kernelSpatial.join()) {
    throw new Error(`kernel_shape [${p.kernelShape}] differs from W spatial dims [${kernelSpatial}]`);
  }
  const n = inputSpatial.length;
  const strides = p.strides?.length ? p.strides : new Array<number>(n).fill(1);
  const dilations = p.dilations?.length ? p.dilations : new Array<number>(n).fill(1);
  const { pads, outputSpatial } = resolveConvTransposeGeometry(inputSpatial, kernelSpatial, p);
  const xs = readFloats(x);
  const ws = readFloats(w);
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const kSize = kernelSpatial.reduce((a, b) => a * b, 1);
  const outSize = outputSpatial.reduce((a, b) => a * b, 1);
  const inPerGroup = channels / group;
  // For each (input position, kernel position) pair, the output offset it lands on or -1.
  const target = new Int32Array(inSize * kSize).fill(-1);
  const i = new Array<number>(n).fill(0);
  for (let ii = 0; ii < inSize; ii++) {
    const k = new Array<number>(n).fill(0);
    for (let kk = 0; kk < kSize; kk++) {
      let flat = 0;
      let inside = true;
      for (let a = 0; a < n && inside; a++) {
        const o = i[a] * strides[a] - pads[a] + k[a] * dilations[a];
        if (o < 0 || o >= outputSpatial[a]) inside = false;
        flat = flat * outputSpatial[a] + o;
      }
      if (inside) target[ii * kSize + kk] = flat;
      increment(k, kernelSpatial);
    }
    increment(i, inputSpatial);
  }
  if (x.dtype === 'float32' && w.dtype === 'float32' && (!bias || bias.dtype === 'float32')) {
    const bs = bias ? (readFloats(bias) as Float32Array) : undefined;
    if (bs && bs.length !== outChannels)
      throw new Error(`ConvTranspose B must have ${outChannels} values, got ${bs.length}`);
    const shape = { batch, group, inPerGroup, outPerGroup, inSize, kSize, outSize, target };
    const y = mlasConvTranspose(xs as Float32Array, ws as Float32Array, bs, shape, opts.constantW === true);
    return { dtype: 'float32', dims: [batch, outChannels, ...outputSpatial], data: y };
  }
  const y = new Float64Array(batch * outChannels * outSize);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const g = Math.floor(c / inPerGroup);
      const xBase = (b * channels + c) * inSize;
      for (let m = 0; m < outPerGroup; m++) {
        const yBase = (b * outChannels + g * outPerGroup + m) * outSize;
        const wBase = (c * outPerGroup + m) * kSize;
        for (let ii = 0; ii < inSize; ii++) {
          const xv = xs[xBase + ii];
          for (let kk = 0; kk < kSize; kk++) {
            const o = target[ii * kSize + kk];
            if (o >= 0) y[yBase + o] += xv * ws[wBase + kk];
          }
        }
      }
    }
  }
  if (bias) {
    const bs = readFloats(bias);
    if (bs.length !== outChannels)
      throw new Error(`ConvTranspose B must have ${outChannels} values, got ${bs.length}`);
    for (let b = 0; b < batch; b++)
      for (let m = 0; m < outChannels; m++) {
        const base = (b * outChannels + m) * outSize;
        for (let q = 0; q < outSize; q++) y[base + q] += bs[m];
      }
  }
  return floatTensor(x.dtype, [batch, outChannels, ...outputSpatial], y);
}
