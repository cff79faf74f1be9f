// The summation order of pool.ref.ts's float32 AveragePool written out as a table, so that one GPU
// kernel (pool-table.wgsl) can replay it bit for bit for any rank and attribute: each output is a
// left fold of "groups" (output = g0, then + g1, + g2 ...), each group a left fold of input taps
// (from +0, or from its first tap in MLAS's 2-D vector kernel; an empty group is +0), then divided
// by a per-output divisor. The path choice and the windows below mirror pool.ref.ts line by line
// (MLAS generic / vector / global kernels, onnxruntime's AveragePoolTask); a change there must be
// made here too (tests/gpu/pool-conv-3d.test.ts compares the two bit for bit).
// MaxPool uses the same table with one group per output (the reference's poolWindows).
import { resolveConvGeometry } from '../conv2d/conv-geometry.js';
import { type PoolParams, poolWindows } from './pool.ref.js';

export interface PoolOrder {
  readonly outputSpatial: number[];
  /** MLAS's global kernel: four lanes over the whole plane, (l0 + l2) + (l1 + l3), then the rest. */
  readonly global: boolean;
  /** A group's sum starts from its first tap instead of +0 (MLAS's 2-D vector kernel). */
  readonly initFirst: boolean;
  /** Whether the order is the reference's exactly (false: rank > 3 or non-f32 data, summed in f64 there). */
  readonly exact: boolean;
  /** outStart[out + 1] | groupStart[groups + 1] | taps | storage taps (MaxPool order 1) | divisor bits[out]. */
  readonly table: Int32Array;
  readonly groupsBase: number;
  readonly tapsBase: number;
  readonly storageBase: number;
  readonly divisorBase: number;
}

/** Divisor word meaning "keep the sum" (the reference's empty-window 0). */
const KEEP = 0;
const NAN_BITS = 0x7fc00000 | 0;
const f32Bits = (v: number): number => new Int32Array(Float32Array.of(v).buffer)[0];

class Builder {
  outStart: number[] = [0];
  groupStart: number[] = [0];
  taps: number[] = [];
  divisors: number[] = [];
  tap(offset: number): void {
    this.taps.push(offset);
  }
  endGroup(): void {
    this.groupStart.push(this.taps.length);
  }
  endOutput(divisor: number): void {
    this.outStart.push(this.groupStart.length - 1);
    this.divisors.push(divisor);
  }
}

function finish(
  b: Builder,
  outputSpatial: number[],
  flags: { global: boolean; initFirst: boolean; exact: boolean },
  storage?: number[],
): PoolOrder {
  const groupsBase = b.outStart.length;
  const tapsBase = groupsBase + b.groupStart.length;
  // Without a storage section the storage taps are the taps themselves.
  const storageBase = storage ? tapsBase + b.taps.length : tapsBase;
  const divisorBase = tapsBase + b.taps.length * (storage ? 2 : 1);
  const table = new Int32Array(divisorBase + b.divisors.length);
  table.set(b.outStart);
  table.set(b.groupStart, groupsBase);
  table.set(b.taps, tapsBase);
  if (storage) table.set(storage, storageBase);
  table.set(b.divisors, divisorBase);
  return { outputSpatial, ...flags, table, groupsBase, tapsBase, storageBase, divisorBase };
}

/** MaxPool's windows (one group per output) and, for storage_order 1, the column-major offsets. */
export function maxPoolOrder(
  inputSpatial: readonly number[],
  p: PoolParams,
  storageOrder: number,
): PoolOrder {
  const w = poolWindows(inputSpatial, p);
  const b = new Builder();
  const outSize = w.start.length - 1;
  for (let q = 0; q < outSize; q++) {
    for (let t = w.start[q]; t < w.start[q + 1]; t++) b.tap(w.offsets[t]);
    b.endGroup();
    b.endOutput(KEEP);
  }
  let storage: number[] | undefined;
  if (storageOrder !== 0) {
    // The reference's toStorage: the same spatial position, column-major.
    const n = inputSpatial.length;
    const row = inputSpatial.map((_, a) => inputSpatial.slice(a + 1).reduce((s, d) => s * d, 1));
    const col = inputSpatial.map((_, a) => inputSpatial.slice(0, a).reduce((s, d) => s * d, 1));
    storage = b.taps.map((flat) => {
      let r = 0;
      for (let a = 0; a < n; a++) r += (Math.floor(flat / row[a]) % inputSpatial[a]) * col[a];
      return r;
    });
  }
  return finish(b, w.outputSpatial, { global: false, initFirst: false, exact: true }, storage);
}

