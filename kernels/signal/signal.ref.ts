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

/**
 * DFT (opsets 17, 20) as numpy.fft: input [..., 1 or 2] (real, or interleaved real/imaginary)
 * transformed along `axis`, cropped or zero-padded to `length`; forward (onesided: the first
 * length / 2 + 1 bins), inverse (scaled by 1 / length) or, inverse and onesided, the real signal
 * of a Hermitian spectrum (numpy.fft.irfft). Output [..., 2] ([..., 1] for irfft). float64 sums.
 */
export function dftRef(
  x: Tensor,
  axisIn: number,
  length: number | undefined,
  inverse: boolean,
  onesided: boolean,
): Tensor {
  const rank = x.dims.length;
  const axis = ((axisIn % rank) + rank) % rank;
  if (axis === rank - 1) throw new Error('DFT axis cannot be the last (real/imaginary) axis');
  const comps = x.dims[rank - 1];
  if (comps !== 1 && comps !== 2) throw new Error(`DFT input's last dim must be 1 or 2, got ${comps}`);
  const inLen = x.dims[axis];
  const irfft = inverse && onesided;
  const n = length ?? (irfft ? 2 * (inLen - 1) : inLen);
  if (!(n >= 1)) throw new Error(`DFT length must be positive, got ${n}`);
  const outLen = irfft ? n : onesided ? Math.floor(n / 2) + 1 : n;
  const outComps = irfft ? 1 : 2;
  const outer = x.dims.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = x.dims.slice(axis + 1, rank - 1).reduce((a, b) => a * b, 1);
  const xs = readFloats(x);
  const out = new Float64Array(outer * outLen * inner * outComps);
  // How many input samples take part: irfft reads n / 2 + 1 bins, the others n samples.
  const used = irfft ? Math.floor(n / 2) + 1 : n;
  const re = new Float64Array(used);
  const im = new Float64Array(used);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      re.fill(0);
      im.fill(0);
      for (let m = 0; m < Math.min(used, inLen); m++) {
        const at = ((o * inLen + m) * inner + j) * comps;
        re[m] = xs[at];
        im[m] = comps === 2 ? xs[at + 1] : 0;
      }
      for (let k = 0; k < outLen; k++) {
        let sr = 0;
        let si = 0;
        if (irfft) {
          // Hermitian extension: X[n - k] = conj(X[k]); DC and Nyquist imaginary parts ignored.
          for (let m = 0; m < n; m++) {
            const b = m <= n / 2 ? m : n - m;
            const xr = b < used ? re[b] : 0;
            let xi = b < used ? im[b] : 0;
            if (m > n / 2) xi = -xi;
            if (b === 0 || (n % 2 === 0 && b === n / 2)) xi = 0;
            const ang = (2 * Math.PI * k * m) / n;
            sr += xr * Math.cos(ang) - xi * Math.sin(ang);
          }
          out[((o * outLen + k) * inner + j) * outComps] = sr / n;
          continue;
        }
        const sign = inverse ? 1 : -1;
        for (let m = 0; m < n; m++) {
          const ang = (sign * 2 * Math.PI * ((k * m) % n)) / n;
          const c = Math.cos(ang);
          const s = Math.sin(ang);
          sr += re[m] * c - im[m] * s;
          si += re[m] * s + im[m] * c;
        }
        const at = ((o * outLen + k) * inner + j) * outComps;
        out[at] = inverse ? sr / n : sr;
        out[at + 1] = inverse ? si / n : si;
      }
    }
  const dims = [...x.dims];
  dims[axis] = outLen;
  dims[rank - 1] = outComps;
  return floatTensor(x.dtype, dims, out);
}
