// Host for matmul.wgsl: MatMul (numpy batching and 1-D promotion) and Gemm (transA/B, alpha,
// beta, unidirectionally broadcast C) as one tiled f32 GEMM, with an optional fused Relu / Clip.
// Oracle: matmul.ref.ts; tests: tests/gpu/float-matmul.test.ts.

import { broadcastIndexMap, broadcastShapes } from '../broadcast/broadcast.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { type PreparedDispatch, prepareDispatch, uniformWords } from '../gpu-float/float-dispatch.js';

/** A fused activation applied to each output (the executor folds a following Relu / Clip). */
export type FusedFloatActivation =
  | { readonly kind: 'none' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'clip'; readonly min: number; readonly max: number };

export const ACTIVATION_CODE = { none: 0, relu: 1, clip: 2 } as const;

/** Invocations per workgroup; each computes TM rows x 4 columns (see matmul.wgsl). */
const WG = 64;
const COLS = 4;

export interface MatMulGpuParams {
  readonly aDims: readonly number[];
  readonly bDims: readonly number[];
  /** Gemm only (2-D A and B). */
  readonly transA?: boolean;
  readonly transB?: boolean;
  readonly alpha?: number;
  readonly beta?: number;
  /** Dims of C when a C buffer is given (rank <= 2, broadcast to [M, N]). */
  readonly cDims?: readonly number[];
  readonly activation?: FusedFloatActivation;
}

export interface MatMulShape {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly dims: number[];
  /** Per output batch: A and B element offsets. */
  readonly batchOffsets: Int32Array;
}

/** Output dims and batch table of a MatMul / Gemm (throws on mismatched shapes). */
export function matmulShape(p: MatMulGpuParams): MatMulShape {
  if (p.aDims.length === 0 || p.bDims.length === 0) throw new Error('MatMul inputs must have rank >= 1');
  const aDims = p.aDims.length === 1 ? [1, p.aDims[0]] : [...p.aDims];
  const bDims = p.bDims.length === 1 ? [p.bDims[0], 1] : [...p.bDims];
  const [ar, ac] = aDims.slice(-2);
  const [br, bc] = bDims.slice(-2);
  const [m, k] = p.transA ? [ac, ar] : [ar, ac];
  const [k2, n] = p.transB ? [bc, br] : [br, bc];
  if (k !== k2) throw new Error(`MatMul inner dimensions differ: [${p.aDims}] x [${p.bDims}]`);
  const aBatch = aDims.slice(0, -2);
  const bBatch = bDims.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const aMap = broadcastIndexMap(aBatch, batch);
  const bMap = broadcastIndexMap(bBatch, batch);
  const batchOffsets = new Int32Array(2 * aMap.length);
  for (let i = 0; i < aMap.length; i++) {
    batchOffsets[2 * i] = aMap[i] * m * k;
    batchOffsets[2 * i + 1] = bMap[i] * k * n;
  }
  const dims = [...batch];
  if (p.aDims.length > 1) dims.push(m);
  if (p.bDims.length > 1) dims.push(n);
  return { m, n, k, dims, batchOffsets };
}

function cStrides(cDims: readonly number[], m: number, n: number): [number, number] {
  if (cDims.length > 2) throw new Error(`Gemm C must have rank <= 2, got [${cDims}]`);
  const full = [...new Array(2 - cDims.length).fill(1), ...cDims];
  if ((full[0] !== 1 && full[0] !== m) || (full[1] !== 1 && full[1] !== n))
    throw new Error(`Gemm C [${cDims}] does not broadcast to [${m},${n}]`);
  return [full[0] === 1 ? 0 : full[1], full[1] === 1 ? 0 : 1];
}

/** y = act(alpha * op(A) op(B) + beta * C); `c` may be undefined. Returns the output dims too. */
export async function prepareMatMul(
  ctx: GpuContext,
  a: GPUBuffer,
  b: GPUBuffer,
  c: GPUBuffer | undefined,
  y: GPUBuffer,
  p: MatMulGpuParams,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const shape = matmulShape(p);
  // beta = 0 ignores C entirely (its NaNs too), like the reference.
  if ((p.beta ?? 1) === 0) c = undefined;
  const act = p.activation ?? { kind: 'none' };
  const batches = shape.batchOffsets.length / 2;
  if (batches > ctx.limits.maxComputeWorkgroupsPerDimension)
    throw new Error(`MatMul: ${batches} batches exceed the dispatch limit`);
  const [cRow, cCol] = c ? cStrides(p.cDims ?? [], shape.m, shape.n) : [0, 0];
  const { m, n, k } = shape;
  // B as vec4 along n needs every batch's B window to start on a vec4.
  let bVec = !p.transB && n % 4 === 0;
  for (let i = 1; i < shape.batchOffsets.length; i += 2) bVec &&= shape.batchOffsets[i] % 4 === 0;
  const entry = bVec ? 'mm_b4' : 'mm_scalar';
  const tm = Math.min(4, Math.max(1, m));
  const pipeline = await getPipeline(ctx, {
    op: `matmul.${entry}`,
    params: { entry, wg: WG, tm, act: ACTIVATION_CODE[act.kind] },
    build: async (q) => ({
      code: await loadWgsl(new URL('./matmul.wgsl', import.meta.url)),
      entryPoint: q.entry,
      constants: { WG: q.wg, TM: q.tm, ACT: q.act },
    }),
  });
  const uniform = uniformWords([
    m,
    n,
    k,
    c ? 1 : 0,
    p.transA ? 1 : k,
    p.transA ? m : 1,
    p.transB ? 1 : n,
    p.transB ? k : 1,
    cRow,
    cCol,
    { f: p.alpha ?? 1 },
    { f: p.beta ?? 1 },
    { f: act.kind === 'clip' ? act.min : 0 },
    { f: act.kind === 'clip' ? act.max : 0 },
    0,
    0,
  ]);
  const rowBlocks = Math.ceil(m / tm);
  if (rowBlocks > ctx.limits.maxComputeWorkgroupsPerDimension)
    throw new Error(`MatMul: ${m} rows exceed the dispatch limit`);
  const dispatch = prepareDispatch(
    ctx,
    'matmul',
    pipeline,
    { buffers: [a, b, c ?? a, y], uniform, table: shape.batchOffsets },
    [Math.ceil(Math.ceil(n / COLS) / WG), rowBlocks, batches],
  );
  return { dispatch, dims: shape.dims };
}
