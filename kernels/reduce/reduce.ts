// Host for reduce.wgsl: the reduction table's ops (reduce.ref.ts) on f32, any axes, keepdims and
// noop forms (the geometry is reduce.ref.ts's), and ReduceMean in onnxruntime's f32 order
// (reduce-mean.wgsl, bit-exact with reduce-mean.ref.ts). Tests: tests/gpu/float-reduce.test.ts,
// tests/gpu/reduce-mean.test.ts.
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
import { ortReduceMeanPath } from './reduce-mean.ref.js';
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
  return reduceDispatch(ctx, xBuf, yBuf, op, dims, reduced, 0, []);
}

/** ReduceMean's paths as reduce-mean.wgsl numbers them (0 is the table ops'). */
const MEAN_MODES = { all: 1, copy: 2, rows: 3, r1kr2: 4, k1rk2: 5, rowMajor: 6 } as const;

/**
 * ReduceMean of f32 x (dims) into y, bit-exact with reduce-mean.ref.ts's float32 path; undefined
 * (left to the CPU) for an empty input or a count above 2^24 (not exact in f32, where the
 * reference divides by the exact count).
 */
export async function prepareReduceMean(
  ctx: GpuContext,
  xBuf: GPUBuffer,
  yBuf: GPUBuffer,
  dims: readonly number[],
  p: ReduceAxes,
): Promise<PreparedDispatch | undefined> {
  const { reduced } = reduceGeometry(dims, p);
  const count = dims.reduce((s, d, i) => (reduced[i] ? s * d : s), 1);
  if (count > 2 ** 24) return undefined;
  const { kind, fast } = ortReduceMeanPath(dims, reduced);
  const words = [0, 1, 2].map((i) => fast[i] ?? 1);
  return reduceDispatch(ctx, xBuf, yBuf, 'ReduceMean', dims, reduced, MEAN_MODES[kind], words);
}

async function reduceDispatch(
  ctx: GpuContext,
  xBuf: GPUBuffer,
  yBuf: GPUBuffer,
  op: ReduceName | 'ReduceMean',
  dims: readonly number[],
  reduced: readonly boolean[],
  mode: number,
  extra: readonly number[],
): Promise<PreparedDispatch | undefined> {
  const redCount = dims.reduce((s, d, i) => (reduced[i] ? s * d : s), 1);
  const outCount = dims.reduce((s, d, i) => (reduced[i] ? s : s * d), 1);
  if (redCount === 0 || outCount === 0) return undefined;
  const table = Int32Array.from([...reduceAxesTable(dims, reduced), ...extra]);
  const pl = await getPipeline(ctx, {
    op: 'reduce',
    params: { op, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => {
      const [math, src] = await Promise.all([
        loadWgsl(new URL('../gpu/wgsl/float-math.wgsl', import.meta.url)),
        reduceAxesWgsl(new URL('./reduce.wgsl', import.meta.url)),
      ]);
      if (q.op === 'ReduceMean') {
        const [div, mean] = await Promise.all([
          loadWgsl(new URL('../gpu/wgsl/div-nearest.wgsl', import.meta.url)),
          loadWgsl(new URL('./reduce-mean.wgsl', import.meta.url)),
        ]);
        return {
          code: `${math}\n${div}\n${mean}\n${src.replace('//MAX_PASS', '').replace('//BODY', 'y[o] = reduce_mean(o, base);')}`,
          entryPoint: 'main',
          constants: { WORKGROUP_SIZE: q.workgroupSize },
        };
      }
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
    { buffers: [xBuf, yBuf], uniform: uniformWords([outCount, redCount, dims.length, mode]), table },
    elementGrid(ctx, outCount, WORKGROUP_SIZE),
  );
}

/**
 * The axes table reduce.wgsl and mvn.wgsl bind (reduce-axes.wgsl walks it): per input axis its
 * dim, element stride and whether it is reduced (1) or kept (0).
 */
export function reduceAxesTable(dims: readonly number[], reduced: readonly boolean[]): number[] {
  const strides = stridesOf(dims);
  return dims.flatMap((d, i) => [d, strides[i], reduced[i] ? 1 : 0]);
}

/** A kernel that binds that table, with reduce-axes.wgsl (offset_of) appended. */
export async function reduceAxesWgsl(source: URL): Promise<string> {
  const [kernel, axes] = await Promise.all([
    loadWgsl(source),
    loadWgsl(new URL('./reduce-axes.wgsl', import.meta.url)),
  ]);
  return `${kernel}\n${axes}`;
}
