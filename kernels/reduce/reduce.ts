// Host for reduce.wgsl: the reduction table's ops (reduce.ref.ts) on f32, any axes, keepdims and
// noop forms (the geometry is reduce.ref.ts's). Tests: tests/gpu/float-reduce.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { stridesOf } from '../shape-ops/axes.js';
import {
  REDUCE_TABLE,
  type ReduceAxes,
  type ReduceDef,
  type ReduceName,
  reduceGeometry,
} from './reduce.ref.js';

const WORKGROUP_SIZE = 64;

/** The WGSL of one op: a max pass when it needs the group's max, then its accumulation. */
function body(def: ReduceDef): { maxPass: string; body: string } {
  const w = def.wgsl;
  const maxPass = w.needsMax
    ? 'for (var r = 1u; r < n; r++) { let v = x[base + offset_of(r, 1)]; m = select(m, v, v > m); }'
    : '';
  const first = w.init === 'first';
  const loop = `for (var r = ${first ? '1u' : '0u'}; r < n; r++) { let v = x[base + offset_of(r, 1)]; acc = ${w.step}; }`;
  const init = first ? 'x[base + offset_of(0u, 1)]' : w.init;
  // An infinite or NaN max is the answer itself (LogSumExp of -inf values is -inf).
  const result = w.needsMax ? `select(m, ${w.final}, is_finite_f32(m))` : w.final;
  return { maxPass, body: `var acc: f32 = ${init}; ${loop} y[o] = ${result};` };
}

/** A dispatch reducing x (dims) into y; undefined when a reduced axis is empty (left to the CPU). */
export async function prepareReduce(
  ctx: GpuContext,
  xBuf: GPUBuffer,
  yBuf: GPUBuffer,
  op: ReduceName,
  dims: readonly number[],
  p: ReduceAxes,
): Promise<PreparedDispatch | undefined> {
  const { reduced } = reduceGeometry(dims, p);
  const redCount = dims.reduce((s, d, i) => (reduced[i] ? s * d : s), 1);
  const outCount = dims.reduce((s, d, i) => (reduced[i] ? s : s * d), 1);
  if (redCount === 0 || outCount === 0) return undefined;
  const strides = stridesOf(dims);
  const table = Int32Array.from(dims.flatMap((d, i) => [d, strides[i], reduced[i] ? 1 : 0]));
  const pl = await getPipeline(ctx, {
    op: 'reduce',
    params: { op, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => {
      const [math, src] = await Promise.all([
        loadWgsl(new URL('../gpu/wgsl/float-math.wgsl', import.meta.url)),
        loadWgsl(new URL('./reduce.wgsl', import.meta.url)),
      ]);
      const b = body(REDUCE_TABLE[q.op as ReduceName]);
      return {
        code: `${math}\n${src.replace('//MAX_PASS', b.maxPass).replace('//BODY', b.body)}`,
        entryPoint: 'main',
        constants: { WORKGROUP_SIZE: q.workgroupSize },
      };
    },
  });
  return prepareDispatch(
    ctx,
    `reduce.${op}`,
    pl,
    { buffers: [xBuf, yBuf], uniform: uniformWords([outCount, redCount, dims.length, 0]), table },
    elementGrid(ctx, outCount, WORKGROUP_SIZE),
  );
}
