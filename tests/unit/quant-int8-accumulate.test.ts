// The int8 conv/dense oracles (int32 accumulators + overflow statistics) against a naive formula,
// against onnxruntime (ConvInteger / MatMulInteger), and each accumulator mode at its boundary.

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hostIntegerAccumulation, pairsU8S8 } from '../../app/exec/host-integer-accumulation.js';
import { conv2dInt8 } from '../../kernels/conv2d-int8/conv2d-int8.ref.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import type { AccumulatorMode } from '../../kernels/quant-math/accumulator.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

/** How onnxruntime's CPU kernels accumulate u8 x s8 on this host (VNNI or not). */
const HOST = hostIntegerAccumulation(
  existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined,
);

type I8 = Int8Array | Uint8Array;

function randData(r: () => number, signed: boolean, n: number): I8 {
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = signed ? randInt(r, -128, 127) : randInt(r, 0, 255);
  return out;
}

/** Exact conv written straight from the ONNX definition (no im2col), unbounded. */
function naiveConv(
  x: I8,
  [N, C, H, W]: number[],
  w: I8,
  [M, Cg, KH, KW]: number[],
  zx: number,
  zw: number[],
  group: number,
  [sh, sw]: number[],
  [dh, dw]: number[],
  [pt, pl, pb, pr]: number[],
): { out: number[]; dims: number[] } {
  const OH = Math.floor((H + pt + pb - dh * (KH - 1) - 1) / sh) + 1;
  const OW = Math.floor((W + pl + pr - dw * (KW - 1) - 1) / sw) + 1;
  const out: number[] = [];
  for (let n = 0; n < N; n++)
    for (let m = 0; m < M; m++)
      for (let oh = 0; oh < OH; oh++)
        for (let ow = 0; ow < OW; ow++) {
          let s = 0;
          const g = Math.floor(m / (M / group));
          for (let c = 0; c < Cg; c++)
            for (let kh = 0; kh < KH; kh++)
              for (let kw = 0; kw < KW; kw++) {
                const ih = oh * sh - pt + kh * dh;
                const iw = ow * sw - pl + kw * dw;
                const inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
                const xv = inside ? x[((n * C + g * Cg + c) * H + ih) * W + iw] : zx;
                s += (xv - zx) * (w[((m * Cg + c) * KH + kh) * KW + kw] - zw[m]);
              }
          out.push(s);
        }
  return { out, dims: [N, M, OH, OW] };
}

describe('conv2dInt8 (int32) against the naive formula', () => {
  const cases = [
    {
      name: 'x=[1,3,5,5] k=3 p=1 zx=-128 depth=1',
      xd: [1, 3, 5, 5],
      M: 4,
      k: [3, 3],
      g: 1,
      s: [1, 1],
      d: [1, 1],
      p: [1, 1, 1, 1],
      sx: true,
      sw: true,
      zx: -128,
    },
    {
      name: 'x=[2,5,7,6] k=3x2 s=2 d=2 p=2,0,1,3 zx=77 u8',
      xd: [2, 5, 7, 6],
      M: 3,
      k: [3, 2],
      g: 1,
      s: [2, 2],
      d: [2, 1],
      p: [2, 0, 1, 3],
      sx: false,
      sw: true,
      zx: 77,
    },
    {
      name: 'depthwise x=[1,7,6,6] k=3 s=2 p=1 zx=255 u8/u8',
      xd: [1, 7, 6, 6],
      M: 7,
      k: [3, 3],
      g: 7,
      s: [2, 1],
      d: [1, 1],
      p: [1, 1, 1, 1],
      sx: false,
      sw: false,
      zx: 255,
    },
    {
      name: 'grouped x=[1,6,4,5] g=3 M=9 k=1 zx=127',
      xd: [1, 6, 4, 5],
      M: 9,
      k: [1, 1],
      g: 3,
      s: [1, 1],
      d: [1, 1],
      p: [0, 0, 0, 0],
      sx: true,
      sw: true,
      zx: 127,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = rng(c.name.length * 7919);
      const x = randData(r, c.sx, c.xd[0] * c.xd[1] * c.xd[2] * c.xd[3]);
      const wd = [c.M, c.xd[1] / c.g, c.k[0], c.k[1]];
      const w = randData(r, c.sw, wd[0] * wd[1] * wd[2] * wd[3]);
      const zw = Array.from({ length: c.M }, () => (c.sw ? randInt(r, -128, 127) : randInt(r, 0, 255)));
      const bias = Array.from({ length: c.M }, () => randInt(r, -100000, 100000));
      const got = conv2dInt8({
        x,
        xDims: c.xd,
        w,
        wDims: wd,
        xZeroPoint: c.zx,
        wZeroPoint: zw,
        bias,
        group: c.g,
        strides: c.s,
        dilations: c.d,
        pads: c.p,
      });
      const want = naiveConv(x, c.xd, w, wd, c.zx, zw, c.g, c.s, c.d, c.p);
      expect(got.dims).toEqual(want.dims);
      const per = want.dims[2] * want.dims[3];
      expect(Array.from(got.acc)).toEqual(want.out.map((v, i) => v + bias[Math.floor(i / per) % c.M]));
      expect(Array.from(got.overflowCount)).toEqual(new Array(c.M).fill(0));
      const maxAbs = new Array(c.M).fill(0);
      want.out.forEach((v, i) => {
        const m = Math.floor(i / per) % c.M;
        maxAbs[m] = Math.max(maxAbs[m], Math.abs(v + bias[m]));
      });
      expect(Array.from(got.maxAbs)).toEqual(maxAbs);
    });
  }
});

