// broadcast-ops.wgsl vs broadcast-ops.ref.ts on Dawn / SwiftShader: every table op with a GPU
// expression over random broadcast shapes (f32; bool for the logic ops), NaN / inf / +-0 edges,
// Not, and Where over 32-bit and 8-bit values. All exact (toEqual: NaN equals NaN, +0 is not -0): max/min/compare/select have one answer,
// and PRelu's one f32 product rounds as the reference's Float32Array store does.
import { describe, expect, it } from 'vitest';
import { prepareBroadcastMap, type MapOp } from '../../kernels/broadcast-ops/broadcast-ops.js';
import {
  BROADCAST_TABLE,
  type BroadcastName,
  broadcastRef,
  notRef,
  whereRef,
} from '../../kernels/broadcast-ops/broadcast-ops.ref.js';
import { packInt8 } from '../../kernels/gpu/int8-packing.js';
import type { DType, Tensor } from '../../kernels/tensor.js';
import { randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();

function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

function broadcastPair(r: () => number): [number[], number[]] {
  const out = Array.from({ length: randInt(r, 0, 4) }, () => randInt(r, 1, 5));
  const sub = () => out.slice(out.length - randInt(r, 0, out.length)).map((d) => (r() < 0.3 ? 1 : d));
  return [sub(), sub()];
}

const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);
const SPECIALS = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1, -1];

function tensor(r: () => number, dtype: DType, dims: number[]): Tensor {
  const n = size(dims);
  if (dtype === 'float32') {
    // Small integers so ties (equal values) happen often; some specials.
    const v = Float32Array.from(randomFloats(r, n, -3, 3), (x) =>
      r() < 0.15 ? SPECIALS[randInt(r, 0, 6)] : Math.round(x),
    );
    return { dtype, dims, data: v };
  }
  if (dtype === 'int32')
    return { dtype, dims, data: Int32Array.from({ length: n }, () => randInt(r, -1e9, 1e9)) };
  return {
    dtype,
    dims,
    data: Uint8Array.from({ length: n }, () => randInt(r, 0, dtype === 'bool' ? 1 : 255)),
  };
}

/** The GPU layout of a tensor: 8-bit dtypes packed 4 per word. */
function gpuBytes(t: Tensor): ArrayBufferView {
  if (t.dtype === 'bool' || t.dtype === 'uint8') return packInt8(t.data as Uint8Array);
  return t.data;
}

async function runMap(
  op: MapOp,
  inputs: Tensor[],
  outType: DType,
  valueKind?: 'word' | 'byte',
): Promise<number[]> {
  const ctx = await gpu();
  const dims = inputs.map((t) => t.dims);
  const outDims = broadcastShape(dims);
  const count = size(outDims);
  const byteOut = outType === 'bool' || outType === 'uint8';
  const bytes = Math.max(4, byteOut ? Math.ceil(count / 4) * 4 : count * 4);
  const raw = await runOnGpu(ctx, inputs.map(gpuBytes), bytes, async (ins, out) => {
    return (await prepareBroadcastMap(ctx, ins, out, { op, dims, valueKind })).dispatch;
  });
  if (byteOut) return Array.from(new Uint8Array(raw, 0, count));
  return Array.from(outType === 'int32' ? new Int32Array(raw, 0, count) : new Float32Array(raw, 0, count));
}

function broadcastShape(dims: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...dims.map((d) => d.length));
  return Array.from({ length: rank }, (_, k) => Math.max(1, ...dims.map((d) => d[d.length - rank + k] ?? 1)));
}

describe('broadcast map kernel', () => {
  const ops = (Object.keys(BROADCAST_TABLE) as BroadcastName[]).filter((op) => BROADCAST_TABLE[op].wgsl);
  for (const op of ops) {
    it(`${op}: random broadcast shapes and edges`, async () => {
      const r = rng(op.length * 4099 + op.charCodeAt(1));
      const kind = BROADCAST_TABLE[op].kind;
      const inType: DType = kind === 'logic' ? 'bool' : 'float32';
      for (let k = 0; k < 12; k++) {
        const [da, db] = broadcastPair(r);
        const a = tensor(r, inType, da);
        const b = tensor(r, inType, db);
        const expected = broadcastRef(op, a, b);
        const got = await runMap(op, [a, b], expected.dtype);
        expect(got, `${op} [${da}] vs [${db}]`).toEqual(Array.from(expected.data as ArrayLike<number>));
      }
    });
  }

  it('Not', async () => {
    const x = tensor(rng(9), 'bool', [3, 7]);
    expect(await runMap('Not', [x], 'bool')).toEqual(Array.from(notRef(x).data as Uint8Array));
  });

  for (const dtype of ['float32', 'int32', 'uint8', 'bool'] as DType[]) {
    it(`Where over ${dtype} values: three-way broadcasts, bits copied`, async () => {
      const r = rng(dtype.length * 17);
      for (let k = 0; k < 10; k++) {
        const [d0, d1] = broadcastPair(r);
        const [, d2] = broadcastPair(r);
        const dims = [d0, d1, d2];
        try {
          broadcastShape(dims);
          whereRef(tensor(r, 'bool', d0), tensor(r, dtype, d1), tensor(r, dtype, d2));
        } catch {
          continue; // not broadcastable together
        }
        const c = tensor(r, 'bool', d0);
        const x = tensor(r, dtype, d1);
        const y = tensor(r, dtype, d2);
        const expected = whereRef(c, x, y);
        const kind = dtype === 'uint8' || dtype === 'bool' ? 'byte' : 'word';
        const got = await runMap('Where', [c, x, y], dtype, kind);
        expect(got, `Where ${dtype} [${d0}] [${d1}] [${d2}]`).toEqual(
          Array.from(expected.data as ArrayLike<number>),
        );
      }
    });
  }
});
