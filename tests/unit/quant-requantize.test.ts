// Requantization schemes (onnxruntime f32, gemmlowp/TFLite Q31, TVM Q31 UPWARD/TONEAREST) on
// hand-computed edge cases, and QLinearMatMul / QLinearConv through the CPU interpreter against
// onnxruntime-node on random cases (u8u8 and s8s8; u8s8 saturates pairs on non-VNNI x86).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import {
  fixedPointMultiplyTvm,
  fusedClampBounds,
  multiplyByQuantizedMultiplier,
  ortRequantMultiplier,
  quantizeMultiplier,
  requantizeOrt,
  requantizeTensor,
  roundingDivideByPOT,
  saturatingRoundingDoublingHighMul,
} from '../../kernels/requantize/requantize.ref.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

describe('requantize schemes', () => {
  it('onnxruntime: f32 multiply then ties to even, zero point, clamp', () => {
    const m = ortRequantMultiplier(0.5, 1, 1); // exactly 0.5
    expect([1, 3, 5, -1, -3, -5].map((a) => requantizeOrt(a, m, 0, -128, 127))).toEqual([
      0, 2, 2, 0, -2, -2,
    ]);
    expect(requantizeOrt(1000, m, 10, -128, 127)).toBe(127);
    expect(requantizeOrt(-1000, m, 10, 0, 255)).toBe(0);
    // f32(acc) loses bits above 2^24: 16777217 becomes 16777216 before the multiply
    expect(requantizeOrt(16777217, 1, 0, -(2 ** 31), 2 ** 31)).toBe(16777216);
    expect(ortRequantMultiplier(0.1, 0.2, 0.3)).toBe(
      Math.fround(Math.fround(Math.fround(0.1) * Math.fround(0.2)) / Math.fround(0.3)),
    );
  });

  it('quantizeMultiplier: frexp mantissa in Q31, rounding carry, tiny flush', () => {
    expect(quantizeMultiplier(0.5)).toEqual({ q31: 2 ** 30, shift: 0 });
    expect(quantizeMultiplier(1)).toEqual({ q31: 2 ** 30, shift: 1 });
    expect(quantizeMultiplier(0.75)).toEqual({ q31: 3 * 2 ** 29, shift: 0 });
    expect(quantizeMultiplier(0.1)).toEqual({ q31: Math.round(0.8 * 2 ** 31), shift: -3 });
    expect(quantizeMultiplier(1 - 2 ** -40)).toEqual({ q31: 2 ** 30, shift: 1 }); // mantissa rounds up to 2^31
    expect(quantizeMultiplier(2 ** -40)).toEqual({ q31: 0, shift: 0 });
  });

  it('gemmlowp primitives: SRDHM rounds ties up, RoundingDivideByPOT away from zero', () => {
    expect(saturatingRoundingDoublingHighMul(-(2 ** 31), -(2 ** 31))).toBe(2 ** 31 - 1);
    expect(saturatingRoundingDoublingHighMul(3, 2 ** 30)).toBe(2); // 1.5 -> 2
    expect(saturatingRoundingDoublingHighMul(-3, 2 ** 30)).toBe(-1); // -1.5 -> -1: its nudge rounds negative ties up
    expect(saturatingRoundingDoublingHighMul(5, 2 ** 29)).toBe(1); // 1.25 -> 1
    expect([5, -5, 6, -6, 7, -7].map((x) => roundingDivideByPOT(x, 1))).toEqual([3, -3, 3, -3, 4, -4]);
    expect(roundingDivideByPOT(-(2 ** 31), 31)).toBe(-1);
    const half = quantizeMultiplier(0.25); // q31 = 2^30, shift -1
    expect([3, -3, 6, -6, 2, -2].map((a) => multiplyByQuantizedMultiplier(a, half))).toEqual([
      1, -1, 2, -2, 1, -1,
    ]);
  });

  it('TVM UPWARD rounds ties toward +inf, TONEAREST away from zero', () => {
    const half = quantizeMultiplier(0.5);
    expect([1, -1, 3, -3].map((a) => fixedPointMultiplyTvm(a, half, 'UPWARD'))).toEqual([1, 0, 2, -1]);
    expect([1, -1, 3, -3].map((a) => fixedPointMultiplyTvm(a, half, 'TONEAREST'))).toEqual([1, -1, 2, -2]);
    const two = quantizeMultiplier(2); // left shift
    expect(fixedPointMultiplyTvm(-7, two)).toBe(-14);
  });

  it('schemes agree away from ties and stay within one step of the real product', () => {
    const r = rng(8);
    for (let i = 0; i < 300; i++) {
      const acc = randInt(r, -(2 ** 20), 2 ** 20);
      const real = 10 ** (-5 * r());
      const fm = quantizeMultiplier(real);
      const exact = acc * real;
      for (const v of [
        multiplyByQuantizedMultiplier(acc, fm),
        fixedPointMultiplyTvm(acc, fm, 'UPWARD'),
        fixedPointMultiplyTvm(acc, fm, 'TONEAREST'),
      ]) {
        expect(Math.abs(v - exact)).toBeLessThanOrEqual(0.5 + 1e-6 * Math.abs(exact) + 1e-9);
      }
    }
  });

  it('fused Relu / Clip tighten the clamp bounds; requantizeTensor applies them per channel', () => {
    expect(fusedClampBounds({ kind: 'relu' }, 0.1, 10, 0, 255)).toEqual({ qmin: 10, qmax: 255 });
    expect(fusedClampBounds({ kind: 'clip', min: 0, max: 6 }, 0.05, -128, -128, 127)).toEqual({
      qmin: -128,
      qmax: -8,
    });
    const y = requantizeTensor({
      acc: Int32Array.from([-50, 50, 300, -300]),
      dims: [1, 2, 2],
      channelAxis: 1,
      inputScale: 1,
      weightScale: [0.1, 1],
      outputScale: 1,
      outputZeroPoint: 0,
      qmin: -128,
      qmax: 127,
      activation: { kind: 'relu' },
    });
    expect(Array.from(y)).toEqual([0, 5, 127, 0]);
    const g = requantizeTensor({
      acc: Int32Array.from([3, -3]),
      dims: [2],
      channelAxis: 0,
      inputScale: 0.5,
      weightScale: 1,
      outputScale: 1,
      outputZeroPoint: 0,
      qmin: -128,
      qmax: 127,
      scheme: { kind: 'tvm' },
    });
    expect(Array.from(g)).toEqual([2, -1]);
  });
});