describe('int8 oracles against onnxruntime', () => {
  it('ConvInteger u8 x, padding with zx != 0, per-tensor zw', async () => {
    const r = rng(11);
    const xd = [1, 3, 6, 5];
    const wd = [5, 3, 3, 3];
    const x = randData(r, false, 90) as Uint8Array;
    const w = randData(r, false, 135) as Uint8Array;
    const model = buildModel({
      inputs: [{ name: 'x', dtype: 'uint8', dims: xd }],
      outputs: [{ name: 'y', dtype: 'int32' }],
      initializers: {
        w: makeTensor('uint8', wd, w),
        zx: makeTensor('uint8', [], [131]),
        zw: makeTensor('uint8', [], [3]),
      },
      nodes: [
        {
          op: 'ConvInteger',
          inputs: ['x', 'w', 'zx', 'zw'],
          outputs: ['y'],
          attrs: { pads: [1, 2, 0, 1], strides: [1, 2] },
        },
      ],
    });
    const ortY = (await runOrt(model, { x: makeTensor('uint8', xd, x) })).y;
    const got = conv2dInt8({
      x,
      xDims: xd,
      w,
      wDims: wd,
      xZeroPoint: 131,
      wZeroPoint: 3,
      pads: [1, 2, 0, 1],
      strides: [1, 2],
    });
    expect(got.dims).toEqual(ortY.dims);
    expect(Array.from(got.acc)).toEqual(Array.from(ortY.data as Int32Array));
  });

  for (const [aSigned, bSigned, batchedB] of [
    [false, false, true],
    [false, true, false],
    [true, true, true],
  ] as const) {
    it(`MatMulInteger a=${aSigned ? 's8' : 'u8'} b=${bSigned ? 's8' : 'u8'} ${batchedB ? 'batched B, zb [3,1,7]' : '2-D B, zb [7]'}, K=13`, async () => {
      const r = rng(aSigned ? 5 : bSigned ? 6 : 7);
      const ad = [2, 3, 4, 13];
      const bd = batchedB ? [3, 13, 7] : [13, 7];
      const zbDims = batchedB ? [3, 1, 7] : [7];
      const a = randData(r, aSigned, 2 * 3 * 4 * 13);
      const b = randData(r, bSigned, (batchedB ? 3 : 1) * 13 * 7);
      const za = aSigned ? -7 : 200;
      const zb = Array.from({ length: batchedB ? 21 : 7 }, () =>
        bSigned ? randInt(r, -128, 127) : randInt(r, 0, 255),
      );
      const ta = aSigned ? 'int8' : 'uint8';
      const tb = bSigned ? 'int8' : 'uint8';
      const model = buildModel({
        inputs: [{ name: 'a', dtype: ta, dims: ad }],
        outputs: [{ name: 'y', dtype: 'int32' }],
        initializers: {
          b: makeTensor(tb, bd, b),
          za: makeTensor(ta, [], [za]),
          zb: makeTensor(tb, zbDims, zb),
        },
        nodes: [{ op: 'MatMulInteger', inputs: ['a', 'b', 'za', 'zb'], outputs: ['y'] }],
      });
      const ortY = (await runOrt(model, { a: makeTensor(ta, ad, a) })).y;
      const got = denseInt8({ a, aDims: ad, b, bDims: bd, aZeroPoint: za, bZeroPoint: zb });
      expect(got.dims).toEqual(ortY.dims);
      const ortValues = Array.from(ortY.data as Int32Array);
      // u8 x s8: onnxruntime uses VPMADDUBSW (saturating int16 pairs) on AVX2/AVX512BW CPUs
      // without VNNI, the exact int32 sum on VNNI CPUs and elsewhere: the host decides which, so
      // the test fails on either kind of machine when onnxruntime's answer is the other one.
      const pairwise = denseInt8({
        a,
        aDims: ad,
        b,
        bDims: bd,
        aZeroPoint: za,
        bZeroPoint: zb,
        accumulator: { kind: 'pairwise-int16-saturate' },
      });
      if (ta === 'uint8' && tb === 'int8') {
        // The case does saturate in pairs: the two answers differ, so the host's choice matters.
        expect(Array.from(pairwise.acc)).not.toEqual(Array.from(got.acc));
      }
      const expected = pairsU8S8(HOST, ta, tb) ? pairwise : got;
      expect(ortValues, `accumulation ${HOST}`).toEqual(Array.from(expected.acc));
    });
  }
});

