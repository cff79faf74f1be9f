// Host for byte-map.wgsl: strided gathers of 8-bit elements with an optional lookup table (unary:
// 256 entries, binary: 65536 entries indexed a * 256 + b, one byte each). The destination words
// must be cleared before the first map that writes them (`clearBuffer`), since threads OR their
// bytes in. Tests: tests/gpu/float-byte-map.test.ts.
import { uploadBuffer } from '../gpu/buffers.js';
import type { GpuContext } from '../gpu/device.js';
import { getPipeline } from '../gpu/pipeline-cache.js';
import { loadWgsl } from '../gpu/wgsl-loader.js';
import { elementGrid, type PreparedDispatch, prepareDispatch } from './float-dispatch.js';

const WORKGROUP_SIZE = 64;

export interface ByteMapAxis {
  readonly n: number;
  readonly dstStride: number;
  readonly aStride: number;
  /** Binary maps only (0 broadcasts b along the axis). */
  readonly bStride?: number;
}

export interface ByteMapSpec {
  readonly axes: readonly ByteMapAxis[];
  readonly dstBase?: number;
  readonly aBase?: number;
  readonly bBase?: number;
  /** 256 bytes (unary) or 65536 bytes (binary: entry a * 256 + b); omit for a plain gather. */
  readonly table?: Uint8Array;
}

/**
 * A dispatch for one byte map from `a` (and `b` for a binary table) into `dst`. The LUT buffer
 * (and the T table) are owned by the dispatch.
 */
export async function prepareByteMap(
  ctx: GpuContext,
  dst: GPUBuffer,
  a: GPUBuffer,
  b: GPUBuffer | undefined,
  spec: ByteMapSpec,
): Promise<PreparedDispatch> {
  const binary = b !== undefined;
  if (spec.table && spec.table.length !== (binary ? 65536 : 256))
    throw new Error(`byte-map: table of ${spec.table.length} bytes for a ${binary ? 'binary' : 'unary'} map`);
  if (binary && !spec.table) throw new Error('byte-map: a binary map needs a table');
  const count = spec.axes.reduce((s, x) => s * x.n, 1);
  const words = [spec.axes.length, count, spec.dstBase ?? 0, spec.aBase ?? 0, spec.bBase ?? 0, 0, 0, 0];
  for (const x of spec.axes) words.push(x.n, x.dstStride, x.aStride, x.bStride ?? 0);
  const pipeline = await getPipeline(ctx, {
    op: 'byte-map',
    params: { binary, lut: spec.table !== undefined, workgroupSize: WORKGROUP_SIZE },
    build: async (p) => ({
      code: await loadWgsl(new URL('./byte-map.wgsl', import.meta.url)),
      constants: { BINARY: p.binary ? 1 : 0, LUT: p.lut ? 1 : 0, WORKGROUP_SIZE: p.workgroupSize },
    }),
  });
  const lutBytes = spec.table ?? new Uint8Array(4);
  const lut = uploadBuffer(ctx, 'byte-map.lut', lutBytes);
  const d = prepareDispatch(
    ctx,
    'byte-map',
    pipeline,
    { buffers: [dst, a, b ?? a, lut], table: Int32Array.from(words) },
    elementGrid(ctx, count, WORKGROUP_SIZE),
  );
  return { ...d, owned: [...d.owned, lut] };
}
