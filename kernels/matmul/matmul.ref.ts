// Float MatMul (numpy matmul semantics) and Gemm references. Dot products run in float64 and
// are rounded once at the end.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import type { Tensor } from '../tensor.js';

/**
 * numpy.matmul: a 1-D A is promoted to [1, K] and a 1-D B to [K, 1] (the added axis is removed
 * from the result); leading (batch) axes broadcast.
 */
export function matmul(a: Tensor, b: Tensor): Tensor {
  assertFloat(a, 'MatMul A');
  assertFloat(b, 'MatMul B');
  if (a.dims.length === 0 || b.dims.length === 0) throw new Error('MatMul inputs must have rank >= 1');
  const aDims = a.dims.length === 1 ? [1, a.dims[0]] : [...a.dims];
  const bDims = b.dims.length === 1 ? [b.dims[0], 1] : [...b.dims];
  const [m, k] = aDims.slice(-2);
  const [k2, n] = bDims.slice(-2);
  if (k !== k2) throw new Error(`MatMul inner dimensions differ: [${a.dims}] x [${b.dims}]`);
  const aBatch = aDims.slice(0, -2);
  const bBatch = bDims.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const batchCount = batch.reduce((x, y) => x * y, 1);
  const aMap = broadcastIndexMap(aBatch, batch);
  const bMap = broadcastIndexMap(bBatch, batch);
  const as = readFloats(a);
  const bs = readFloats(b);
  const y = new Float64Array(batchCount * m * n);
  for (let p = 0; p < batchCount; p++) {
    const aBase = aMap[p] * m * k;
    const bBase = bMap[p] * k * n;
    const yBase = p * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let acc = 0;
        for (let t = 0; t < k; t++) acc += as[aBase + i * k + t] * bs[bBase + t * n + j];
        y[yBase + i * n + j] = acc;
      }
    }
  }
  const outDims = [...batch];
  if (a.dims.length > 1) outDims.push(m);
  if (b.dims.length > 1) outDims.push(n);
  return floatTensor(a.dtype, outDims, y);
}

export interface GemmParams {
  readonly alpha?: number;
  readonly beta?: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
}

/** Y = alpha * op(A) @ op(B) + beta * C, C broadcast unidirectionally to [M, N]. */
export function gemm(a: Tensor, b: Tensor, c: Tensor | undefined, p: GemmParams = {}): Tensor {
  assertFloat(a, 'Gemm A');
  assertFloat(b, 'Gemm B');
  if (a.dims.length !== 2 || b.dims.length !== 2)
    throw new Error(`Gemm needs 2-D A and B, got [${a.dims}] and [${b.dims}]`);
  const alpha = p.alpha ?? 1;
  const beta = p.beta ?? 1;
  const [m, k] = p.transA ? [a.dims[1], a.dims[0]] : [a.dims[0], a.dims[1]];
  const [k2, n] = p.transB ? [b.dims[1], b.dims[0]] : [b.dims[0], b.dims[1]];
  if (k !== k2) throw new Error(`Gemm inner dimensions differ: op(A) is [${m},${k}], op(B) is [${k2},${n}]`);
  const as = readFloats(a);
  const bs = readFloats(b);
  // A[i,t] sits at i*k+t, or t*m+i when transposed; likewise B.
  const aRow = p.transA ? 1 : k;
  const aCol = p.transA ? m : 1;
  const bRow = p.transB ? 1 : n;
  const bCol = p.transB ? k : 1;
  let cMap: Int32Array | undefined;
  let cs: Float32Array | Float64Array | undefined;
  if (c && beta !== 0) {
    if (c.dims.length > 2) throw new Error(`Gemm C must have rank <= 2, got [${c.dims}]`);
    const outDims = [m, n];
    if (broadcastShapes(c.dims, outDims).join() !== outDims.join()) {
      throw new Error(`Gemm C [${c.dims}] does not broadcast to [${m},${n}]`);
    }
    cMap = broadcastIndexMap(c.dims, outDims);
    cs = readFloats(c);
  }
  const y = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += as[i * aRow + t * aCol] * bs[t * bRow + j * bCol];
      // alpha and beta are float32 in the model; each product is one f32 operation in onnxruntime.
      let v = alpha * acc;
      if (cs && cMap) v += beta * cs[cMap[i * n + j]];
      y[i * n + j] = v;
    }
  }
  return floatTensor(a.dtype, [m, n], y);
}
