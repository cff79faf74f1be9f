// Running the int8 GEMM core on caller-owned buffers: splitting a grid into dispatches that fit the
// device limits, the prepared (uploaded-once) state of one op instance, encoding it into a caller's
// command encoder, and the typed-array round trip the `*Gpu` convenience functions use.
//
// Splitting: a grid (gx, gy, gz) = (column tiles, row tiles, batches) runs as dispatches over
// z ranges (and, when one z is too big, y ranges). Each dispatch binds windows of the A, B and
// output buffers that cover exactly the elements its workgroups touch, each under
// maxStorageBufferBindingSize, starting at a multiple of minStorageBufferOffsetAlignment; the
// shader subtracts the window bases (gemm.a_base, ...) and adds the workgroup offsets (gemm.wg_off).

import { readBuffer, SCRATCH_USAGE, STORAGE_USAGE, uploadBuffer, uploadUniform } from './buffers.js';
import { type GpuContext, withValidation } from './device.js';
import { maxBindingBytes, maxWorkgroupsPerDimension, type SplitLimits } from './dispatch.js';
import {
  type GemmChunkPosition,
  type GemmUniform,
  gemmUniformWords,
  type Int8KernelResult,
} from './int8-gemm.js';

/** A window of a buffer bound for one dispatch: byte offset and size, and its first element. */
export interface BindingWindow {
  readonly offset: number;
  readonly size: number;
  readonly base: number;
}

/** One dispatch of a split run. */
export interface GemmChunk extends GemmChunkPosition {
  readonly grid: readonly [number, number, number];
  readonly a: BindingWindow;
  readonly b: BindingWindow;
  readonly out: BindingWindow;
}

/** Element ranges [start, end) a part of the grid touches (used to size binding windows). */
export interface GemmGridSpec {
  readonly grid: readonly [number, number, number];
  aRange(z: number, y0: number, y1: number): [number, number];
  bRange(z: number): [number, number];
  outRange(z: number, y0: number, y1: number): [number, number];
  /** Bytes per output element: 1 (packed 8-bit) or 4 (int32). */
  readonly outElementBytes: number;
}

type Range = [number, number];
const EMPTY: Range = [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];

function merge(a: Range, b: Range): Range {
  return [Math.min(a[0], b[0]), Math.max(a[1], b[1])];
}

/** Splits buffers into binding windows and grids into dispatches within the device limits. */
export class WindowPlanner {
  readonly maxBytes: number;
  readonly maxDim: number;
  readonly align: number;
  constructor(ctx: GpuContext, limits?: SplitLimits) {
    this.maxBytes = maxBindingBytes(ctx, limits);
    this.maxDim = maxWorkgroupsPerDimension(ctx, limits);
    this.align = ctx.limits.minStorageBufferOffsetAlignment;
  }

  /** The window covering elements [start, end) of `elementBytes` each. */
  window(r: Range, elementBytes: number): BindingWindow {
    if (r[0] >= r[1]) return { offset: 0, size: 4, base: 0 };
    const offset = Math.floor((r[0] * elementBytes) / this.align) * this.align;
    const end = Math.ceil((r[1] * elementBytes) / 4) * 4;
    return { offset, size: Math.max(4, end - offset), base: offset / elementBytes };
  }

  fits(w: BindingWindow): boolean {
    return w.size <= this.maxBytes;
  }
}