/** A 1-row dense whose products and bias are given, with signed 8-bit inputs and zero points 0. */
function dense1(a: number[], b: number[], bias: number, mode: AccumulatorMode, aUnsigned = false) {
  return denseInt8({
    a: aUnsigned ? Uint8Array.from(a) : Int8Array.from(a),
    aDims: [1, a.length],
    b: Int8Array.from(b),
    bDims: [b.length, 1],
    bias: [bias],
    accumulator: mode,
  });
}

describe('accumulator modes at their overflow boundaries', () => {
  it('int32 wraps just above 2^31-1 (K=33025 products of 255*255 with zero points)', () => {
    const K = 33025;
    const base = K * 65025;
    for (const [extra, value, overflowed] of [
      [2 ** 31 - 1 - base, 2 ** 31 - 1, 0],
      [2 ** 31 - base, -(2 ** 31), 1],
    ]) {
      const got = denseInt8({
        a: new Int8Array(K).fill(-128),
        aDims: [1, K],
        b: new Int8Array(K).fill(-128),
        bDims: [K, 1],
        aZeroPoint: 127,
        bZeroPoint: 127,
        bias: [extra],
      });
      expect(got.acc[0]).toBe(value);
      expect(got.overflowCount[0]).toBe(overflowed);
      expect(got.maxAbs[0]).toBe(base + extra);
    }
  });

  for (const bits of [8, 12, 16, 24, 31]) {
    it(`wrap ${bits}: 2^${bits - 1}-1 stays, 2^${bits - 1} wraps, -2^${bits - 1} stays, one below wraps`, () => {
      const lim = 2 ** (bits - 1);
      const mode: AccumulatorMode = { kind: 'wrap', bits };
      // product 3*5 = 15, the bias moves the sum onto the boundary
      const at = (target: number) => dense1([3], [5], target - 15, mode);
      expect([at(lim - 1).acc[0], at(lim - 1).overflowCount[0]]).toEqual([lim - 1, 0]);
      expect([at(lim).acc[0], at(lim).overflowCount[0]]).toEqual([-lim, 1]);
      expect([at(-lim).acc[0], at(-lim).overflowCount[0]]).toEqual([-lim, 0]);
      expect([at(-lim - 1).acc[0], at(-lim - 1).overflowCount[0]]).toEqual([lim - 1, 1]);
    });
  }

  it('saturate 16: clamps after every multiply-add, so the order of the sum matters', () => {
    const mode: AccumulatorMode = { kind: 'saturate', bits: 16 };
    // 127*127 = 16129; three of them reach 48387 > 32767, then two negatives bring it back
    const up = dense1([127, 127, 127, -127, -127], [127, 127, 127, 127, 127], 0, mode);
    expect(up.acc[0]).toBe(32767 - 2 * 16129);
    expect(up.overflowCount[0]).toBe(1);
    expect(up.maxAbs[0]).toBe(16129);
    const reordered = dense1([127, -127, 127, -127, 127], [127, 127, 127, 127, 127], 0, mode);
    expect(reordered.acc[0]).toBe(16129);
    expect(reordered.overflowCount[0]).toBe(0);
  });

  for (const bits of [8, 16, 20, 32]) {
    it(`saturate ${bits}: exactly the limit stays, one more clamps; bias is added last`, () => {
      const lim = 2 ** (bits - 1);
      const mode: AccumulatorMode = { kind: 'saturate', bits };
      // one product of +-1, the (int32) bias brings the sum onto the target
      const at = (target: number) => dense1([1], [target < 0 ? -1 : 1], target - (target < 0 ? -1 : 1), mode);
      expect([at(lim - 1).acc[0], at(lim - 1).overflowCount[0]]).toEqual([lim - 1, 0]);
      if (bits < 32) {
        expect([at(lim).acc[0], at(lim).overflowCount[0]]).toEqual([lim - 1, 1]);
        expect([at(-lim - 1).acc[0], at(-lim - 1).overflowCount[0]]).toEqual([-lim, 1]);
      }
      expect([at(-lim).acc[0], at(-lim).overflowCount[0]]).toEqual([-lim, 0]);
      // products clamp first, then a negative bias pulls the clamped value down
      if (bits === 8) {
        const r = dense1([100, 100], [1, 1], -100, mode); // 100 + 100 -> 127, then 127 - 100
        expect([r.acc[0], r.overflowCount[0]]).toEqual([27, 1]);
      }
    });
  }

  it('pairwise-int16-saturate: a pair summing to 32767 stays, 32769 saturates (u8 x s8)', () => {
    const mode: AccumulatorMode = { kind: 'pairwise-int16-saturate' };
    const ok = dense1([255, 191], [127, 2], 0, mode, true);
    expect([ok.acc[0], ok.overflowCount[0]]).toEqual([32767, 0]);
    const sat = dense1([255, 192], [127, 2], 0, mode, true);
    expect([sat.acc[0], sat.overflowCount[0], sat.maxAbs[0]]).toEqual([32767, 1, 32769]);
    // the same two products in different pairs do not saturate: (255*127 + 0) + (192*2 + 0)
    const split = dense1([255, 0, 192, 0], [127, 0, 2, 0], 0, mode, true);
    expect([split.acc[0], split.overflowCount[0]]).toEqual([32769, 0]);
    // the negative side: 255*-128 + 1*-1 = -32641 stays; 255*-128*2 saturates to -32768
    const neg = dense1([255, 255], [-128, -128], 5, mode, true);
    expect([neg.acc[0], neg.overflowCount[0]]).toEqual([-32768 + 5, 1]);
  });

  it('pairwise-int16-saturate maps int8 activations to x+128 with zx+128 (odd K, zero points)', () => {
    const mode: AccumulatorMode = { kind: 'pairwise-int16-saturate' };
    // int8 x = 127 becomes u8 255: pair 255*127 + 255*127 saturates even though zx = 127 makes
    // the exact sum small; this is what VPMADDUBSW does.
    const got = denseInt8({
      a: Int8Array.from([127, 127, 3]),
      aDims: [1, 3],
      b: Int8Array.from([127, 127, -5]),
      bDims: [3, 1],
      aZeroPoint: 127,
      bZeroPoint: 1,
      accumulator: mode,
    });
    const exact = 0 + 0 + (3 - 127) * (-5 - 1);
    expect(got.maxAbs[0]).toBe(exact);
    expect(got.overflowCount[0]).toBe(1);
    // raw = sat16(64770) + 131*-5 = 32767 - 655; corrections with zxu = 255, zws = 1
    const raw = 32767 - 655;
    expect(got.acc[0]).toBe(raw - 1 * (255 + 255 + 131) - 255 * (127 + 127 - 5) + 3 * 255 * 1);
    // small random values never saturate: equals the exact int32 result
    const r = rng(3);
    for (let t = 0; t < 20; t++) {
      const K = randInt(r, 1, 9);
      const a = Int8Array.from({ length: K * 2 }, () => randInt(r, -20, 20));
      const b = Int8Array.from({ length: K * 3 }, () => randInt(r, -20, 20));
      const p = {
        a,
        aDims: [2, K],
        b,
        bDims: [K, 3],
        aZeroPoint: randInt(r, -128, 127),
        bZeroPoint: [1, -3, 0],
        bias: [1, 2, -3],
      };
      expect(Array.from(denseInt8({ ...p, accumulator: mode }).acc)).toEqual(Array.from(denseInt8(p).acc));
    }
  });

  it('conv K order is (c, kh, kw): a 1x1-output conv equals the dense over flattened weights in every mode', () => {
    const r = rng(99);
    const modes: AccumulatorMode[] = [
      { kind: 'saturate', bits: 12 },
      { kind: 'pairwise-int16-saturate' },
      { kind: 'wrap', bits: 14 },
    ];
    for (const accumulator of modes) {
      const x = randData(r, true, 3 * 3 * 3) as Int8Array;
      const w = randData(r, true, 4 * 27) as Int8Array;
      const conv = conv2dInt8({
        x,
        xDims: [1, 3, 3, 3],
        w,
        wDims: [4, 3, 3, 3],
        xZeroPoint: -20,
        wZeroPoint: [0, 5, -5, 9],
        bias: [7, 8, 9, -10],
        accumulator,
      });
      const dense = denseInt8({
        a: x,
        aDims: [1, 27],
        b: w,
        bDims: [4, 27],
        transB: true,
        aZeroPoint: -20,
        bZeroPoint: [0, 5, -5, 9],
        bias: [7, 8, 9, -10],
        accumulator,
      });
      expect(Array.from(conv.acc)).toEqual(Array.from(dense.acc));
      expect(Array.from(conv.overflowCount)).toEqual(Array.from(dense.overflowCount));
      expect(conv.overflowCount.some((c) => c > 0)).toBe(true);
    }
  });
});
