// planQuantization's roles for the QDQ-registry ops beyond the CNN core: ConvTranspose weights on
// axis 1 (per tensor with group > 1), Split outputs and Pad sharing their input's parameters where
// onnxruntime's QDQPad does, and an embedding Gather (constant data) left unquantized.
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { DEFAULT_CONFIG } from '../../app/quant/config.js';
import { planQuantization } from '../../app/quant/quant-plan.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from '../helpers/onnx-builder.js';

const f32 = (dims: number[]) =>
  makeTensor('float32', dims, new Float32Array(dims.reduce((a, b) => a * b, 1)).fill(0.5));
const i64 = (values: number[]) =>
  makeTensor('int64', [values.length], BigInt64Array.from(values.map(BigInt)));

function plan(nodes: NodeSpec[], initializers: Record<string, ReturnType<typeof f32>>, dims = [1, 4, 6, 6]) {
  const bytes = buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    nodes,
    initializers,
  });
  return planQuantization(decodeModel(bytes), DEFAULT_CONFIG);
}

describe('quant plan: more QDQ registry ops', () => {
  it('ConvTranspose: weights per channel on axis 1, bias int32; group 2: per tensor, with a warning', () => {
    const p = plan(
      [
        { op: 'ConvTranspose', inputs: ['x', 'w', 'b'], outputs: ['t'] },
        { op: 'ConvTranspose', inputs: ['t', 'w2'], outputs: ['y'], attrs: { group: 2 } },
      ],
      { w: f32([4, 6, 3, 3]), b: f32([6]), w2: f32([6, 1, 3, 3]) },
    );
    expect(p.weights.get('w')?.axis).toBe(1);
    expect(p.biases.get('b')).toMatchObject({ input: 'x', weight: 'w' });
    expect(p.weights.get('w2')?.axis).toBeUndefined();
    expect(p.warnings.join('\n')).toMatch(/group > 1: weights quantized per tensor/);
    expect(p.activations.has('t')).toBe(true);
  });

  it("Split's outputs share the input's parameters", () => {
    const p = plan(
      [
        { op: 'Relu', inputs: ['x'], outputs: ['r'] },
        { op: 'Split', inputs: ['r'], outputs: ['a', 'b'], attrs: { axis: 1 } },
        { op: 'Add', inputs: ['a', 'b'], outputs: ['y'] },
      ],
      {},
    );
    expect(p.activations.get('a')?.sharedWith).toBe('r');
    expect(p.activations.get('b')?.sharedWith).toBe('r');
  });

  for (const [what, attrs, extra, shared] of [
    ['constant, no value', {}, [], true],
    ['constant 0', {}, ['zero'], true],
    ['constant 0.7', {}, ['fill'], false],
    ['reflect', { mode: 'reflect' }, [], true],
    ['edge', { mode: 'edge' }, [], true],
  ] as const) {
    it(`Pad (${what}) ${shared ? 'shares' : 'does not share'} its input's parameters`, () => {
      const p = plan([{ op: 'Pad', inputs: ['x', 'pads', ...extra], outputs: ['y'], attrs: { ...attrs } }], {
        pads: i64([0, 0, 1, 1, 0, 0, 1, 1]),
        zero: makeTensor('float32', [], [0]),
        fill: makeTensor('float32', [], [0.7]),
      });
      expect(p.activations.has('x')).toBe(true);
      expect(p.activations.get('y')?.sharedWith).toBe(shared ? 'x' : undefined);
    });
  }

  it('a Gather of a constant table is not quantized; of an activation it is', () => {
    const p = plan(
      [
        { op: 'Gather', inputs: ['table', 'ids'], outputs: ['e'] },
        { op: 'Gather', inputs: ['x', 'ids'], outputs: ['g'], attrs: { axis: 1 } },
        { op: 'Add', inputs: ['e', 'g'], outputs: ['y'] },
      ],
      { table: f32([10, 6]), ids: i64([1, 3]) },
      [1, 4, 6],
    );
    expect(p.activations.get('g')?.sharedWith).toBe('x');
    expect(p.activations.get('e')?.sharedWith).toBeUndefined();
    expect(p.weights.has('table')).toBe(false);
    expect(p.quantizedNodes.some((n) => n.startsWith('Gather_0'))).toBe(false);
  });

  it('LayerNormalization: scale per channel on axis 0 when 1-D, bias int32; a 2-D scale per tensor', () => {
    const p = plan(
      [
        { op: 'LayerNormalization', inputs: ['x', 'g1', 'b1'], outputs: ['n'], attrs: { axis: -1 } },
        { op: 'LayerNormalization', inputs: ['n', 'g2', 'b2'], outputs: ['y'], attrs: { axis: -2 } },
      ],
      { g1: f32([6]), b1: f32([6]), g2: f32([6, 6]), b2: f32([6, 6]) },
    );
    expect(p.weights.get('g1')?.axis).toBe(0);
    expect(p.biases.get('b1')).toMatchObject({ input: 'x', weight: 'g1' });
    expect(p.weights.has('g2')).toBe(true);
    expect(p.weights.get('g2')?.axis).toBeUndefined();
    expect(p.biases.has('b2')).toBe(false);
    expect(p.activations.has('n')).toBe(true);
    expect(p.activations.has('y')).toBe(true);
  });
});
