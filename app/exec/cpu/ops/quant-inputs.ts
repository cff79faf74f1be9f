// Reading the inputs of quantized ops: scalar scales/zero points and 8-bit operands.
import type { Int8Data } from '../../../../kernels/quant-math/accumulator.js';
import { type Tensor, toNumbers } from '../../../../kernels/tensor.js';
import { ModelError } from '../../../model/errors.js';

/** The value of a one-element tensor (scalar or [1]); `fallback` for an omitted one. */
export function scalarOf(t: Tensor | undefined, what: string, fallback = 0): number {
  if (!t) return fallback;
  if (t.data.length !== 1) throw new ModelError(`${what} must be a scalar, got [${t.dims}]`);
  return toNumbers(t)[0];
}

export function int8Input(t: Tensor, what: string): Int8Data {
  if (t.dtype !== 'int8' && t.dtype !== 'uint8')
    throw new ModelError(`${what} must be int8 or uint8, got ${t.dtype}`);
  return t.data as Int8Data;
}
