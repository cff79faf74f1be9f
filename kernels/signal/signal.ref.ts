// Window functions (HannWindow, HammingWindow, BlackmanWindow, opset 17: periodic or symmetric,
// any output type) and Det (the determinant of each trailing [M, M] matrix, by LU decomposition
// with partial pivoting in float64), as ONNX's reference.
import { floatTensor, readFloats } from '../activation/float-io.js';
import { allocData, type DType, isBigIntDType, type Tensor } from '../tensor.js';

export type WindowKind = 'hann' | 'hamming' | 'blackman';

export function windowRef(kind: WindowKind, size: number, periodic: boolean, dtype: DType): Tensor {
  if (!(size >= 0) || !Number.isInteger(size))
    throw new Error(`window size must be a non-negative integer, got ${size}`);
  const N = periodic ? size : size - 1;
  const v = new Float64Array(size);
  for (let n = 0; n < size; n++) {
    if (kind === 'hann') v[n] = Math.sin((n * Math.PI) / N) ** 2;
    else if (kind === 'hamming') v[n] = 25 / 46 - Math.cos((n * Math.PI * 2) / N) * (21 / 46);
    else v[n] = 0.42 - 0.5 * Math.cos((n * Math.PI * 2) / N) + 0.08 * Math.cos((n * Math.PI * 4) / N);
  }
  if (dtype === 'float32' || dtype === 'float64' || dtype === 'float16') return floatTensor(dtype, [size], v);
  const out = allocData(dtype, size);
  for (let i = 0; i < size; i++)
    (out as unknown as (number | bigint)[])[i] = isBigIntDType(dtype)
      ? BigInt(Math.trunc(v[i]))
      : Math.trunc(v[i]);
  return { dtype, dims: [size], data: out };
}

export function detRef(x: Tensor): Tensor {
  const rank = x.dims.length;
  if (rank < 2 || x.dims[rank - 1] !== x.dims[rank - 2])
    throw new Error(`Det needs [..., M, M] matrices, got [${x.dims}]`);
  const m = x.dims[rank - 1];
  const batch = x.dims.slice(0, -2);
  const count = batch.reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const out = new Float64Array(count);
  const a = new Float64Array(m * m);
  for (let k = 0; k < count; k++) {
    a.set(xs.subarray(k * m * m, (k + 1) * m * m));
    let det = 1;
    for (let c = 0; c < m; c++) {
      let p = c;
      for (let r = c + 1; r < m; r++) if (Math.abs(a[r * m + c]) > Math.abs(a[p * m + c])) p = r;
      if (a[p * m + c] === 0) {
        det = 0;
        break;
      }
      if (p !== c) {
        for (let j = 0; j < m; j++) [a[c * m + j], a[p * m + j]] = [a[p * m + j], a[c * m + j]];
        det = -det;
      }
      det *= a[c * m + c];
      for (let r = c + 1; r < m; r++) {
        const f = a[r * m + c] / a[c * m + c];
        for (let j = c; j < m; j++) a[r * m + j] -= f * a[c * m + j];
      }
    }
    out[k] = det;
  }
  return floatTensor(x.dtype, batch, out);
}
