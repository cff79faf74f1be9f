// Host for copy.wgsl: the data-movement ops as strided copies. The builders below turn each op's
// parameters into copy specs (pure functions, no GPU); `prepareCopy` makes a dispatch from one.
// Oracles: transpose/slice/concat/split/gather.ref.ts, pad.ref.ts; tests:
// tests/gpu/float-copy.test.ts.

import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { elementGrid, type PreparedDispatch, prepareDispatch } from '../gpu-float/float-dispatch.js';
import { stridesOf } from './axes.js';
import type { StridedDomain } from './expand-tile.ref.js';

export interface CopyAxis {
  /** Domain size along this axis. */
  readonly n: number;
  readonly dstStride: number;
  readonly srcStride: number;
  /** Source coordinate = c * step + start (default 1, 0), unless `table` gives it. */
  readonly step?: number;
  readonly start?: number;
  /** Source size along the axis (coordinates outside are padding); default: no bound. */
  readonly extent?: number;
  /** Source coordinate per domain index (Gather, nearest Resize). */
  readonly table?: readonly number[];
}

export type PadMode = 'constant' | 'edge' | 'reflect' | 'wrap';
const PAD_CODE: Record<PadMode, number> = { constant: 0, edge: 1, reflect: 2, wrap: 3 };

export interface CopySpec {
  readonly axes: readonly CopyAxis[];
  readonly dstBase?: number;
  readonly srcBase?: number;
  readonly padMode?: PadMode;
  /** Bit pattern written for padding (f32 bits, or the byte in the low 8 bits). */
  readonly padValueBits?: number;
}

const WORKGROUP_SIZE = 64;
const NO_BOUND = 0x7fffffff;

/** Element count of a spec's domain. */
export function copyCount(spec: CopySpec): number {
  return spec.axes.reduce((s, a) => s * a.n, 1);
}

function table(spec: CopySpec): Int32Array {
  const rank = spec.axes.length;
  const words: number[] = [
    rank,
    copyCount(spec),
    spec.dstBase ?? 0,
    spec.srcBase ?? 0,
    spec.padValueBits ?? 0,
    0,
    0,
    0,
  ];
  const extra: number[] = [];
  const tablesAt = 8 + 7 * rank;
  for (const a of spec.axes) {
    let tableOffset = -1;
    if (a.table) {
      tableOffset = tablesAt + extra.length;
      extra.push(...a.table);
    }
    words.push(a.n, a.dstStride, a.srcStride, a.step ?? 1, a.start ?? 0, a.extent ?? NO_BOUND, tableOffset);
  }
  return Int32Array.from([...words, ...extra]);
}

/**
 * A dispatch for one copy. `bytes`: 8-bit elements packed 4 per word; the spec must then write the
 * whole contiguous destination (dstBase 0, row-major dst strides).
 */
export async function prepareCopy(
  ctx: GpuContext,
  src: GPUBuffer,
  dst: GPUBuffer,
  spec: CopySpec,
  bytes = false,
): Promise<PreparedDispatch> {
  if (bytes) {
    const contiguous = stridesOf(spec.axes.map((a) => a.n));
    if ((spec.dstBase ?? 0) !== 0 || spec.axes.some((a, i) => a.n > 1 && a.dstStride !== contiguous[i]))
      throw new Error('copy: 8-bit copies must write a whole contiguous destination');
  }
  const padMode = PAD_CODE[spec.padMode ?? 'constant'];
  const pipeline = await getPipeline(ctx, {
    op: 'copy',
    params: { bytes, padMode, workgroupSize: WORKGROUP_SIZE },
    build: async (q) => ({
      code: await loadWgsl(new URL('./copy.wgsl', import.meta.url)),
      constants: { BYTES: q.bytes ? 1 : 0, PAD_MODE: q.padMode, WORKGROUP_SIZE: q.workgroupSize },
    }),
  });
  const count = copyCount(spec);
  const threads = bytes ? Math.ceil(count / 4) : count;
  return prepareDispatch(
    ctx,
    'copy',
    pipeline,
    { buffers: [src, dst], table: table(spec) },
    elementGrid(ctx, threads, WORKGROUP_SIZE),
  );
}

/** Expand / Tile (expand-tile.ref.ts): the strided domain written contiguously. */
export function stridedDomainCopy(domain: StridedDomain): CopySpec {
  const dstStrides = stridesOf(domain.axes.map((a) => a.n));
  return { axes: domain.axes.map((a, d) => ({ n: a.n, dstStride: dstStrides[d], srcStride: a.srcStride })) };
}

/** Contiguous copy of `count` elements (the identity over a flat domain). */
export function flatCopy(count: number): CopySpec {
  return { axes: [{ n: count, dstStride: 1, srcStride: 1 }] };
}

