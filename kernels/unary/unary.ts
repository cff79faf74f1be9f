// Host for unary.wgsl: one pipeline per table op (unary.ref.ts), built from the op's WGSL
// expression. f32 only. Oracle: unary.ref.ts; tests: tests/gpu/float-unary-table.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { type UnaryName, unaryDef } from './unary.ref.js';

const WORKGROUP_SIZE = 64;

export interface UnaryTableParams {
  readonly op: UnaryName;
  readonly count: number;
  /** The op's attributes as the table orders them. */
  readonly a?: number;
  readonly b?: number;
}

/** y = op(x) elementwise over `count` f32 values; x and y must be different buffers. */
export async function prepareUnaryTable(
  ctx: GpuContext,
  x: GPUBuffer,
  y: GPUBuffer,
  p: UnaryTableParams,
): Promise<PreparedDispatch> {
  const pl = await getPipeline(ctx, {
    op: 'unary-table',
    params: { op: p.op, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => {
      const [math, body] = await Promise.all([
        loadWgsl(new URL('../gpu/wgsl/float-math.wgsl', import.meta.url)),
        loadWgsl(new URL('./unary.wgsl', import.meta.url)),
      ]);
      return {
        code: `${math}\n${body.replace('/*EXPR*/0.0', unaryDef(q.op).wgsl)}`,
        entryPoint: 'main',
        constants: { WORKGROUP_SIZE: q.workgroupSize },
      };
    },
  });
  // The special values come from the reference, computed with the f32 attributes the kernel sees.
  const def = unaryDef(p.op);
  const a = Math.fround(p.a ?? 0);
  const b = Math.fround(p.b ?? 0);
  const special = (v: number) => ({ f: def.f(v, a, b) });
  const uniform = uniformWords([
    p.count,
    special(Number.NaN),
    { f: a },
    { f: b },
    special(Number.POSITIVE_INFINITY),
    special(Number.NEGATIVE_INFINITY),
    0,
    0,
  ]);
  return prepareDispatch(
    ctx,
    `unary.${p.op}`,
    pl,
    { buffers: [x, y], uniform },
    elementGrid(ctx, p.count, WORKGROUP_SIZE),
  );
}