/** Dispatches covering `spec.grid` whose bindings and grids fit the limits; throws if impossible. */
export function planGemmChunks(planner: WindowPlanner, spec: GemmGridSpec, op: string): GemmChunk[] {
  const [gx, gy, gz] = spec.grid;
  const chunks: GemmChunk[] = [];
  if (gx === 0 || gy === 0 || gz === 0) return chunks;
  if (gx > planner.maxDim)
    throw new Error(`${op}: ${gx} column tiles exceed the dispatch limit (unsupported)`);
  const windows = (a: Range, b: Range, out: Range) => ({
    a: planner.window(a, 1),
    b: planner.window(b, 1),
    out: planner.window(out, spec.outElementBytes),
  });
  const allFit = (w: ReturnType<typeof windows>) =>
    planner.fits(w.a) && planner.fits(w.b) && planner.fits(w.out);
  const push = (z0: number, z1: number, y0: number, y1: number, w: ReturnType<typeof windows>) =>
    chunks.push({
      grid: [gx, y1 - y0, z1 - z0],
      wgOffset: [0, y0, z0],
      aBase: w.a.base,
      bBase: w.b.base,
      outBase: w.out.base,
      ...w,
    });
  let z = 0;
  while (z < gz) {
    // Whole batches first: as many consecutive z as the windows and the z limit allow.
    let z1 = z;
    let ranges: [Range, Range, Range] = [EMPTY, EMPTY, EMPTY];
    let fitted: ReturnType<typeof windows> | undefined;
    while (gy <= planner.maxDim && z1 < gz && z1 - z < planner.maxDim) {
      const next: [Range, Range, Range] = [
        merge(ranges[0], spec.aRange(z1, 0, gy)),
        merge(ranges[1], spec.bRange(z1)),
        merge(ranges[2], spec.outRange(z1, 0, gy)),
      ];
      const w = windows(...next);
      if (!allFit(w)) break;
      ranges = next;
      fitted = w;
      z1++;
    }
    if (fitted) {
      push(z, z1, 0, gy, fitted);
      z = z1;
      continue;
    }
    // One batch is too big: row-tile ranges of it.
    let y = 0;
    while (y < gy) {
      let y1 = y;
      let last: ReturnType<typeof windows> | undefined;
      while (y1 < gy && y1 - y < planner.maxDim) {
        const w = windows(spec.aRange(z, y, y1 + 1), spec.bRange(z), spec.outRange(z, y, y1 + 1));
        if (!allFit(w)) break;
        last = w;
        y1++;
      }
      if (!last) {
        throw new Error(
          `${op}: one row tile needs bindings above ${planner.maxBytes} bytes (splitting along K/N is unsupported)`,
        );
      }
      push(z, z + 1, y, y1, last);
      y = y1;
    }
    z++;
  }
  return chunks;
}

/** The buffers of one run. Packed 8-bit buffers hold 4 values per u32, little endian. */
export interface GemmBuffers {
  /** Packed 8-bit A (dense) or x (conv), at least `aBytes` bytes. */
  readonly a: GPUBuffer;
  /** Packed 8-bit B / weights; omit when they were given at prepare time. */
  readonly b?: GPUBuffer;
  /** Output, at least `outBytes`: packed 8-bit (requantize) or int32 accumulators. */
  readonly out: GPUBuffer;
  /** Statistics (prepared with stats): 2 u32 per output channel, [overflow count, max |acc|]. */
  readonly stats?: GPUBuffer;
}

/** An int8 op instance with its constants uploaded once; run it with `recordGemm`. */
export interface PreparedGemm {
  readonly op: string;
  /** Bytes the a / b / out / stats buffers must have (multiples of 4). */
  readonly aBytes: number;
  readonly bBytes: number;
  readonly outBytes: number;
  readonly statsBytes: number;
  /** Output shape and element count; channels = statistics entries. */
  readonly dims: readonly number[];
  readonly outputCount: number;
  readonly channels: number;
  /** Output is packed 8-bit (requantize), int8 when signedOutput, else int32. */
  readonly requantized: boolean;
  readonly signedOutput: boolean;
  readonly stats: boolean;
  /** The dispatches of one run (more than one when split for the device limits). */
  readonly chunks: readonly GemmChunk[];
  /** Destroys the buffers this object owns (weights, tables, uniforms). */
  destroy(): void;
}

interface PreparedInternals extends PreparedGemm {
  readonly pipeline: GPUComputePipeline;
  readonly tables: GPUBuffer;
  readonly opUniform: GPUBuffer;
  readonly uniforms: readonly GPUBuffer[];
  readonly weights?: GPUBuffer;
  readonly scratchStats: GPUBuffer;
  readonly fullWrites: boolean;
  bound?: { key: readonly GPUBuffer[]; groups: GPUBindGroup[] };
}