const MLAS_REDUCTION_BUFFER = 2048;
const MLAS_REDUCTION_BUFFER_PADDING = 3;

/** AveragePool's order for f32 data (`float32` false: the reference's f64 path, replayed in f32). */
export function averagePoolOrder(
  inputSpatial: readonly number[],
  p: PoolParams,
  countIncludePad: boolean,
  float32 = true,
): PoolOrder {
  const d = inputSpatial.length;
  if (float32 && d <= 3) {
    const geo = resolveConvGeometry({ inputSpatial, kernelSpatial: p.kernelShape, ...p });
    if (geo.dilations.every((v) => v === 1) && !(p.ceilMode && countIncludePad))
      return mlasOrder(inputSpatial, p.kernelShape, geo, countIncludePad);
    return taskOrder(inputSpatial, p.kernelShape, geo, countIncludePad);
  }
  const w = poolWindows(inputSpatial, p);
  const b = new Builder();
  const outSize = w.start.length - 1;
  for (let q = 0; q < outSize; q++) {
    for (let t = w.start[q]; t < w.start[q + 1]; t++) b.tap(w.offsets[t]);
    b.endGroup();
    const count = countIncludePad ? w.paddedCount[q] : w.start[q + 1] - w.start[q];
    b.endOutput(count > 0 ? f32Bits(count) : KEEP);
  }
  return finish(b, w.outputSpatial, { global: false, initFirst: false, exact: false });
}

interface Geo {
  pads: number[];
  strides: number[];
  dilations: number[];
  outputSpatial: number[];
}

/** Pads a per-axis list to rank 3 with leading unit axes (as the reference's 1-D/2-D/3-D loops). */
function lift(v: readonly number[], d: number, one: number): number[] {
  return [0, 1, 2].map((a) => (a < 3 - d ? one : v[a - (3 - d)]));
}

function mlasOrder(input: readonly number[], kernel: readonly number[], geo: Geo, includePad: boolean) {
  const d = input.length;
  const { pads, strides, outputSpatial: output } = geo;
  const inSize = input.reduce((a, b) => a * b, 1);
  const kernelSize = kernel.reduce((a, b) => a * b, 1);
  const b = new Builder();
  const global = input.every(
    (n, a) => kernel[a] === n && strides[a] === 1 && pads[a] === 0 && pads[a + d] === 0,
  );
  if (global) {
    b.endOutput(f32Bits(inSize));
    return finish(b, output, { global: true, initFirst: false, exact: true });
  }
  let room = MLAS_REDUCTION_BUFFER - MLAS_REDUCTION_BUFFER_PADDING;
  room = room >= pads[d - 1] ? room - pads[d - 1] : 0;
  room = room >= pads[2 * d - 1] ? room - pads[2 * d - 1] : 0;
  const vector = d >= 2 && strides[d - 1] <= 2 && kernel.every((k) => k <= 32) && room >= input[d - 1];
  if (vector) {
    // MlasPool{2,3}DVectorKernel: column sums (2-D from the first row, 3-D from +0) into a padded
    // buffer, then KW consecutive buffer entries from the window's first; pad entries are +0.
    const W = input[d - 1];
    const H = input[d - 2];
    const KW = kernel[d - 1];
    const padL = pads[d - 1];
    const rows = (o: number, a: number): [number, number] => {
      const start = o * strides[a] - pads[a];
      return [Math.max(start, 0), Math.min(start + kernel[a], input[a])];
    };
    const outerPlanes = d === 3 ? output[0] : 1;
    for (let od = 0; od < outerPlanes; od++) {
      const [d0, d1] = d === 3 ? rows(od, 0) : [0, 1];
      for (let oh = 0; oh < output[d - 2]; oh++) {
        const [h0, h1] = rows(oh, d - 2);
        const rowsCount = (d1 - d0) * (h1 - h0);
        for (let ow = 0; ow < output[d - 1]; ow++) {
          const idx = ow * strides[d - 1];
          for (let k = 0; k < KW; k++) {
            const col = idx + k - padL;
            if (col >= 0 && col < W) {
              if (d === 2) b.tap(h0 * W + col);
              for (let z = d0; z < d1; z++)
                for (let h = z === d0 && d === 2 ? h0 + 1 : h0; h < h1; h++) b.tap((z * H + h) * W + col);
            }
            b.endGroup();
          }
          let divisor = kernelSize;
          if (!includePad)
            divisor = Math.max(1, (Math.min(idx + KW, padL + W) - Math.max(idx, padL)) * rowsCount);
          b.endOutput(f32Bits(divisor));
        }
      }
    }
    return finish(b, output, { global: false, initFirst: d === 2, exact: true });
  }
  // MlasPool{1,2,3}DKernel: row-major over the clipped window from +0.
  const inp = lift(input, d, 1);
  const ker = lift(kernel, d, 1);
  const str = lift(strides, d, 1);
  const padB = lift(pads.slice(0, d), d, 0);
  const out = lift(output, d, 1);
  const range = (o: number, a: number): [number, number] => {
    const start = o * str[a] - padB[a];
    return [Math.max(start, 0), Math.min(start + ker[a], inp[a])];
  };
  for (let o0 = 0; o0 < out[0]; o0++) {
    const [s0, e0] = range(o0, 0);
    for (let o1 = 0; o1 < out[1]; o1++) {
      const [s1, e1] = range(o1, 1);
      for (let o2 = 0; o2 < out[2]; o2++) {
        const [s2, e2] = range(o2, 2);
        for (let i0 = s0; i0 < e0; i0++)
          for (let i1 = s1; i1 < e1; i1++)
            for (let i2 = s2; i2 < e2; i2++) b.tap((i0 * inp[1] + i1) * inp[2] + i2);
        b.endGroup();
        const count = includePad ? kernelSize : (e0 - s0) * (e1 - s1) * (e2 - s2);
        // m / 0 with m = +0 is NaN in the reference.
        b.endOutput(count === 0 ? NAN_BITS : f32Bits(count));
      }
    }
  }
  return finish(b, output, { global: false, initFirst: false, exact: true });
}

