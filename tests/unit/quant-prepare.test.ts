// Preparing a float model for quantization keeps what it computes: BatchNorm folded into convs
// (within f32 rounding of onnxruntime's ConvBNFusion arithmetic), old opsets raised to 13 with
// their ops rewritten (exactly the same outputs).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { opsetVersion } from '../../app/model/ir.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { upgradeToOpset13 } from '../../app/quant/opset-upgrade.js';
import { prepareModel } from '../../app/quant/prepare-model.js';
import { makeTensor, toFloat32 } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import { floatModelBytes, imageInput, mobilenetLike } from '../helpers/realistic-models.js';

describe('prepareModel', () => {
  it('folds every Conv->BatchNormalization of a MobileNet-like net and keeps its outputs', () => {
    const g = mobilenetLike({ opset: 14, head: 'matmul', hardSwishOp: true, seed: 12 });
    const model = decodeModel(floatModelBytes(g));
    const prepared = prepareModel(model, DEFAULT_CONFIG);
    expect(model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(true);
    expect(prepared.model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(prepared.notes[0]).toMatch(/BatchNormalization folded/);
    const x = new Map([[g.input.name, imageInput(g.input.dims, 3)]]);
    const a = toFloat32(new CpuInterpreter(model).runSync(x).get(g.output)!);
    const b = toFloat32(new CpuInterpreter(prepared.model).runSync(x).get(g.output)!);
    const scale = Math.max(...Array.from(a, Math.abs));
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i] - b[i])).toBeLessThan(1e-4 * scale);
  });

  it('raises opset 8 (mnist-8) and 9 (light-squeezenet, with Dropout) to 13 with identical outputs', () => {
    for (const name of ['mnist-8', 'light-squeezenet']) {
      const model = decodeModel(readFileSync(`tests/fixtures/models/${name}.onnx`));
      const up = upgradeToOpset13(model).model!;
      expect(opsetVersion(up, '')).toBe(13);
      const input = model.graph.inputs[0];
      const dims = input.dims!.map((d) => (typeof d === 'number' ? d : 1));
      const n = dims.reduce((p, q) => p * q, 1);
      const x = new Map([
        [
          input.name,
          makeTensor(
            'float32',
            dims,
            Array.from({ length: n }, (_, i) => Math.sin(i) * 100),
          ),
        ],
      ]);
      const out = model.graph.outputs[0].name;
      expect(toFloat32(new CpuInterpreter(up).runSync(x).get(out)!)).toEqual(
        toFloat32(new CpuInterpreter(model).runSync(x).get(out)!),
      );
    }
  });

  it('rewrites attribute forms (Clip, Pad, Slice, Squeeze, Unsqueeze, Softmax) of opset 9 into opset 13 exactly', () => {
    const model = decodeModel(
      buildModel({
        opset: 9,
        inputs: [{ name: 'x', dtype: 'float32', dims: [1, 2, 3, 4] }],
        outputs: [{ name: 'y', dtype: 'float32' }],
        nodes: [
          {
            op: 'Clip',
            inputs: ['x'],
            outputs: ['c'],
            attrs: { min: { float: -0.5 }, max: { float: 0.75 } },
          },
          {
            op: 'Pad',
            inputs: ['c'],
            outputs: ['p'],
            attrs: { pads: [0, 0, 1, 0, 0, 0, 0, 2], value: { float: 0.25 } },
          },
          { op: 'Slice', inputs: ['p'], outputs: ['s'], attrs: { starts: [1], ends: [4], axes: [3] } },
          { op: 'Unsqueeze', inputs: ['s'], outputs: ['u'], attrs: { axes: [0] } },
          { op: 'Squeeze', inputs: ['u'], outputs: ['q'], attrs: { axes: [0] } },
          { op: 'Softmax', inputs: ['q'], outputs: ['y'], attrs: { axis: 2 } },
        ],
      }),
    );
    const up = upgradeToOpset13(model).model!;
    const x = new Map([
      [
        'x',
        makeTensor(
          'float32',
          [1, 2, 3, 4],
          Array.from({ length: 24 }, (_, i) => Math.cos(i * 1.3)),
        ),
      ],
    ]);
    expect(toFloat32(new CpuInterpreter(up).runSync(x).get('y')!)).toEqual(
      toFloat32(new CpuInterpreter(model).runSync(x).get('y')!),
    );
  });

  it('keeps the opset of a model with an op it cannot rewrite, and says why', () => {
    const model = decodeModel(
      buildModel({
        opset: 9,
        inputs: [{ name: 'x', dtype: 'float32', dims: [1, 1, 2, 2] }],
        outputs: [{ name: 'y', dtype: 'float32' }],
        nodes: [{ op: 'Upsample', inputs: ['x', 'scales'], outputs: ['y'] }],
        initializers: { scales: makeTensor('float32', [4], [1, 1, 2, 2]) },
      }),
    );
    expect(upgradeToOpset13(model).reason).toMatch(/Upsample/);
    expect(prepareModel(model, DEFAULT_CONFIG).notes.join(' ')).toMatch(/opset 9 kept/);
  });
});
