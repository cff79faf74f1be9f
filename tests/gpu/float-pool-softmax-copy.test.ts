// pool.wgsl, softmax.wgsl and copy.wgsl vs pool.ref.ts, softmax.ref.ts and the data-movement refs.
// Tolerance: MaxPool and every copy exact (bit for bit, int8 included); AveragePool within 1e-6
// relative + 1e-5 absolute for inputs in [-5, 5] (f32 sums vs the reference's f64, cancellation); Softmax within 2e-6 relative + 1e-9 (WGSL exp and /).
import { describe, expect, it } from 'vitest';
import { pad } from '../../kernels/pad/pad.ref.js';
import { averagePool, globalAveragePool, maxPool, type PoolParams } from '../../kernels/pool/pool.ref.js';
import { preparePool } from '../../kernels/pool/pool.js';
import { concatRef } from '../../kernels/shape-ops/concat.ref.js';
import {
  type CopySpec,
  concatCopies,
  copyCount,
  expandCopy,
  gatherCopy,
  padCopy,
  prepareCopy,
  sliceCopy,
  splitCopies,
  transposeCopy,
} from '../../kernels/shape-ops/copy.js';
import { gatherRef } from '../../kernels/shape-ops/gather.ref.js';
import { sliceRange, sliceRef } from '../../kernels/shape-ops/slice.ref.js';
import { splitRef } from '../../kernels/shape-ops/split.ref.js';
import { transposeRef } from '../../kernels/shape-ops/transpose.ref.js';
import { softmax } from '../../kernels/softmax/softmax.ref.js';
import { prepareSoftmax } from '../../kernels/softmax/softmax.js';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { createStorageBuffer, readBuffer, uploadBuffer } from '../../kernels/gpu/buffers.js';
import { destroyDispatches, recordDispatches } from '../../kernels/gpu-float/float-dispatch.js';
import { packInt8 } from '../../kernels/gpu/int8-packing.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const size = (d: readonly number[]) => d.reduce((a, b) => a * b, 1);

describe('pool.wgsl', () => {
  const cases: { x: number[]; p: PoolParams; includePad?: boolean }[] = [
    { x: [1, 1, 4, 4], p: { kernelShape: [2, 2], strides: [2, 2] } },
    { x: [2, 3, 9, 8], p: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] } },
    { x: [1, 2, 7, 7], p: { kernelShape: [3, 2], strides: [2, 2], ceilMode: true, pads: [1, 0, 0, 1] } },
    { x: [1, 2, 10, 9], p: { kernelShape: [3, 3], dilations: [2, 2], autoPad: 'SAME_UPPER' } },
    { x: [1, 2, 7, 7], p: { kernelShape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }, includePad: true },
    { x: [2, 3, 11], p: { kernelShape: [3], strides: [2], pads: [1, 1] } },
  ];
  for (const c of cases) {
    for (const kind of ['max', 'average'] as const) {
      it(`${kind} x=[${c.x}] ${JSON.stringify(c.p)} includePad=${!!c.includePad}`, async () => {
        const x = makeTensor('float32', c.x, randomFloats(rng(size(c.x)), size(c.x), -5, 5));
        const expected = kind === 'max' ? maxPool(x, c.p).y : averagePool(x, c.p, c.includePad);
        const ctx = await gpu();
        let dims: number[] = [];
        const out = await runOnGpu(ctx, [x.data], expected.data.length * 4, async ([xb], y) => {
          const r = await preparePool(ctx, xb, y, {
            kind,
            xDims: c.x,
            ...c.p,
            countIncludePad: c.includePad,
          });
          dims = r.dims;
          return r.dispatch;
        });
        expect(dims).toEqual(expected.dims);
        expectClose(
          new Float32Array(out),
          expected.data as Float32Array,
          kind === 'max' ? 0 : 1e-6,
          kind === 'max' ? 0 : 1e-5,
        );
      });
    }
  }
  it('global average [2,5,13,13] and [1,3,1,1]', async () => {
    for (const d of [
      [2, 5, 13, 13],
      [1, 3, 1, 1],
    ]) {
      const x = makeTensor('float32', d, randomFloats(rng(7), size(d), -3, 3));
      const expected = globalAveragePool(x);
      const ctx = await gpu();
      const out = await runOnGpu(
        ctx,
        [x.data],
        expected.data.length * 4,
        async ([xb], y) => (await preparePool(ctx, xb, y, { kind: 'global-average', xDims: d })).dispatch,
      );
      expectClose(new Float32Array(out), expected.data as Float32Array, 1e-6);
    }
  });
});