/** onnxruntime's AveragePool{1,2,3}DTask (dilations; ceil_mode with count_include_pad). */
function taskOrder(input: readonly number[], kernel: readonly number[], geo: Geo, includePad: boolean) {
  const d = input.length;
  const inp = lift(input, d, 1);
  const ker = lift(kernel, d, 1);
  const str = lift(geo.strides, d, 1);
  const dil = lift(geo.dilations, d, 1);
  const padB = lift(geo.pads.slice(0, d), d, 0);
  const padE = lift(geo.pads.slice(d), d, 0);
  const out = lift(geo.outputSpatial, d, 1);
  const span = (o: number, a: number): [number, number] => {
    const start = o * str[a] - padB[a];
    return [start, Math.min(start + ker[a] * dil[a], inp[a] + padE[a])];
  };
  const taps = (a: number, s: number, e: number): number => 1 + Math.trunc((e - s - 1) / dil[a]);
  const b = new Builder();
  for (let o0 = 0; o0 < out[0]; o0++) {
    const [s0, e0] = span(o0, 0);
    for (let o1 = 0; o1 < out[1]; o1++) {
      const [s1, e1] = span(o1, 1);
      for (let o2 = 0; o2 < out[2]; o2++) {
        const [s2, e2] = span(o2, 2);
        let n = 0;
        for (let i0 = s0; i0 < e0; i0 += dil[0]) {
          if (i0 < 0 || i0 >= inp[0]) continue;
          for (let i1 = s1; i1 < e1; i1 += dil[1]) {
            if (i1 < 0 || i1 >= inp[1]) continue;
            for (let i2 = s2; i2 < e2; i2 += dil[2]) {
              if (i2 < 0 || i2 >= inp[2]) continue;
              b.tap((i0 * inp[1] + i1) * inp[2] + i2);
              n++;
            }
          }
        }
        b.endGroup();
        const divisor = includePad ? taps(0, s0, e0) * taps(1, s1, e1) * taps(2, s2, e2) : n;
        b.endOutput(n > 0 ? f32Bits(divisor) : KEEP);
      }
    }
  }
  return finish(b, geo.outputSpatial, { global: false, initFirst: false, exact: true });
}
