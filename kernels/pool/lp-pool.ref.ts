// LpPool: y = (sum over the window of |x|^p)^(1/p), with the windows of MaxPool / AveragePool
// (pool.ref.ts poolWindows: auto_pad, pads, strides, dilations and ceil_mode from opset 18);
// padding adds nothing. Float64 throughout, rounded once.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import type { Tensor } from '../tensor.js';
import { type PoolParams, poolWindows } from './pool.ref.js';

export function lpPool(x: Tensor, params: PoolParams, p: number): Tensor {
  assertFloat(x, 'LpPool X');
  if (x.dims.length !== params.kernelShape.length + 2)
    throw new Error(`LpPool X [${x.dims}] does not match kernel_shape [${params.kernelShape}]`);
  const [batch, channels] = x.dims;
  const inputSpatial = x.dims.slice(2);
  const inSize = inputSpatial.reduce((a, b) => a * b, 1);
  const w = poolWindows(inputSpatial, params);
  const outSize = w.outputSpatial.reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const ys = new Float64Array(batch * channels * outSize);
  for (let plane = 0; plane < batch * channels; plane++) {
    const base = plane * inSize;
    for (let q = 0; q < outSize; q++) {
      let acc = 0;
      for (let t = w.start[q]; t < w.start[q + 1]; t++) acc += Math.abs(xs[base + w.offsets[t]]) ** p;
      ys[plane * outSize + q] = acc ** (1 / p);
    }
  }
  return floatTensor(x.dtype, [batch, channels, ...w.outputSpatial], ys);
}
