// Float MatMul (numpy matmul semantics) and Gemm references. float32 replays onnxruntime's x86
// MLAS SGEMM arithmetic bit for bit (see the MLAS section below); float16/float64 sum in float64
// and round once at the end.
import { assertFloat, floatTensor, readFloats } from '../activation/float-io.js';
import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import type { Tensor } from '../tensor.js';

/**
 * numpy.matmul: a 1-D A is promoted to [1, K] and a 1-D B to [K, 1] (the added axis is removed
 * from the result); leading (batch) axes broadcast.
 */
export interface OrtGemmOptions {
  /** B is a constant initializer, which onnxruntime prepacks (fixed 256-deep K blocks). */
  readonly constantB?: boolean;
}

export function matmul(a: Tensor, b: Tensor, opts: OrtGemmOptions = {}): Tensor {
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
  const outDims = [...batch];
  if (a.dims.length > 1) outDims.push(m);
  if (b.dims.length > 1) outDims.push(n);
  // A 1-D B takes another onnxruntime path whose order is not replayed here (rare in models).
  if (a.dtype === 'float32' && b.dtype === 'float32' && b.dims.length > 1) {
    const y = new Float32Array(batchCount * m * n);
    const base = {
      transA: false,
      transB: false,
      k,
      alpha: 1,
      a: as as Float32Array,
      lda: k,
      b: bs as Float32Array,
    };
    const gemm = { ...base, n, ldb: n, beta: 0, c: y, ldc: n };
    if (bBatch.length === 0) {
      // onnxruntime folds A's batch axes into M when B is a single matrix: one GEMM.
      mlasGemm({ ...gemm, m: batchCount * m, aOff: 0, bOff: 0, cOff: 0 }, { packedB: opts.constantB });
    } else {
      for (let p = 0; p < batchCount; p++) {
        const tile = { ...gemm, m, aOff: aMap[p] * m * k, bOff: bMap[p] * k * n, cOff: p * m * n };
        mlasGemm(tile, { batchCount, packedB: opts.constantB });
      }
    }
    return { dtype: 'float32', dims: outDims, data: y };
  }
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
  return floatTensor(a.dtype, outDims, y);
}

export interface GemmParams {
  readonly alpha?: number;
  readonly beta?: number;
  readonly transA?: boolean;
  readonly transB?: boolean;
}

