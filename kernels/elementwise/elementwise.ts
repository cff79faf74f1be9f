// Host for elementwise.wgsl: unary activations / math and broadcasting binary math on f32
// (Cast int32 -> float32 rides along as a unary op). Oracles: elementwise.ref.ts and
// activation/activation.ref.ts; tests: tests/gpu/float-elementwise.test.ts.

import { broadcastShapes, broadcastStrides } from '../broadcast/broadcast.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';

export const UNARY_OPS = {
  Relu: 0,
  Clip: 1,
  LeakyRelu: 2,
  Sigmoid: 3,
  HardSigmoid: 4,
  HardSwish: 5,
  Tanh: 6,
  Erf: 7,
  Sqrt: 8,
  Identity: 9,
  Neg: 10,
  Abs: 11,
  Exp: 12,
  Log: 13,
  Reciprocal: 14,
  CastInt32ToFloat32: 15,
} as const;
export type UnaryOp = keyof typeof UNARY_OPS;

/** 'PowSquare' / 'PowCube': onnxruntime's x*x and x*x*x shortcut for a scalar exponent of 2 / 3. */
export const BINARY_OPS = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, PowSquare: 5, PowCube: 6 } as const;
export type BinaryOp = keyof typeof BINARY_OPS;

const WORKGROUP_SIZE = 64;
const SOURCE = new URL('./elementwise.wgsl', import.meta.url);
const MATH = new URL('../gpu/wgsl/float-math.wgsl', import.meta.url);

function pipeline(ctx: GpuContext, entry: 'unary_main' | 'binary_main', op: number) {
  return getPipeline(ctx, {
    op: `elementwise.${entry}`,
    params: { entry, op, workgroupSize: WORKGROUP_SIZE },
    build: async (p) => ({
      code: `${await loadWgsl(MATH)}\n${await loadWgsl(SOURCE)}`,
      entryPoint: p.entry,
      constants: { OP: p.op, WORKGROUP_SIZE: p.workgroupSize },
    }),
  });
}

export interface UnaryParams {
  readonly op: UnaryOp;
  readonly count: number;
  /** Clip min, LeakyRelu/HardSigmoid alpha. */
  readonly alpha?: number;
  /** Clip max, HardSigmoid beta. */
  readonly beta?: number;
}

/** y = op(x) elementwise over `count` 32-bit words; x and y must be different buffers (WebGPU). */
export async function prepareUnary(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: UnaryParams,
): Promise<PreparedDispatch> {
  const pl = await pipeline(ctx, 'unary_main', UNARY_OPS[p.op]);
  const uniform = uniformWords([p.count, 0, { f: p.alpha ?? 0 }, { f: p.beta ?? 0 }]);
  return prepareDispatch(
    ctx,
    `elementwise.${p.op}`,
    pl,
    { buffers: [x, y], uniform },
    elementGrid(ctx, p.count, WORKGROUP_SIZE),
  );
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

export interface BinaryParams {
  readonly op: BinaryOp;
  readonly aDims: readonly number[];
  readonly bDims: readonly number[];
}

/** y = a (op) b with numpy broadcasting; returns the output dims too. */
export async function prepareBinary(
  ctx: GpuContext,
  a: GPUBuffer,
  b: GPUBuffer,
  y: GPUBuffer,
  p: BinaryParams,
): Promise<{ dispatch: PreparedDispatch; dims: number[] }> {
  const dims = broadcastShapes(p.aDims, p.bDims);
  const count = dims.reduce((s, d) => s * d, 1);
  const plain = sameDims(p.aDims, dims) && sameDims(p.bDims, dims);
  const rank = plain ? 0 : dims.length;
  const table = plain
    ? new Int32Array(1)
    : Int32Array.from([...dims, ...broadcastStrides(p.aDims, dims), ...broadcastStrides(p.bDims, dims)]);
  const pl = await pipeline(ctx, 'binary_main', BINARY_OPS[p.op]);
  const uniform = uniformWords([count, rank, 0, 0]);
  const dispatch = prepareDispatch(
    ctx,
    `elementwise.${p.op}`,
    pl,
    { buffers: [a, b, y], uniform, table },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
  return { dispatch, dims };
}