describe('softmax.wgsl', () => {
  const cases: [number[], number, boolean][] = [
    [[1, 10], -1, false],
    [[3, 1000], 1, false],
    [[2, 3, 4, 5], 1, false],
    [[2, 3, 4, 5], 2, true],
    [[4, 7], 0, false],
    [[5], 0, false],
  ];
  for (const [dims, axis, legacy] of cases) {
    it(`softmax x=[${dims}] axis=${axis} coerceTo2d=${legacy}`, async () => {
      const x = makeTensor('float32', dims, randomFloats(rng(size(dims) + axis), size(dims), -20, 20));
      const expected = softmax(x, axis, legacy);
      const ctx = await gpu();
      const out = await runOnGpu(ctx, [x.data], size(dims) * 4, ([xb], y) =>
        prepareSoftmax(ctx, xb, y, { dims, axis, coerceTo2d: legacy }),
      );
      expectClose(new Float32Array(out), expected.data as Float32Array, 2e-6, 1e-9);
    });
  }
});

/** Runs copy specs from one source into one destination of `count` elements. */
async function copyOnGpu(
  src: ArrayBufferView,
  specs: CopySpec[],
  count: number,
  bytes = false,
): Promise<ArrayBuffer> {
  const ctx = await gpu();
  const s = uploadBuffer(ctx, 'test.src', src);
  const outBytes = bytes ? Math.ceil(count / 4) * 4 : count * 4;
  const d = createStorageBuffer(ctx, 'test.dst', outBytes);
  const dispatches = await Promise.all(specs.map((spec) => prepareCopy(ctx, s, d, spec, bytes)));
  const encoder = ctx.device.createCommandEncoder();
  recordDispatches(encoder, dispatches);
  ctx.device.queue.submit([encoder.finish()]);
  const out = await readBuffer(ctx, d, outBytes);
  destroyDispatches(dispatches);
  s.destroy();
  d.destroy();
  return out;
}

function iota(dims: number[]): Tensor {
  return makeTensor(
    'float32',
    dims,
    Float32Array.from({ length: size(dims) }, (_, i) => i * 0.5 - 3),
  );
}

