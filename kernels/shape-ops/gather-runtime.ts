// Host for gather-runtime.wgsl: Gather of 8- or 32-bit data along any axis with int32 or int64
// indices that live on the GPU (fed, or computed by a GPU kernel): the token-embedding lookup that
// opens every language model. An out-of-range index cannot stop a GPU kernel: the kernel leaves the
// first bad position and its value in an error word (kernels/gpu/error-word.ts) read after the run,
// so the caller fails the run with the CPU reference's message, never with a wrong answer. int64
// data is passed as 32-bit word pairs (a trailing dim of 2). Plan-time constant indices over 8- /
// 32-bit data take the plain strided copy instead (gatherCopy in copy.ts). Oracle: gather.ref.ts's
// gatherRef; tests: tests/gpu/gather-runtime.test.ts.
import type { GpuContext } from '../gpu/device.js';
import { type CheckedKernel, checkedKernel, createErrorWord } from '../gpu/error-word.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import {
  elementGrid,
  type PreparedDispatch,
  prepareDispatch,
  uniformWords,
} from '../gpu-float/float-dispatch.js';
import { normalizeAxis } from './axes.js';

const WORKGROUP_SIZE = 64;

/** `record` also names the first bad index (the `report` dispatch). */
export interface PreparedGather extends CheckedKernel {
  /**
   * After the run's last submit: the reference's error text for the first out-of-range index
   * ("Gather index V is out of range for dimension D"; GatherND's names its op), or undefined when
   * every index was in range.
   */
  outOfRange(): Promise<string | undefined>;
}

export async function prepareGatherRuntime(
  ctx: GpuContext,
  data: GPUBuffer,
  indices: GPUBuffer,
  y: GPUBuffer,
  dataDims: readonly number[],
  indexDims: readonly number[],
  axis: number,
  int64: boolean,
  elementBytes: 1 | 4,
): Promise<PreparedGather> {
  const a = normalizeAxis(axis, dataDims.length, 'Gather axis');
  const prod = (d: readonly number[]) => d.reduce((p, n) => p * n, 1);
  const dim = dataDims[a];
  const outer = prod(dataDims.slice(0, a));
  const inner = prod(dataDims.slice(a + 1));
  const nIdx = prod(indexDims);
  const total = outer * nIdx * inner;
  return prepareCheckedGather(ctx, {
    op: 'gather-runtime',
    source: new URL('./gather-runtime.wgsl', import.meta.url),
    buffers: [indices, data, y],
    int64,
    elementBytes,
    total,
    nIdx,
    params: [inner, dim, 0, 0, 0],
    message: (bad) => `Gather index ${bad.value} is out of range for dimension ${dim}`,
  });
}

/** What gather-runtime.wgsl and gather-nd.wgsl differ in; their bindings 0 to 4 are the same. */
interface CheckedGather {
  op: 'gather-runtime' | 'gather-nd';
  /** The kernel file, as `new URL('./x.wgsl', import.meta.url)`. */
  source: URL;
  buffers: readonly [indices: GPUBuffer, data: GPUBuffer, y: GPUBuffer];
  int64: boolean;
  elementBytes: 1 | 4;
  /** Output elements, and index entries (each checked by one invocation). */
  total: number;
  nIdx: number;
  /** The kernel's uniform words after (total, invocations, nIdx). */
  params: readonly number[];
  /** Binding 5, when the kernel has one. */
  table?: Int32Array;
  /** The reference's error text for the first bad entry. */
  message(bad: { position: number; value: bigint }): string;
}

/**
 * The kernel's main over the output words (8-bit data packed 4 per word) and the index entries,
 * then `report`, with a three-word error word: the part gather-runtime and gather-nd share.
 */
export async function prepareCheckedGather(ctx: GpuContext, g: CheckedGather): Promise<PreparedGather> {
  const [indices, data, y] = g.buffers;
  const bytes = g.elementBytes === 1;
  const invocations = bytes ? Math.ceil(g.total / 4) : g.total;
  const { int64, source } = g;
  const gather = await getPipeline(ctx, {
    op: g.op,
    params: { bytes, int64, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await gatherWgsl(source),
      entryPoint: 'main',
      constants: { BYTES: q.bytes ? 1 : 0, INT64: q.int64 ? 1 : 0, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  const error = createErrorWord(ctx, g.op, 3);
  // Invocations past the output's still check the indices: an empty output fails as the CPU's does.
  const dispatches = [
    prepareDispatch(
      ctx,
      g.op,
      gather,
      {
        buffers: [indices, error.buffer, data, y],
        uniform: uniformWords([g.total, invocations, g.nIdx, ...g.params]),
        table: g.table,
      },
      elementGrid(ctx, Math.max(invocations, g.nIdx), WORKGROUP_SIZE),
    ),
    await prepareIndexReport(ctx, indices, error.buffer, int64),
  ];
  return {
    ...checkedKernel(error, dispatches, g.op),
    outOfRange: async () => {
      const bad = badIndex(await error.read());
      return bad && g.message(bad);
    },
  };
}

/** A run-time gather kernel's text with gather-common.wgsl (index_word, gathered_word) appended. */
export async function gatherWgsl(source: URL): Promise<string> {
  const [kernel, common] = await Promise.all([
    loadWgsl(source),
    loadWgsl(new URL('./gather-common.wgsl', import.meta.url)),
  ]);
  return `${kernel}\n${common}`;
}

/**
 * gather-runtime.wgsl's `report` (one invocation, after a kernel that left ~(first bad index
 * position) in error word 0): copies that index's words into error words 1 and 2. gather-nd.wgsl's
 * bindings 0 and 1 are the same.
 */
async function prepareIndexReport(
  ctx: GpuContext,
  indices: GPUBuffer,
  error: GPUBuffer,
  int64: boolean,
): Promise<PreparedDispatch> {
  const report = await getPipeline(ctx, {
    op: 'gather-runtime.report',
    params: { int64 },
    build: async (q) => ({
      code: await gatherWgsl(new URL('./gather-runtime.wgsl', import.meta.url)),
      entryPoint: 'report',
      constants: { INT64: q.int64 ? 1 : 0 },
    }),
  });
  return prepareDispatch(ctx, 'gather-runtime.report', report, { buffers: [indices, error] }, [1, 1, 1]);
}

/** The first bad index's position and value from the three error words, or undefined. */
function badIndex(words: Uint32Array): { position: number; value: bigint } | undefined {
  const [flag, lo, hi] = words;
  if (flag === 0) return undefined;
  return { position: ~flag >>> 0, value: BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo)) };
}
