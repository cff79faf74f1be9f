// The WebGPU executor's float16 plan rewrite (app/exec/webgpu/widen-float16.ts) as a graph
// transformation, without a GPU: which nodes become float32 twins with a rounding, which stay as
// written behind Casts, which float16 values stay float16; and the host conversions between
// float16 tensors and their f32 storage (kernels/dtypes/round-f16.ts).
import { describe, expect, it } from 'vitest';
import { cpuConstantEvaluator } from '../../app/exec/cpu/constant-evaluator.js';
import { widenFloat16Values } from '../../app/exec/webgpu/widen-float16.js';
import { decodeModel } from '../../app/model/decode.js';
import type { Model } from '../../app/model/ir.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { floatTensor } from '../../kernels/activation/float-io.js';
import { narrowToFloat16, widenFloat16 } from '../../kernels/dtypes/round-f16.js';
import { float16BitsToNumber } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';

function widen(model: Model) {
  const shapes = inferShapes(model, { evaluate: cpuConstantEvaluator(model) });
  return widenFloat16Values(model, shapes);
}

const ops = (m: Model) =>
  m.graph.nodes.map((n) => `${n.opType}:${n.inputs.join(',')}->${n.outputs.join(',')}`);

describe('widenFloat16Values', () => {
  it('plans float16 nodes as float32 twins + rounding, selections without, the rest as written', () => {
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float16', dims: [2, 3] }],
        outputs: [
          { name: 'y', dtype: 'float16' },
          { name: 'm', dtype: 'float16' },
          { name: 'f', dtype: 'float32' },
        ],
        initializers: { w: floatTensor('float16', [3, 3], [1, 2, 3, 4, 5, 6, 7, 8, 9]) },
        nodes: [
          { op: 'MatMul', inputs: ['x', 'w'], outputs: ['a'] },
          { op: 'Relu', inputs: ['a'], outputs: ['y'] },
          { op: 'Mean', inputs: ['a', 'y', 'x'], outputs: ['m'] },
          { op: 'Cast', inputs: ['y'], outputs: ['f'], attrs: { to: 1 } },
        ],
      }),
    );
    const { model: planned, shapes, widened } = widen(model);
    expect(ops(planned)).toEqual([
      'MatMul:x,w->a.f32',
      'RoundToFloat16:a.f32->a',
      'Relu:a->y',
      'Cast:a->a.f16',
      'Cast:y->y.f16',
      'Cast:x->x.f16',
      'Mean:a.f16,y.f16,x.f16->m',
      'Identity:y->f',
    ]);
    expect([...widened].sort()).toEqual(['a', 'w', 'x', 'y']); // m: read by no widened node
    for (const v of ['x', 'w', 'a', 'a.f32', 'y']) expect(shapes.values.get(v)?.dtype, v).toBe('float32');
    for (const v of ['a.f16', 'm']) expect(shapes.values.get(v)?.dtype, v).toBe('float16');
    expect(planned.graph.initializers.get('w')?.data).toEqual(Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]));
  });

  it('leaves float32 models and models with subgraphs as they are', () => {
    const f32 = decodeModel(
      buildModel({
        opset: 17,
        inputs: [{ name: 'x', dtype: 'float32', dims: [2] }],
        outputs: [{ name: 'y', dtype: 'float32' }],
        initializers: {},
        nodes: [{ op: 'Relu', inputs: ['x'], outputs: ['y'] }],
      }),
    );
    const r = widen(f32);
    expect(r.model).toBe(f32);
    expect(r.widened.size).toBe(0);
  });

  it('rounds Cast float32 -> float16, widens int -> float16 through float32, keeps float64 -> float16 as written', () => {
    const model = decodeModel(
      buildModel({
        opset: 17,
        inputs: [
          { name: 'x', dtype: 'float32', dims: [2] },
          { name: 'i', dtype: 'int32', dims: [2] },
          { name: 'd', dtype: 'float64', dims: [2] },
        ],
        outputs: [{ name: 's', dtype: 'float16' }],
        initializers: {},
        nodes: [
          { op: 'Cast', inputs: ['x'], outputs: ['hx'], attrs: { to: 10 } },
          { op: 'Cast', inputs: ['i'], outputs: ['hi'], attrs: { to: 10 } },
          { op: 'Cast', inputs: ['d'], outputs: ['hd'], attrs: { to: 10 } },
          { op: 'Add', inputs: ['hx', 'hi'], outputs: ['t'] },
          { op: 'Add', inputs: ['t', 'hd'], outputs: ['s'] },
        ],
      }),
    );
    expect(ops(widen(model).model)).toEqual([
      'RoundToFloat16:x->hx',
      'Cast:i->hi.f32',
      'RoundToFloat16:hi.f32->hi',
      'Cast:d->hd.f16',
      'Cast:hd.f16->hd',
      'Add:hx,hi->t.f32',
      'RoundToFloat16:t.f32->t',
      'Add:t,hd->s.f32',
      'RoundToFloat16:s.f32->s',
    ]);
  });
});

describe('float16 <-> f32 storage on the host', () => {
  it('is exact both ways, keeps -0, infinities and the sign of NaN', () => {
    const bits = Uint16Array.from([
      0x0000, 0x8000, 0x0001, 0x03ff, 0x0400, 0x3c00, 0x7bff, 0xfbff, 0x7c00, 0xfc00, 0x7e00, 0xfe00, 0x3555,
    ]);
    const h = { dtype: 'float16' as const, dims: [bits.length], data: bits };
    const f = widenFloat16(h);
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.data as Float32Array)).toEqual(Array.from(bits, float16BitsToNumber));
    expect(narrowToFloat16(f)).toEqual(h);
  });
});