export interface PrepareGemmInput {
  readonly op: string;
  readonly pipeline: GPUComputePipeline;
  readonly uniform: GemmUniform;
  readonly opUniform: Uint32Array | Int32Array;
  readonly tables: Int32Array;
  /** Packed constant B, uploaded now. */
  readonly weights?: Uint32Array;
  readonly chunks: readonly GemmChunk[];
  readonly aBytes: number;
  readonly bBytes: number;
  readonly outBytes: number;
  readonly dims: readonly number[];
  readonly outputCount: number;
  readonly channels: number;
  readonly requantized: boolean;
  readonly signedOutput: boolean;
  readonly stats: boolean;
  /** The kernel writes every output word whole: no clearing before a run. */
  readonly fullWrites?: boolean;
}

const align4 = (n: number) => Math.max(4, Math.ceil(n / 4) * 4);

/** Uploads the constant parts of a GEMM-core op (tables, uniforms, weights). */
export function createPreparedGemm(ctx: GpuContext, p: PrepareGemmInput): PreparedGemm {
  const owned: GPUBuffer[] = [];
  const own = (b: GPUBuffer) => {
    owned.push(b);
    return b;
  };
  const prepared: PreparedInternals = {
    op: p.op,
    aBytes: align4(p.aBytes),
    bBytes: align4(p.bBytes),
    outBytes: align4(p.outBytes),
    statsBytes: 8 * Math.max(1, p.channels),
    dims: p.dims,
    outputCount: p.outputCount,
    channels: p.channels,
    requantized: p.requantized,
    signedOutput: p.signedOutput,
    stats: p.stats,
    chunks: p.chunks,
    fullWrites: p.fullWrites ?? false,
    pipeline: p.pipeline,
    tables: own(uploadBuffer(ctx, `${p.op}.tables`, p.tables)),
    opUniform: own(uploadUniform(ctx, `${p.op}.op-params`, p.opUniform)),
    uniforms: p.chunks.map((c) => own(uploadUniform(ctx, `${p.op}.params`, gemmUniformWords(p.uniform, c)))),
    weights: p.weights ? own(uploadBuffer(ctx, `${p.op}.weights`, p.weights)) : undefined,
    scratchStats: own(
      ctx.device.createBuffer({
        label: `${p.op}.stats`,
        size: 8 * Math.max(1, p.channels),
        usage: SCRATCH_USAGE,
      }),
    ),
    destroy: () => {
      for (const b of owned) b.destroy();
      owned.length = 0;
    },
  };
  return prepared;
}

function checkSize(op: string, what: string, buffer: GPUBuffer, bytes: number): void {
  if (buffer.size < bytes) throw new Error(`${op}: ${what} buffer has ${buffer.size} bytes, needs ${bytes}`);
}

/**
 * Encodes one run of a prepared op into `encoder` (its own compute pass, after up to two clears):
 * the output is zeroed first when it is packed 8-bit and the kernel ORs bytes in, and the statistics
 * buffer is zeroed unless `accumulateStats` (then counts add up and maxima grow across runs).
 * Reads buffers.a (and buffers.b or the prepared weights), writes buffers.out[0, outBytes) and,
 * with stats, buffers.stats[0, statsBytes). Bind groups are reused while the buffers stay the same.
 */
