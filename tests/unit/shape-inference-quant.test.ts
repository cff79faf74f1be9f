// Shape inference of the quantization ops: QuantizeLinear/DequantizeLinear dtypes (zero point,
// output_dtype, uint8 default), the integer ops (int32), and onnxruntime's com.microsoft QLinear ops.
import { describe, expect, it } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import { f32, one } from './shape-inference.helper.js';

describe('quantization ops', () => {
  const u8 = (v: number) => makeTensor('uint8', [], [v]);
  const s8 = (v: number) => makeTensor('int8', [], [v]);
  const sc = (v: number) => makeTensor('float32', [], [v]);

  it('QuantizeLinear takes its dtype from the zero point, output_dtype, or uint8', () => {
    expect(one('QuantizeLinear', [[2, 3], sc(0.1), s8(0)])[0]).toEqual({ dtype: 'int8', dims: [2, 3] });
    expect(one('QuantizeLinear', [[2, 3], sc(0.1)])[0].dtype).toBe('uint8');
    expect(one('QuantizeLinear', [[2, 3], sc(0.1)], { output_dtype: 3 }, { opset: 21 })[0].dtype).toBe(
      'int8',
    );
    expect(
      one('QuantizeLinear', [[1, 3, 4], f32([3]), makeTensor('uint8', [3])], { axis: 1 })[0].dims,
    ).toEqual([1, 3, 4]);
    expect(() => one('QuantizeLinear', [[1, 3, 4], f32([4])], { axis: 1 })).toThrow(
      /node 'n' \(QuantizeLinear\).*per-axis/,
    );
  });

  it('DequantizeLinear and DynamicQuantizeLinear', () => {
    expect(one('DequantizeLinear', [makeTensor('int8', [4]), sc(2), s8(1)])[0]).toEqual({
      dtype: 'float32',
      dims: [4],
    });
    const [y, s, zp] = one('DynamicQuantizeLinear', [[3, 4]], {}, { outputs: 3 });
    expect([y, s, zp]).toEqual([
      { dtype: 'uint8', dims: [3, 4] },
      { dtype: 'float32', dims: [] },
      { dtype: 'uint8', dims: [] },
    ]);
  });

  it('QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger', () => {
    const x = makeTensor('uint8', [1, 2, 7, 7]);
    const w = makeTensor('int8', [4, 2, 3, 3]);
    expect(
      one('QLinearConv', [x, sc(1), u8(0), w, sc(1), s8(0), sc(1), s8(0)], { strides: [2, 2] })[0],
    ).toEqual({
      dtype: 'int8',
      dims: [1, 4, 3, 3],
    });
    const a = makeTensor('uint8', [2, 2, 4]);
    const b = makeTensor('uint8', [2, 4, 3]);
    expect(one('QLinearMatMul', [a, sc(1), u8(0), b, sc(1), u8(0), sc(1), u8(0)])[0]).toEqual({
      dtype: 'uint8',
      dims: [2, 2, 3],
    });
    expect(one('ConvInteger', [x, w, u8(0)], { pads: [1, 1, 1, 1] })[0]).toEqual({
      dtype: 'int32',
      dims: [1, 4, 7, 7],
    });
    expect(one('MatMulInteger', [makeTensor('uint8', [4, 3]), makeTensor('uint8', [3, 2])])[0]).toEqual({
      dtype: 'int32',
      dims: [4, 2],
    });
  });

  it('com.microsoft QLinear ops', () => {
    const ms = { domain: 'com.microsoft' };
    const q = (d: number[]) => makeTensor('int8', d);
    expect(
      one('QLinearAdd', [q([2, 1, 4]), sc(1), s8(0), q([3, 1]), sc(1), s8(0), sc(1), s8(0)], {}, ms)[0],
    ).toEqual({
      dtype: 'int8',
      dims: [2, 3, 4],
    });
    expect(
      one('QLinearMul', [q([4]), sc(1), null, q([2, 4]), sc(1), null, sc(1), null], {}, ms)[0].dims,
    ).toEqual([2, 4]);
    const pool = { kernel_shape: [3, 3], strides: [2, 2] };
    expect(
      one('QLinearAveragePool', [q([1, 3, 9, 9]), sc(1), s8(0), sc(1), s8(0)], pool, ms)[0].dims,
    ).toEqual([1, 3, 4, 4]);
    expect(
      one(
        'QLinearAveragePool',
        [q([1, 9, 9, 3]), sc(1), s8(0), sc(1), s8(0)],
        { ...pool, channels_last: 1 },
        ms,
      )[0].dims,
    ).toEqual([1, 4, 4, 3]);
    expect(
      one(
        'QLinearGlobalAveragePool',
        [q([1, 5, 5, 8]), sc(1), s8(0), sc(1), s8(0)],
        { channels_last: 1 },
        ms,
      )[0].dims,
    ).toEqual([1, 1, 1, 8]);
    expect(
      one('QLinearSoftmax', [q([2, 10]), sc(1), s8(0), sc(1), s8(0)], { axis: -1, opset: 13 }, ms)[0].dims,
    ).toEqual([2, 10]);
    expect(one('QLinearLeakyRelu', [q([2, 3]), sc(1), s8(0), sc(1), s8(0)], { alpha: 0.1 }, ms)[0]).toEqual({
      dtype: 'int8',
      dims: [2, 3],
    });
    expect(
      one('QLinearSigmoid', [makeTensor('uint8', [5]), sc(1), u8(0), sc(1), u8(0)], {}, ms)[0].dtype,
    ).toBe('uint8');
    expect(
      one(
        'QLinearConcat',
        [sc(1), s8(0), q([1, 2, 3]), sc(1), s8(0), q([1, 5, 3]), sc(1), s8(0)],
        { axis: -2 },
        ms,
      )[0].dims,
    ).toEqual([1, 7, 3]);
    const qg = [
      makeTensor('uint8', [2, 4]),
      sc(1),
      u8(0),
      makeTensor('uint8', [3, 4]),
      sc(1),
      u8(0),
      makeTensor('int32', [3]),
    ];
    expect(one('QGemm', qg, { transB: 1 }, ms)[0]).toEqual({ dtype: 'float32', dims: [2, 3] });
    expect(one('QGemm', [...qg, sc(1), u8(0)], { transB: 1 }, ms)[0]).toEqual({
      dtype: 'uint8',
      dims: [2, 3],
    });
  });
});