describe('copy.wgsl (data movement)', () => {
  it('transpose: 2-D, 4-D perms, default reverse; int8 bytes', async () => {
    for (const [dims, perm] of [
      [
        [3, 5],
        [1, 0],
      ],
      [
        [2, 3, 4, 5],
        [0, 2, 3, 1],
      ],
      [[2, 3, 4], undefined],
      [
        [1, 7, 1, 3],
        [3, 1, 0, 2],
      ],
    ] as [number[], number[] | undefined][]) {
      const x = iota(dims);
      const expected = transposeRef(x, perm);
      const { spec, dims: outDims } = transposeCopy(dims, perm);
      expect(outDims).toEqual(expected.dims);
      expect(Array.from(new Float32Array(await copyOnGpu(x.data, [spec], size(dims))))).toEqual(
        Array.from(expected.data as Float32Array),
      );
      const q = makeTensor(
        'int8',
        dims,
        Int8Array.from({ length: size(dims) }, (_, i) => ((i * 37) % 256) - 128),
      );
      const qe = transposeRef(q, perm);
      const got = new Int8Array(
        await copyOnGpu(packInt8(q.data as Int8Array), [spec], size(dims), true),
        0,
        size(dims),
      );
      expect(Array.from(got)).toEqual(Array.from(qe.data as Int8Array));
    }
  });

  it('slice with negative steps and clamped ends', async () => {
    const dims = [4, 6, 5];
    const x = iota(dims);
    const starts = [-1, 1, 0];
    const ends = [-5, 100, 5];
    const steps = [-2, 2, 3];
    const expected = sliceRef(x, starts, ends, [0, 1, 2], steps);
    const ranges = dims.map((d, i) => sliceRange(d, starts[i], ends[i], steps[i]));
    const outDims = ranges.map((r) => r.count);
    expect(outDims).toEqual(expected.dims);
    const spec = sliceCopy(
      dims,
      outDims,
      ranges.map((r) => r.start),
      steps,
    );
    expect(Array.from(new Float32Array(await copyOnGpu(x.data, [spec], copyCount(spec))))).toEqual(
      Array.from(expected.data as Float32Array),
    );
  });

  it('concat along each axis and split', async () => {
    const a = iota([2, 3, 4]);
    const b = makeTensor(
      'float32',
      [2, 3, 4],
      Float32Array.from(a.data as Float32Array, (v) => v + 100),
    );
    for (const axis of [0, 1, 2]) {
      const bd = [2, 3, 4];
      bd[axis] = 1;
      const b2 = makeTensor('float32', bd, (b.data as Float32Array).slice(0, size(bd)));
      const expected = concatRef([a, b2], axis);
      const { specs, dims } = concatCopies([a.dims, b2.dims], axis);
      expect(dims).toEqual(expected.dims);
      // Both inputs land in one destination: copy them one source at a time.
      const ctx = await gpu();
      const d = createStorageBuffer(ctx, 'test.dst', size(dims) * 4);
      const srcs = [uploadBuffer(ctx, 'a', a.data), uploadBuffer(ctx, 'b', b2.data)];
      const ds = await Promise.all(specs.map((s, i) => prepareCopy(ctx, srcs[i], d, s)));
      const enc = ctx.device.createCommandEncoder();
      recordDispatches(enc, ds);
      ctx.device.queue.submit([enc.finish()]);
      expect(Array.from(new Float32Array(await readBuffer(ctx, d, size(dims) * 4)))).toEqual(
        Array.from(expected.data as Float32Array),
      );
      const parts = splitRef(expected, axis, [a.dims[axis], 1]);
      const splitSpecs = splitCopies(expected.dims, axis, [a.dims[axis], 1]);
      for (let k = 0; k < 2; k++) {
        const got = new Float32Array(
          await copyOnGpu(expected.data, [splitSpecs[k]], copyCount(splitSpecs[k])),
        );
        expect(Array.from(got)).toEqual(Array.from(parts[k].data as Float32Array));
      }
    }
  });

  it('pad in every mode, including crops', async () => {
    const x = iota([2, 3, 4]);
    for (const mode of ['constant', 'edge', 'reflect', 'wrap'] as const) {
      for (const pads of [
        [0, 1, 2, 1, 2, 3],
        [1, 0, 0, 0, -1, 1],
      ]) {
        const expected = pad(x, { pads, mode, constantValue: 1.5 });
        const { spec, dims } = padCopy(x.dims, pads, mode, new Uint32Array(Float32Array.of(1.5).buffer)[0]);
        expect(dims).toEqual(expected.dims);
        const got = new Float32Array(await copyOnGpu(x.data, [spec], size(dims)));
        expect(Array.from(got), `${mode} ${pads}`).toEqual(Array.from(expected.data as Float32Array));
      }
    }
  });

  it('gather with negative and repeated indices on each axis; expand', async () => {
    const x = iota([3, 4, 2]);
    for (const axis of [0, 1, 2]) {
      const dim = x.dims[axis];
      const raw = [-1, 0, dim - 1, 0];
      const idx = makeTensor('int64', [2, 2], BigInt64Array.from(raw.map(BigInt)));
      const expected = gatherRef(x, idx, axis);
      const { spec, dims } = gatherCopy(
        x.dims,
        axis,
        raw.map((v) => (v < 0 ? v + dim : v)),
        [2, 2],
      );
      expect(dims).toEqual(expected.dims);
      expect(Array.from(new Float32Array(await copyOnGpu(x.data, [spec], size(dims))))).toEqual(
        Array.from(expected.data as Float32Array),
      );
    }
    const e = iota([3, 1]);
    const spec = expandCopy([3, 1], [2, 3, 4]);
    const got = new Float32Array(await copyOnGpu(e.data, [spec], 24));
    expect(Array.from(got)).toEqual(
      Array.from({ length: 24 }, (_, i) => (e.data as Float32Array)[Math.floor(i / 4) % 3]),
    );
  });
});
