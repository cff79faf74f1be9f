// Parameter math against hand-computed cases and onnxruntime's rules (quant_utils.compute_scale_zp,
// get_qmin_qmax_for_qType, quantize_bias_static), and error propagation changing what calibration
// chooses on a model where it must.
import { describe, expect, it } from 'vitest';
import { makeTensor, toFloat32 } from '../../kernels/tensor.js';
import { Calibration, type RangeChooser } from '../../app/quant/calibrate.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import {
  dequantizedBias,
  fakeQuantize,
  paramsFromRange,
  quantizeBias,
  roleRange,
  weightParams,
} from '../../app/quant/params.js';
import { decodeModel } from '../../app/model/decode.js';
import { buildModel } from '../helpers/onnx-builder.js';

const f32 = Math.fround;

describe('parameters from a range (onnxruntime compute_scale_zp)', () => {
  it('uint8 asymmetric: scale (max-min)/255, zero point round(-min/scale)', () => {
    const p = paramsFromRange([-1, 3], { dtype: 'uint8', symmetric: false, range: 'full' });
    expect(p.scale[0]).toBe(f32(4 / 255));
    expect(p.zeroPoint[0]).toBe(Math.round(0 - -1 / (4 / 255))); // 63.75 -> 64
    expect([p.qmin, p.qmax]).toEqual([0, 255]);
  });

  it('the range always contains 0', () => {
    const p = paramsFromRange([2, 6], { dtype: 'uint8', symmetric: false, range: 'full' });
    expect(p.scale[0]).toBe(f32(6 / 255));
    expect(p.zeroPoint[0]).toBe(0);
    const n = paramsFromRange([-6, -2], { dtype: 'int8', symmetric: false, range: 'full' });
    expect(n.scale[0]).toBe(f32(6 / 255));
    expect(n.zeroPoint[0]).toBe(127);
  });

  it('symmetric int8 uses [-127, 127] and zero point 0 (onnxruntime symmetric range)', () => {
    const role = { dtype: 'int8' as const, symmetric: true, range: 'full' as const };
    expect(roleRange(role)).toEqual({ qmin: -127, qmax: 127 });
    const p = paramsFromRange([-0.5, 2], role);
    expect(p.scale[0]).toBe(f32(4 / 254));
    expect(p.zeroPoint[0]).toBe(0);
  });

  it('symmetric uint8: zero point at the middle (128)', () => {
    const p = paramsFromRange([-1, 1], { dtype: 'uint8', symmetric: true, range: 'full' });
    expect(p.zeroPoint[0]).toBe(128);
    expect(p.scale[0]).toBe(f32(2 / 255));
  });

  it('restricted and reduced (7-bit, reduce_range) ranges', () => {
    expect(roleRange({ dtype: 'int8', symmetric: false, range: 'restricted' })).toEqual({
      qmin: -127,
      qmax: 127,
    });
    expect(roleRange({ dtype: 'int8', symmetric: true, range: 'reduced' })).toEqual({ qmin: -64, qmax: 64 });
    expect(roleRange({ dtype: 'uint8', symmetric: false, range: 'reduced' })).toEqual({ qmin: 0, qmax: 127 });
    const p = paramsFromRange([-1, 1], { dtype: 'int8', symmetric: true, range: 'reduced' });
    expect(p.scale[0]).toBe(f32(2 / 128));
  });

  it('an all-zero or tiny range gives scale 1, zero point 0', () => {
    for (const r of [
      [0, 0],
      [-1e-40, 1e-40],
    ] as [number, number][]) {
      const p = paramsFromRange(r, { dtype: 'uint8', symmetric: false, range: 'full' });
      expect(p.scale[0]).toBe(1);
      expect(p.zeroPoint[0]).toBe(0);
    }
  });
});

describe('weights and bias', () => {
  it('per-channel symmetric weights: one absmax scale per output channel', () => {
    const w = makeTensor('float32', [2, 1, 1, 3], [0.5, -1, 0.25, 3, 0, -2]);
    const p = weightParams(w, 0, { dtype: 'int8', symmetric: true, range: 'restricted' });
    expect(p.scale).toEqual([f32(2 / 254), f32(6 / 254)]);
    expect(p.zeroPoint).toEqual([0, 0]);
    const fq = fakeQuantize(toFloat32(w), w.dims, p);
    // Each channel's largest magnitude is exactly representable (it maps to ±127).
    expect(fq[1]).toBe(f32(-127 * p.scale[0]));
    expect(fq[3]).toBe(f32(127 * p.scale[1]));
  });

  it('bias: int32 round(b / f32(sx * sw)) with ties to even, dequantized as f32(q * scale)', () => {
    const sx = f32(0.5);
    const sw = [f32(0.25), f32(0.125)];
    const b = makeTensor('float32', [2], [0.1875, -0.09375]); // 1.5 and -1.5 steps: ties
    const q = quantizeBias(b, sx, sw);
    expect(q.scale).toEqual([f32(0.125), f32(0.0625)]);
    expect(Array.from(q.q.data as Int32Array)).toEqual([2, -2]);
    expect(Array.from(dequantizedBias(q))).toEqual([0.25, -0.125]);
  });
});

describe('error propagation', () => {
  // x -> Conv(w1) -> y1 -> Conv(w2) -> y2: with a coarse first layer (its output quantized to a
  // few steps), y2's observed range differs between the quantized and the float prefix.
  const model = decodeModel(
    buildModel({
      opset: 13,
      inputs: [{ name: 'x', dtype: 'float32', dims: [1, 1, 4, 4] }],
      outputs: [{ name: 'y2', dtype: 'float32' }],
      nodes: [
        { op: 'Conv', inputs: ['x', 'w1'], outputs: ['y1'] },
        { op: 'Conv', inputs: ['y1', 'w2'], outputs: ['y2'] },
      ],
      initializers: {
        w1: makeTensor('float32', [1, 1, 1, 1], [0.37]),
        w2: makeTensor('float32', [1, 1, 1, 1], [-2.9]),
      },
    }),
  );
  const minmax: RangeChooser = (values) => {
    let lo = 0;
    let hi = 0;
    for (const v of values)
      for (const x of v) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    return [lo, hi];
  };
  const samples = [
    makeTensor(
      'float32',
      [1, 1, 4, 4],
      Array.from({ length: 16 }, (_, i) => Math.sin(i) * 3 + 0.11),
    ),
  ].map((t) => new Map([['x', t]]));

  it('changes the parameters of the later layer, and only those', async () => {
    const ranges = async (errorPropagation: boolean) => {
      const cal = new Calibration({
        model,
        config: { ...DEFAULT_CONFIG, errorPropagation },
        samples,
        chooseRange: minmax,
      });
      await cal.run();
      return cal;
    };
    const on = await ranges(true);
    const off = await ranges(false);
    expect(on.activations.get('x')!.params).toEqual(off.activations.get('x')!.params);
    expect(on.activations.get('y1')!.params).toEqual(off.activations.get('y1')!.params);
    expect(on.activations.get('y2')!.range).not.toEqual(off.activations.get('y2')!.range);
  });
});
