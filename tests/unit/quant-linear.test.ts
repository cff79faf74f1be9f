// Scalar quant math, QuantizeLinear / DequantizeLinear / DynamicQuantizeLinear refs, bit-exact
// against onnxruntime-node (curated ties and random values), and computeScaleZeroPoint by hand.
import { describe, expect, it } from 'vitest';
import {
  computeScaleZeroPoint,
  dequantizeValue,
  qRange,
  quantizeValue,
  roundHalfEven,
} from '../../kernels/quant-math/quant-math.js';
import {
  dequantizeLinear,
  dynamicQuantizeLinear,
  fakeQuantize,
  quantizeLinear,
} from '../../kernels/quantize/quantize.ref.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

const bits = new Float32Array(1);
const ibits = new Int32Array(bits.buffer);
/** The f32 `n` ULPs away from v (v finite, nonzero sign preserved). */
function ulpStep(v: number, n: number): number {
  bits[0] = v;
  ibits[0] += v < 0 ? -n : n;
  return bits[0];
}

describe('roundHalfEven', () => {
  it('rounds ties to even for both signs and leaves other values to nearest', () => {
    const cases: [number, number][] = [
      [0.5, 0],
      [1.5, 2],
      [2.5, 2],
      [3.5, 4],
      [-0.5, 0],
      [-1.5, -2],
      [-2.5, -2],
      [-3.5, -4],
      [0.49999997, 0],
      [0.50000006, 1],
      [-0.50000006, -1],
      [126.5, 126],
      [127.5, 128],
      [-128.5, -128],
      [2 ** 52 + 1, 2 ** 52 + 1],
      [1.25, 1],
      [-1.75, -2],
    ];
    for (const [x, want] of cases) expect(roundHalfEven(x) + 0, `${x}`).toBe(want);
    expect(roundHalfEven(Number.NaN)).toBeNaN();
  });
});

describe('qRange and computeScaleZeroPoint', () => {
  it('ranges per dtype and mode', () => {
    expect(qRange('int8')).toEqual({ qmin: -128, qmax: 127 });
    expect(qRange('int8', 'restricted')).toEqual({ qmin: -127, qmax: 127 });
    expect(qRange('int8', 'reduced')).toEqual({ qmin: -64, qmax: 64 });
    expect(qRange('uint8', 'reduced')).toEqual({ qmin: 0, qmax: 127 });
    expect(qRange('uint8', 'restricted')).toEqual({ qmin: 0, qmax: 255 });
    expect(qRange('int16')).toEqual({ qmin: -32768, qmax: 32767 });
  });
  it('matches onnxruntime compute_scale_zp on hand-computed cases', () => {
    // uint8 [-1, 1]: s = 2/255, zp = round(0 + 1/s) = round(127.5) = 128 (tie to even)
    expect(computeScaleZeroPoint(-1, 1, 0, 255)).toEqual({ scale: Math.fround(2 / 255), zeroPoint: 128 });
    // the range is widened to contain 0: [2, 4] -> [0, 4]
    expect(computeScaleZeroPoint(2, 4, -128, 127)).toEqual({ scale: Math.fround(4 / 255), zeroPoint: -128 });
    // symmetric int8 restricted: zp = round((-127 + 127) / 2) = 0, s = 2*3/254
    expect(computeScaleZeroPoint(-1, 3, -127, 127, true)).toEqual({
      scale: Math.fround(6 / 254),
      zeroPoint: 0,
    });
    // symmetric full int8: zp = round(-0.5) = 0 (tie to even), uint8: round(127.5) = 128
    expect(computeScaleZeroPoint(-2, 1, -128, 127, true).zeroPoint).toBe(0);
    expect(computeScaleZeroPoint(-2, 1, 0, 255, true).zeroPoint).toBe(128);
    // a range below f32 tiny falls back to (1, 0)
    expect(computeScaleZeroPoint(0, 1e-40, 0, 255)).toEqual({ scale: 1, zeroPoint: 0 });
    expect(computeScaleZeroPoint(0, 0, -128, 127)).toEqual({ scale: 1, zeroPoint: 0 });
    // the f64 scale (not the stored f32 one) decides zp: -0.3 / (1.3/255) = -58.846...
    expect(computeScaleZeroPoint(-0.3, 1, 0, 255).zeroPoint).toBe(Math.round(0.3 / (Math.fround(1.3) / 255)));
  });
});