export function recordGemm(
  ctx: GpuContext,
  encoder: GPUCommandEncoder,
  prepared: PreparedGemm,
  buffers: GemmBuffers,
  options?: { readonly accumulateStats?: boolean },
): void {
  const p = prepared as PreparedInternals;
  const b = buffers.b ?? p.weights;
  if (!b) throw new Error(`${p.op}: no B buffer given and no constant weights were prepared`);
  checkSize(p.op, 'a', buffers.a, p.aBytes);
  checkSize(p.op, 'b', b, p.bBytes);
  checkSize(p.op, 'out', buffers.out, p.outBytes);
  const stats = buffers.stats ?? p.scratchStats;
  if (buffers.stats) checkSize(p.op, 'stats', stats, p.statsBytes);
  if (p.requantized && !p.fullWrites) encoder.clearBuffer(buffers.out, 0, p.outBytes);
  if (p.stats && !options?.accumulateStats) encoder.clearBuffer(stats, 0, p.statsBytes);
  if (p.chunks.length === 0) return;
  const key = [buffers.a, b, buffers.out, stats];
  if (!p.bound || p.bound.key.some((k, i) => k !== key[i])) {
    const layout = p.pipeline.getBindGroupLayout(0);
    const groups = p.chunks.map((c, i) =>
      ctx.device.createBindGroup({
        label: `${p.op}.bind-group`,
        layout,
        entries: [
          { binding: 0, resource: { buffer: buffers.out, offset: c.out.offset, size: c.out.size } },
          { binding: 1, resource: { buffer: stats, offset: 0, size: p.statsBytes } },
          { binding: 2, resource: { buffer: p.tables } },
          { binding: 3, resource: { buffer: p.uniforms[i] } },
          { binding: 4, resource: { buffer: buffers.a, offset: c.a.offset, size: c.a.size } },
          { binding: 5, resource: { buffer: b, offset: c.b.offset, size: c.b.size } },
          { binding: 6, resource: { buffer: p.opUniform } },
        ],
      }),
    );
    p.bound = { key, groups };
  }
  const pass = encoder.beginComputePass({ label: `${p.op}.pass` });
  pass.setPipeline(p.pipeline);
  p.chunks.forEach((c, i) => {
    pass.setBindGroup(0, p.bound!.groups[i]);
    pass.dispatchWorkgroups(c.grid[0], c.grid[1], c.grid[2]);
  });
  pass.end();
}

/** Uploads packed A (and B when not prepared), runs once, reads the output and statistics back. */
export async function runPreparedGemm(
  ctx: GpuContext,
  prepared: PreparedGemm,
  a: Uint32Array,
  b?: Uint32Array,
): Promise<Int8KernelResult> {
  const { op } = prepared;
  const temps = [
    uploadBuffer(ctx, `${op}.a`, a),
    ctx.device.createBuffer({ label: `${op}.output`, size: prepared.outBytes, usage: STORAGE_USAGE }),
    ctx.device.createBuffer({ label: `${op}.stats`, size: prepared.statsBytes, usage: STORAGE_USAGE }),
  ];
  if (b) temps.push(uploadBuffer(ctx, `${op}.b`, b));
  const [aBuf, out, stats, bBuf] = temps;
  await withValidation(ctx, op, () => {
    const encoder = ctx.device.createCommandEncoder({ label: `${op}.encoder` });
    recordGemm(ctx, encoder, prepared, { a: aBuf, b: bBuf, out, stats });
    ctx.device.queue.submit([encoder.finish()]);
  });
  const outData = await readBuffer(ctx, out, prepared.outBytes);
  let overflowCount: Int32Array | undefined;
  let maxAbs: Float64Array | undefined;
  if (prepared.stats) {
    const s = new Uint32Array(await readBuffer(ctx, stats, prepared.statsBytes));
    overflowCount = Int32Array.from({ length: prepared.channels }, (_, c) => s[2 * c]);
    maxAbs = Float64Array.from({ length: prepared.channels }, (_, c) => s[2 * c + 1]);
  }
  for (const t of temps) t.destroy();
  const count = prepared.outputCount;
  const dims = prepared.dims;
  if (prepared.requantized) {
    const q = prepared.signedOutput ? new Int8Array(outData, 0, count) : new Uint8Array(outData, 0, count);
    return { dims, q, overflowCount, maxAbs };
  }
  return { dims, acc: new Int32Array(outData, 0, count), overflowCount, maxAbs };
}
