// Shared by gather-runtime.test.ts and gather-nd.test.ts: random data of every dtype the WebGPU
// executor keeps on the GPU, index tensors, and the message the CPU interpreter fails with.
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { randomTensor } from '../unit/tensor-oracle.helper.js';

export type DataType = 'float32' | 'int32' | 'uint32' | 'uint8' | 'int8' | 'bool' | 'int64';

export function dataOf(r: () => number, dtype: DataType, dims: number[]): Tensor {
  if (dtype === 'float32') return randomTensor(r, dtype, dims, -1e4, 1e4);
  if (dtype === 'uint8') return randomTensor(r, dtype, dims, 0, 255);
  if (dtype === 'int8') return randomTensor(r, dtype, dims, -128, 127);
  if (dtype === 'uint32') return randomTensor(r, dtype, dims, 0, 2 ** 32 - 1);
  if (dtype === 'bool') return randomTensor(r, dtype, dims, 0, 1);
  if (dtype === 'int64') return randomTensor(r, dtype, dims, -(2 ** 50), 2 ** 50);
  return randomTensor(r, dtype, dims, -(2 ** 31), 2 ** 31 - 1);
}

export function indicesOf(dtype: 'int32' | 'int64', dims: number[], values: number[]): Tensor {
  return dtype === 'int64' ? int64Tensor(dims, values) : makeTensor('int32', dims, values);
}

/** The message the CPU interpreter fails with, or undefined. */
export function cpuError(model: Uint8Array, feeds: Map<string, Tensor>): string | undefined {
  try {
    new CpuInterpreter(decodeModel(model)).runSync(feeds);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}