function quantizeModel(
  dtype: DType,
  scale: Tensor,
  zp: Tensor,
  dims: number[],
  attrs: Record<string, number> = {},
  opset = 13,
) {
  return buildModel({
    opset,
    inputs: [{ name: 'x', dtype: 'float32', dims }],
    outputs: [{ name: 'y', dtype }],
    initializers: { s: scale, zp },
    nodes: [{ op: 'QuantizeLinear', inputs: ['x', 's', 'zp'], outputs: ['y'], attrs }],
  });
}

describe('QuantizeLinear against onnxruntime', () => {
  const scales = [0.1, 1 / 3, 2 ** -10, 0.0078125, 0.017, 3.7];
  const zps: [DType, number][] = [
    ['int8', -128],
    ['int8', 0],
    ['int8', 127],
    ['int8', -3],
    ['uint8', 0],
    ['uint8', 128],
    ['uint8', 255],
  ];
  it('ties at exactly .5, their 1-2 ULP neighbours, and random values, every scale and zero point', async () => {
    const r = rng(1);
    for (const s of scales) {
      const sf = Math.fround(s);
      const xs: number[] = [0, -0, 1e30, -1e30, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
      for (let k = -300; k <= 300; k += 7) {
        const tie = Math.fround((k + 0.5) * sf);
        xs.push(tie, ulpStep(tie, 1), ulpStep(tie, -1), ulpStep(tie, 2), ulpStep(tie, -2));
      }
      for (let i = 0; i < 200; i++) xs.push(Math.fround((r() - 0.5) * 300 * sf));
      const x = makeTensor('float32', [xs.length], Float32Array.from(xs));
      for (const [dtype, z] of zps) {
        const model = quantizeModel(dtype, makeTensor('float32', [], [sf]), makeTensor(dtype, [], [z]), [
          xs.length,
        ]);
        const want = (await runOrt(model, { x })).y;
        const got = quantizeLinear(x, { scale: [sf], scaleDims: [], zeroPoint: [z] }, dtype as 'int8');
        expect(Array.from(got.data as Int8Array), `s=${s} zp=${z} ${dtype}`).toEqual(
          Array.from(want.data as Int8Array),
        );
      }
    }
  });

  it('int16 / uint16 and per-axis (opset 21)', async () => {
    const r = rng(2);
    const dims = [2, 3, 5];
    const x = makeTensor(
      'float32',
      dims,
      Float32Array.from({ length: 30 }, () => (r() - 0.5) * 4000),
    );
    for (const dtype of ['int16', 'uint16'] as const) {
      const s = [0.07, 0.5, 1 / 3];
      const z = dtype === 'int16' ? [-300, 0, 32767] : [0, 40000, 65535];
      const model = quantizeModel(
        dtype,
        makeTensor('float32', [3], s),
        makeTensor(dtype, [3], z),
        dims,
        { axis: 1 },
        21,
      );
      const want = (await runOrt(model, { x })).y;
      const got = quantizeLinear(
        x,
        { scale: Float32Array.from(s), scaleDims: [3], zeroPoint: z, axis: 1 },
        dtype,
      );
      expect(Array.from(got.data as Int16Array)).toEqual(Array.from(want.data as Int16Array));
    }
  });

  it('blocked (opset 21, block_size 3 on an axis of 7, negative axis)', async () => {
    const r = rng(3);
    const dims = [2, 7, 4];
    const x = makeTensor(
      'float32',
      dims,
      Float32Array.from({ length: 56 }, () => (r() - 0.5) * 50),
    );
    const s = Float32Array.from({ length: 2 * 3 * 4 }, () => 0.05 + r());
    const z = Int8Array.from({ length: 24 }, () => randInt(r, -20, 20));
    const model = quantizeModel(
      'int8',
      makeTensor('float32', [2, 3, 4], s),
      makeTensor('int8', [2, 3, 4], z),
      dims,
      { axis: -2, block_size: 3 },
      21,
    );
    const want = (await runOrt(model, { x })).y;
    const got = quantizeLinear(
      x,
      { scale: s, scaleDims: [2, 3, 4], zeroPoint: z, axis: -2, blockSize: 3 },
      'int8',
    );
    expect(Array.from(got.data as Int8Array)).toEqual(Array.from(want.data as Int8Array));
  });
});

describe('DequantizeLinear and fake-quant against onnxruntime', () => {
  it('int32 per axis, uint8 per tensor', async () => {
    const r = rng(4);
    const q = makeTensor(
      'int32',
      [3, 4],
      Int32Array.from({ length: 12 }, () => randInt(r, -(2 ** 31), 2 ** 31 - 1)),
    );
    const s = [0.001, 1 / 3, 7.5];
    const model = buildModel({
      inputs: [{ name: 'q', dtype: 'int32', dims: [3, 4] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: { s: makeTensor('float32', [3], s), zp: makeTensor('int32', [3], [0, 0, 0]) },
      nodes: [{ op: 'DequantizeLinear', inputs: ['q', 's', 'zp'], outputs: ['y'], attrs: { axis: 0 } }],
    });
    const want = (await runOrt(model, { q })).y;
    const got = dequantizeLinear(q, {
      scale: Float32Array.from(s),
      scaleDims: [3],
      zeroPoint: [0, 0, 0],
      axis: 0,
    });
    expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    for (let v = 0; v <= 255; v++)
      expect(dequantizeValue(v, 0.1, 131)).toBe(Math.fround((v - 131) * Math.fround(0.1)));
  });

  it('fake-quant equals Q then DQ in onnxruntime', async () => {
    const r = rng(5);
    const x = makeTensor(
      'float32',
      [64],
      Float32Array.from({ length: 64 }, () => (r() - 0.5) * 10),
    );
    const model = buildModel({
      inputs: [{ name: 'x', dtype: 'float32', dims: [64] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      initializers: { s: makeTensor('float32', [], [0.03]), zp: makeTensor('uint8', [], [100]) },
      nodes: [
        { op: 'QuantizeLinear', inputs: ['x', 's', 'zp'], outputs: ['q'] },
        { op: 'DequantizeLinear', inputs: ['q', 's', 'zp'], outputs: ['y'] },
      ],
    });
    const want = (await runOrt(model, { x })).y;
    const got = fakeQuantize(x, { scale: [Math.fround(0.03)], scaleDims: [], zeroPoint: [100] }, 0, 255);
    expect(Array.from(got.data as Float32Array)).toEqual(Array.from(want.data as Float32Array));
    expect(quantizeValue(Number.NaN, 0.1, 7, -128, 127)).toBe(7);
  });
});

describe('DynamicQuantizeLinear against onnxruntime', () => {
  const inputs: [string, number[]][] = [
    ['mixed signs', [-1.5, 0.3, 2.25, -0.75, 1e-3]],
    ['all positive (min widened to 0)', [0.5, 1, 3.3]],
    ['all negative (max widened to 0)', [-0.5, -1, -3.3]],
    ['all zero (scale 1)', [0, 0, 0, 0]],
    ['zero point exactly at a tie', [-1, (254 / 255) * 1]],
  ];
  const r = rng(6);
  inputs.push(['random', Array.from({ length: 300 }, () => (r() - 0.3) * 17)]);
  for (const [name, values] of inputs) {
    it(name, async () => {
      const x = makeTensor('float32', [values.length], Float32Array.from(values));
      const model = buildModel({
        inputs: [{ name: 'x', dtype: 'float32', dims: [values.length] }],
        outputs: [
          { name: 'y', dtype: 'uint8' },
          { name: 's', dtype: 'float32' },
          { name: 'z', dtype: 'uint8' },
        ],
        nodes: [{ op: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['y', 's', 'z'] }],
      });
      const want = await runOrt(model, { x });
      const got = dynamicQuantizeLinear(x);
      expect(got.scale).toBe((want.s.data as Float32Array)[0]);
      expect(got.zeroPoint).toBe((want.z.data as Uint8Array)[0]);
      expect(Array.from(got.y.data as Uint8Array)).toEqual(Array.from(want.y.data as Uint8Array));
    });
  }
});