/** Transpose: output axis d reads input axis perm[d] (default: reversed axes). */
export function transposeCopy(
  dims: readonly number[],
  perm?: readonly number[],
): { spec: CopySpec; dims: number[] } {
  const p = perm && perm.length ? perm : dims.map((_, i) => dims.length - 1 - i);
  const inStrides = stridesOf(dims);
  const outDims = p.map((a) => dims[a]);
  const outStrides = stridesOf(outDims);
  return {
    spec: { axes: outDims.map((n, d) => ({ n, dstStride: outStrides[d], srcStride: inStrides[p[d]] })) },
    dims: outDims,
  };
}

/** Slice with per-axis (start, step) already resolved to the output dims (see sliceRange). */
export function sliceCopy(
  dims: readonly number[],
  outDims: readonly number[],
  starts: readonly number[],
  steps: readonly number[],
): CopySpec {
  const inStrides = stridesOf(dims);
  const outStrides = stridesOf(outDims);
  return {
    axes: outDims.map((n, d) => ({
      n,
      dstStride: outStrides[d],
      srcStride: inStrides[d],
      start: starts[d],
      step: steps[d],
    })),
  };
}

/** One copy per input of a Concat along `axis` (all into the same destination). */
export function concatCopies(
  inputDims: readonly (readonly number[])[],
  axis: number,
): { specs: CopySpec[]; dims: number[] } {
  const outDims = [...inputDims[0]];
  outDims[axis] = inputDims.reduce((s, d) => s + d[axis], 0);
  const outStrides = stridesOf(outDims);
  let offset = 0;
  const specs = inputDims.map((dims) => {
    const inStrides = stridesOf(dims);
    const spec: CopySpec = {
      axes: dims.map((n, d) => ({ n, dstStride: outStrides[d], srcStride: inStrides[d] })),
      dstBase: offset * outStrides[axis],
    };
    offset += dims[axis];
    return spec;
  });
  return { specs, dims: outDims };
}

/** One copy per output of a Split along `axis` with the given sizes. */
export function splitCopies(dims: readonly number[], axis: number, sizes: readonly number[]): CopySpec[] {
  let offset = 0;
  return sizes.map((size) => {
    const outDims = [...dims];
    outDims[axis] = size;
    const starts = dims.map((_, d) => (d === axis ? offset : 0));
    offset += size;
    return sliceCopy(
      dims,
      outDims,
      starts,
      dims.map(() => 1),
    );
  });
}

/** Pad with ONNX pads [begins..., ends...] (negative pads crop). */
export function padCopy(
  dims: readonly number[],
  pads: readonly number[],
  mode: PadMode,
  padValueBits: number,
): { spec: CopySpec; dims: number[] } {
  const r = dims.length;
  const outDims = dims.map((d, i) => d + pads[i] + pads[i + r]);
  const inStrides = stridesOf(dims);
  const outStrides = stridesOf(outDims);
  return {
    spec: {
      axes: outDims.map((n, d) => ({
        n,
        dstStride: outStrides[d],
        srcStride: inStrides[d],
        start: -pads[d],
        extent: dims[d],
      })),
      padMode: mode,
      padValueBits,
    },
    dims: outDims,
  };
}

/** Gather along `axis` with (non-negative, in range) indices of shape `indexDims`. */
export function gatherCopy(
  dims: readonly number[],
  axis: number,
  indices: readonly number[],
  indexDims: readonly number[],
): { spec: CopySpec; dims: number[] } {
  const outDims = [...dims.slice(0, axis), ...indexDims, ...dims.slice(axis + 1)];
  // The index dims flatten into one domain axis: row-major order is the same.
  const domain = [...dims.slice(0, axis), indices.length, ...dims.slice(axis + 1)];
  const inStrides = stridesOf(dims);
  const domStrides = stridesOf(domain);
  return {
    spec: {
      axes: domain.map((n, d) => ({
        n,
        dstStride: domStrides[d],
        srcStride: inStrides[d],
        table: d === axis ? indices : undefined,
      })),
    },
    dims: outDims,
  };
}

/** Expand: numpy-broadcast `dims` to `outDims` (stride 0 along broadcast axes). */
export function expandCopy(dims: readonly number[], outDims: readonly number[]): CopySpec {
  const inStrides = stridesOf(dims);
  const outStrides = stridesOf(outDims);
  const lead = outDims.length - dims.length;
  return {
    axes: outDims.map((n, d) => ({
      n,
      dstStride: outStrides[d],
      srcStride: d < lead || dims[d - lead] === 1 ? 0 : inStrides[d - lead],
    })),
  };
}
