// Gemm on bfloat16 as ONNX's reference computes it with numpy on ml_dtypes.bfloat16:
// o = np.dot(A, B) (float32 sums, rounded once to bfloat16) * alpha (a float32 scalar, so float32
// from here), o += C * beta (float32), and the result cast to bfloat16.
import { decodeSmallFloat, encodeSmallFloat } from '../dtypes/small-floats.js';
import { castRef } from '../shape-ops/cast.ref.js';
import type { Tensor } from '../tensor.js';

const round = (v: number) => decodeSmallFloat('bfloat16', encodeSmallFloat('bfloat16', v));
const f32 = Math.fround;

export interface GemmBf16Params {
  readonly alpha: number;
  readonly beta: number;
  readonly transA: boolean;
  readonly transB: boolean;
}

export function gemmBfloat16Ref(a: Tensor, b: Tensor, c: Tensor | undefined, p: GemmBf16Params): Tensor {
  if (a.dims.length !== 2 || b.dims.length !== 2) throw new Error('Gemm needs 2-D A and B');
  const A = castRef(a, 'float32').data as Float32Array;
  const B = castRef(b, 'float32').data as Float32Array;
  const [M, K] = p.transA ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
  const [K2, N] = p.transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
  if (K !== K2) throw new Error(`Gemm inner dims differ: ${K} and ${K2}`);
  const at = (i: number, k: number) => (p.transA ? A[k * M + i] : A[i * K + k]);
  const bt = (k: number, j: number) => (p.transB ? B[j * K + k] : B[k * N + j]);
  // C broadcasts one way to [M, N]: a scalar, [N], [1, N], [M, 1] or [M, N].
  const C = c && p.beta !== 0 ? (castRef(c, 'float32').data as Float32Array) : undefined;
  const cd = c ? [...new Array(2 - c.dims.length).fill(1), ...c.dims] : [1, 1];
  if (c && (c.dims.length > 2 || (cd[0] !== 1 && cd[0] !== M) || (cd[1] !== 1 && cd[1] !== N)))
    throw new Error(`Gemm C [${c.dims}] does not broadcast to [${M}, ${N}]`);
  const alpha = f32(p.alpha);
  const beta = f32(p.beta);
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let dot = 0;
      for (let k = 0; k < K; k++) dot += at(i, k) * bt(k, j);
      let o = f32(round(f32(dot)) * alpha);
      if (C) o = f32(o + f32(C[(cd[0] === 1 ? 0 : i) * cd[1] + (cd[1] === 1 ? 0 : j)] * beta));
      out[i * N + j] = o;
    }
  return castRef({ dtype: 'float64', dims: [M, N], data: out }, 'bfloat16');
}