function ortAndCpu(model: Uint8Array, feeds: Record<string, Tensor>) {
  const cpu = new CpuInterpreter(decodeModel(model)).runSync(new Map(Object.entries(feeds)));
  return { cpu: cpu.get('y')!, ort: runOrt(model, feeds) };
}

describe('QLinearMatMul / QLinearConv against onnxruntime (random)', () => {
  for (const t of ['uint8', 'int8'] as const) {
    it(`QLinearMatMul ${t} batched, per-column b scale and zero point, K=19`, async () => {
      const r = rng(t === 'int8' ? 9 : 10);
      const lo = t === 'int8' ? -128 : 0;
      const hi = t === 'int8' ? 127 : 255;
      const ad = [3, 5, 19];
      const a = makeTensor(
        t,
        ad,
        Array.from({ length: 285 }, () => randInt(r, lo, hi)),
      );
      const b = makeTensor(
        t,
        [19, 6],
        Array.from({ length: 114 }, () => randInt(r, lo, hi)),
      );
      const model = buildModel({
        opset: 21,
        inputs: [{ name: 'a', dtype: t, dims: ad }],
        outputs: [{ name: 'y', dtype: t }],
        initializers: {
          as: makeTensor('float32', [], [0.02]),
          az: makeTensor(t, [], [randInt(r, lo, hi)]),
          b,
          bs: makeTensor(
            'float32',
            [6],
            Array.from({ length: 6 }, () => 0.001 + r() * 0.01),
          ),
          bz: makeTensor(
            t,
            [6],
            Array.from({ length: 6 }, () => randInt(r, lo, hi)),
          ),
          ys: makeTensor('float32', [], [0.9]),
          yz: makeTensor(t, [], [randInt(r, lo, hi)]),
        },
        nodes: [
          { op: 'QLinearMatMul', inputs: ['a', 'as', 'az', 'b', 'bs', 'bz', 'ys', 'yz'], outputs: ['y'] },
        ],
      });
      const { cpu, ort } = ortAndCpu(model, { a });
      const want = (await ort).y;
      expect(cpu.dims).toEqual(want.dims);
      expect(Array.from(cpu.data as Int8Array)).toEqual(Array.from(want.data as Int8Array));
    });
  }

  const convCases: {
    name: string;
    t: DType;
    xd: number[];
    M: number;
    k: number;
    group: number;
    attrs: Record<string, number[] | string>;
  }[] = [
    {
      name: 'u8 3x3 pads 1 stride 2, per-channel w',
      t: 'uint8',
      xd: [1, 3, 9, 8],
      M: 5,
      k: 3,
      group: 1,
      attrs: { pads: [1, 1, 1, 1], strides: [2, 2] },
    },
    {
      name: 's8 depthwise 3x3 SAME_UPPER',
      t: 'int8',
      xd: [1, 6, 7, 7],
      M: 6,
      k: 3,
      group: 6,
      attrs: { auto_pad: 'SAME_UPPER' },
    },
    {
      name: 's8 grouped 1x1 + dilated 2x2',
      t: 'int8',
      xd: [2, 4, 6, 5],
      M: 4,
      k: 2,
      group: 2,
      attrs: { dilations: [2, 2], pads: [0, 1, 2, 0] },
    },
  ];
  for (const c of convCases) {
    it(`QLinearConv ${c.name}`, async () => {
      const r = rng(c.name.length);
      const signed = c.t === 'int8';
      const lo = signed ? -128 : 0;
      const hi = signed ? 127 : 255;
      const n = c.xd.reduce((x, y) => x * y, 1);
      const wd = [c.M, c.xd[1] / c.group, c.k, c.k];
      const x = makeTensor(
        c.t,
        c.xd,
        Array.from({ length: n }, () => randInt(r, lo, hi)),
      );
      const model = buildModel({
        inputs: [{ name: 'x', dtype: c.t, dims: c.xd }],
        outputs: [{ name: 'y', dtype: c.t }],
        initializers: {
          xs: makeTensor('float32', [], [0.05]),
          xz: makeTensor(c.t, [], [signed ? 5 : 131]),
          w: makeTensor(
            c.t,
            wd,
            Array.from({ length: wd.reduce((p, q) => p * q, 1) }, () => randInt(r, lo, hi)),
          ),
          ws: makeTensor(
            'float32',
            [c.M],
            Array.from({ length: c.M }, () => 0.002 + r() * 0.01),
          ),
          wz: makeTensor(c.t, [c.M], new Array(c.M).fill(signed ? 0 : 128)),
          ys: makeTensor('float32', [], [0.3]),
          yz: makeTensor(c.t, [], [signed ? -10 : 120]),
          bias: makeTensor(
            'int32',
            [c.M],
            Array.from({ length: c.M }, () => randInt(r, -5000, 5000)),
          ),
        },
        nodes: [
          {
            op: 'QLinearConv',
            inputs: ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz', 'bias'],
            outputs: ['y'],
            attrs: { ...c.attrs, group: c.group },
          },
        ],
      });
      const { cpu, ort } = ortAndCpu(model, { x });
      const want = (await ort).y;
      expect(cpu.dims).toEqual(want.dims);
      expect(Array.from(cpu.data as Int8Array)).toEqual(Array.from(want.data as Int8Array));
    });
  }
});