/** Y = alpha * op(A) @ op(B) + beta * C, C broadcast unidirectionally to [M, N]. */
export function gemm(
  a: Tensor,
  b: Tensor,
  c: Tensor | undefined,
  p: GemmParams = {},
  opts: OrtGemmOptions = {},
): Tensor {
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
  if (a.dtype === 'float32' && b.dtype === 'float32' && (!c || c.dtype === 'float32')) {
    // onnxruntime copies C broadcast into Y, then MLAS computes alpha*AB + beta*Y (beta 0 without C).
    const y = new Float32Array(m * n);
    if (cs && cMap) for (let i = 0; i < y.length; i++) y[i] = cs[cMap[i]];
    const call = {
      transA: !!p.transA,
      transB: !!p.transB,
      m,
      n,
      k,
      alpha,
      a: as as Float32Array,
      aOff: 0,
      lda: a.dims[1],
      b: bs as Float32Array,
      bOff: 0,
      ldb: b.dims[1],
      beta: cs ? beta : 0,
      c: y,
      cOff: 0,
      ldc: n,
    };
    mlasGemm(call, { packedB: opts.constantB });
    return { dtype: 'float32', dims: [m, n], data: y };
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

// ---------------------------------------------------------------------------------------------
// onnxruntime x86-64 float32 arithmetic (MLAS SGEMM as onnxruntime 1.30 runs it on an AVX512F
// host with 2 intra-op threads). On the QDQ "disabled" path (DequantizeLinear -> float op ->
// QuantizeLinear) an int8 output only matches onnxruntime when the float result is bit-identical,
// and that depends on MLAS's summation order, so float32 MatMul/Gemm/Conv replay it:
// - MlasSgemmOperation splits K into blocks (StrideK 128, shrunk when N >= K so K fits one block,
//   doubled up to 1024 when N is small); each block sums from +0 with one FMA per k in order
//   (AVX512F kernel), then the first block stores acc*alpha when beta == 0 and later blocks (or
//   beta != 0) store fma(acc, alpha, C). beta other than 0/1 first scales C (one f32 multiply).
// - M == 1 (alpha 1, beta 0/1, A not transposed) uses the AVX "M1" kernels instead: B not
//   transposed: K in groups of 4, ((p0+p1)+p2)+p3 with separately rounded products, added to C;
//   B transposed: 8 lanes of mul-then-add over k, reduced in a fixed tree that depends on the
//   row's position in groups of 4/2/1. N == 1 with unit strides is the same with A and B swapped.
// - Threads (MlasGemmBatch) split N (in 16-column blocks) when N > M, else M; the split changes
//   the N each MlasSgemmOperation sees, hence StrideK and the M1 choice. A prepacked constant B
//   (onnxruntime prepacks constant MatMul/Gemm weights) uses fixed 256-deep K blocks, no M1 path.
// FMA is emulated as Math.fround(acc + a * b) computed in float64: a*b of two float32 values is
// exact in float64, but the float64 add rounds once before fround rounds again; that double
// rounding differs from a true FMA only when the float64 sum lands exactly on a float32 tie,
// which random data essentially never hits.

const STRIDE_K = 128;
const PACKED_STRIDE_K = 256;
const THREAD_ALIGN_N = 16;
const THREAD_COMPLEXITY = 64 * 1024;
const MAX_THREADS = 16;
/** onnxruntime-node's default intra-op thread pool on this 2-core host. */
export const ORT_INTRA_OP_THREADS = 2;

/** One MLAS GEMM call: C[m x n] (row stride ldc) = alpha * op(A) op(B) + beta * C. */
export interface MlasGemmCall {
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly alpha: number;
  readonly a: Float32Array;
  readonly aOff: number;
  readonly lda: number;
  readonly b: Float32Array;
  readonly bOff: number;
  readonly ldb: number;
  readonly beta: number;
  readonly c: Float32Array;
  readonly cOff: number;
  readonly ldc: number;
}

const fr = Math.fround;

/** MlasSgemmKernelM1Avx: C[j] (+)= sum_k A[k] B[k, j], K in groups of 4, mul then add. */
function kernelM1(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  c: Float32Array,
  cOff: number,
  k: number,
  n: number,
  zero: boolean,
): void {
  let t = 0;
  for (; t + 4 <= k; t += 4) {
    const a0 = a[aOff + t],
      a1 = a[aOff + t + 1],
      a2 = a[aOff + t + 2],
      a3 = a[aOff + t + 3];
    const r0 = bOff + t * ldb,
      r1 = r0 + ldb,
      r2 = r1 + ldb,
      r3 = r2 + ldb;
    for (let j = 0; j < n; j++) {
      const s = fr(fr(fr(fr(a0 * b[r0 + j]) + fr(a1 * b[r1 + j])) + fr(a2 * b[r2 + j])) + fr(a3 * b[r3 + j]));
      c[cOff + j] = s + (zero ? 0 : c[cOff + j]);
    }
    zero = false;
  }
  if (k - t >= 2) {
    const a0 = a[aOff + t],
      a1 = a[aOff + t + 1];
    const r0 = bOff + t * ldb,
      r1 = r0 + ldb;
    for (let j = 0; j < n; j++)
      c[cOff + j] = fr(fr(a0 * b[r0 + j]) + fr(a1 * b[r1 + j])) + (zero ? 0 : c[cOff + j]);
    zero = false;
    t += 2;
  }
  if (t < k) {
    const a0 = a[aOff + t];
    const r0 = bOff + t * ldb;
    for (let j = 0; j < n; j++) c[cOff + j] = fr(a0 * b[r0 + j]) + (zero ? 0 : c[cOff + j]);
  }
}

/** MlasSgemmKernelM1TransposeBAvx: C[j] (+)= dot(A, row j of B), 8 lanes, fixed reduction tree. */
function kernelM1TransposeB(
  a: Float32Array,
  aOff: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  c: Float32Array,
  cOff: number,
  k: number,
  n: number,
  zero: boolean,
): void {
  const x = new Float32Array(8);
  const n4 = n - (n % 4);
  for (let j = 0; j < n; j++) {
    x.fill(0);
    const row = bOff + j * ldb;
    for (let t = 0; t < k; t++) x[t & 7] += fr(a[aOff + t] * b[row + t]);
    // Rows go in blocks of 4, then 2, then 1, each with its own horizontal-add shape.
    let s: number;
    if (j < n4) s = fr(fr(fr(fr(x[0] + x[1]) + x[2]) + x[3]) + fr(fr(fr(x[4] + x[5]) + x[6]) + x[7]));
    else if (n % 4 >= 2 && j < n4 + 2)
      s = fr(fr(fr(x[0] + x[2]) + fr(x[4] + x[6])) + fr(fr(x[1] + x[3]) + fr(x[5] + x[7])));
    else s = fr(fr(fr(x[0] + x[1]) + fr(x[2] + x[3])) + fr(fr(x[4] + x[5]) + fr(x[6] + x[7])));
    c[cOff + j] = s + (zero ? 0 : c[cOff + j]);
  }
}

/** Columns of C computed together: four accumulator rows of this length stay in L1. */
const TILE_N = 512;

/**
 * The AVX512F kernel over K blocks: per block acc = sequential FMAs from +0, then into C. Each
 * element's arithmetic is that order exactly; for speed four rows of C share each loaded row of B
 * and the columns go in tiles (neither changes any element's sequence of operations).
 */
function blockedKernel(g: MlasGemmCall, strideK: number): void {
  const { m, n, k, a, b, c } = g;
  const alpha = fr(g.alpha);
  const beta = fr(g.beta);
  // op(B) rows contiguous (copy when transposed, so the inner loop runs along memory).
  let bRows = b;
  let bOff = g.bOff;
  let ldb = g.ldb;
  if (g.transB) {
    bRows = new Float32Array(k * n);
    for (let j = 0; j < n; j++) for (let t = 0; t < k; t++) bRows[t * n + j] = b[g.bOff + j * g.ldb + t];
    bOff = 0;
    ldb = n;
  }
  const aRow = g.transA ? 1 : g.lda;
  const aCol = g.transA ? g.lda : 1;
  if (beta !== 0 && beta !== 1)
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) c[g.cOff + i * g.ldc + j] = fr(c[g.cOff + i * g.ldc + j] * beta);
  const tile = Math.min(TILE_N, n);
  const acc = [
    new Float32Array(tile),
    new Float32Array(tile),
    new Float32Array(tile),
    new Float32Array(tile),
  ];
  const av = new Float64Array(4);
  for (let i0 = 0; i0 < m; i0 += 4) {
    const rows = Math.min(4, m - i0);
    for (let k0 = 0; k0 < k; k0 += strideK) {
      const k1 = Math.min(k, k0 + strideK);
      const zero = beta === 0 && k0 === 0;
      for (let j0 = 0; j0 < n; j0 += tile) {
        const w = Math.min(tile, n - j0);
        for (let r = 0; r < rows; r++) acc[r].fill(0);
        const [acc0, acc1, acc2, acc3] = acc;
        for (let t = k0; t < k1; t++) {
          for (let r = 0; r < rows; r++) av[r] = a[g.aOff + (i0 + r) * aRow + t * aCol];
          const a0 = av[0];
          const a1 = av[1];
          const a2 = av[2];
          const a3 = av[3];
          const row = bOff + t * ldb + j0;
          if (rows === 4)
            for (let j = 0; j < w; j++) {
              const bv = bRows[row + j];
              acc0[j] += a0 * bv;
              acc1[j] += a1 * bv;
              acc2[j] += a2 * bv;
              acc3[j] += a3 * bv;
            }
          else
            for (let r = 0; r < rows; r++) {
              const ar = av[r];
              const accR = acc[r];
              for (let j = 0; j < w; j++) accR[j] += ar * bRows[row + j];
            }
        }
        for (let r = 0; r < rows; r++) {
          const accR = acc[r];
          const cRow = g.cOff + (i0 + r) * g.ldc + j0;
          if (zero) for (let j = 0; j < w; j++) c[cRow + j] = accR[j] * alpha;
          else for (let j = 0; j < w; j++) c[cRow + j] = accR[j] * alpha + c[cRow + j];
        }
      }
    }
  }
}

/** MlasSgemmOperation: one thread's GEMM, with its M == 1 / N == 1 shortcuts and K blocking. */
export function mlasSgemmOperation(g: MlasGemmCall): void {
  const unitAlpha = fr(g.alpha) === 1;
  const beta = fr(g.beta);
  const simpleBeta = beta === 0 || beta === 1;
  if (g.m === 1 && !g.transA && unitAlpha && simpleBeta) {
    const kernel = g.transB ? kernelM1TransposeB : kernelM1;
    kernel(g.a, g.aOff, g.b, g.bOff, g.ldb, g.c, g.cOff, g.k, g.n, beta === 0);
    return;
  }
  if (g.n === 1 && g.ldb === 1 && g.ldc === 1 && unitAlpha && simpleBeta) {
    const kernel = g.transA ? kernelM1 : kernelM1TransposeB;
    kernel(g.b, g.bOff, g.a, g.aOff, g.lda, g.c, g.cOff, g.k, g.m, beta === 0);
    return;
  }
  blockedKernel(g, sgemmStrideK(g.n, g.k, g.transA));
}

/** MlasSgemmOperation's K stride for a slice of N columns. */
export function sgemmStrideK(n: number, k: number, transA = false): number {
  let strideN = 128;
  let strideK = STRIDE_K;
  if (n >= k) {
    while (strideK / 2 >= k) strideK /= 2;
  } else if (!transA) {
    while (strideN > 16 && strideN / 2 >= n) {
      strideK *= 2;
      strideN /= 2;
    }
  }
  return strideK;
}

/** MlasPartitionWork: [start, count) of `total` for thread `id` of `threads`. */
function partition(id: number, threads: number, total: number): [number, number] {
  const per = Math.floor(total / threads);
  const extra = total % threads;
  return id < extra ? [(per + 1) * id, per + 1] : [per * id + extra, per];
}

/**
 * MlasGemm / MlasGemmBatch for one of `batchCount` GEMMs: the thread split, then each thread's
 * MlasSgemmOperation (or the prepacked-B operation when B is a constant onnxruntime prepacked).
 */
export function mlasGemm(
  g: MlasGemmCall,
  opts: { batchCount?: number; packedB?: boolean; threads?: number } = {},
): void {
  const { m, n, k } = g;
  const complexity = m * n * k;
  let target =
    complexity < THREAD_COMPLEXITY * MAX_THREADS
      ? Math.floor(complexity / THREAD_COMPLEXITY) + 1
      : MAX_THREADS;
  target = Math.min(target, opts.threads ?? ORT_INTRA_OP_THREADS);
  let perGemm = Math.ceil(target / (opts.batchCount ?? 1));
  let countM = 1;
  let countN = 1;
  if (n > m) {
    perGemm = Math.min(perGemm, Math.ceil(n / THREAD_ALIGN_N));
    countN = perGemm;
  } else {
    perGemm = Math.min(perGemm, m);
    countM = perGemm;
  }
  const blockedN = Math.ceil(n / THREAD_ALIGN_N);
  for (let tid = 0; tid < perGemm; tid++) {
    const [m0, mc] = partition(Math.floor(tid / countN), countM, m);
    const [nb0, nbc] = partition(tid % countN, countN, blockedN);
    const n0 = nb0 * THREAD_ALIGN_N;
    const nc = Math.min(n - n0, nbc * THREAD_ALIGN_N);
    if (mc <= 0 || nc <= 0) continue;
    const tile: MlasGemmCall = {
      ...g,
      m: mc,
      n: nc,
      aOff: g.aOff + m0 * (g.transA ? 1 : g.lda),
      bOff: g.bOff + n0 * (g.transB ? g.ldb : 1),
      cOff: g.cOff + m0 * g.ldc + n0,
    };
    if (opts.packedB) blockedKernel(tile, PACKED_STRIDE_K);
    else mlasSgemmOperation(tile);
  }
}
