// encodeModel is the inverse of decodeModel: decode -> encode -> decode gives the same IR, and
// onnxruntime computes the same outputs from the re-encoded bytes as from the original file.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { makeTensor, type Tensor } from '../../kernels/tensor.js';
import { decodeModel } from '../../app/model/decode.js';
import { encodeModel } from '../../app/model/encode.js';
import { ModelError } from '../../app/model/errors.js';
import type { Model } from '../../app/model/ir.js';
import { buildModel, type ModelSpec } from '../helpers/onnx-builder.js';
import { QUIET } from '../helpers/ort-quiet.js';

const modelDir = join(import.meta.dirname, '../fixtures/models');
const modelFiles = readdirSync(modelDir).filter((f) => f.endsWith('.onnx'));

/** A deterministic pseudo-random generator (xorshift32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

function randomFeeds(model: Model, seed: number): Record<string, ort.Tensor> {
  const next = rng(seed);
  const feeds: Record<string, ort.Tensor> = {};
  for (const input of model.graph.inputs) {
    const dims = (input.dims ?? []).map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    if (input.dtype !== 'float32') throw new Error(`test feeds only float32 inputs, '${input.name}' is ${input.dtype}`);
    feeds[input.name] = new ort.Tensor('float32', Float32Array.from({ length: n }, () => next() * 2 - 1), dims);
  }
  return feeds;
}

async function runOrt(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const session = await ort.InferenceSession.create(bytes, { ...QUIET, graphOptimizationLevel: 'disabled' });
  try {
    return await session.run(feeds);
  } finally {
    await session.release();
  }
}

describe('encodeModel round trip on real models', () => {
  for (const file of modelFiles) {
    it(`${file}: decode -> encode -> decode is the same IR`, () => {
      const original = decodeModel(new Uint8Array(readFileSync(join(modelDir, file))));
      const again = decodeModel(encodeModel(original));
      expect(again).toEqual(original);
    });

    it(`${file}: onnxruntime gives identical outputs for the re-encoded bytes`, async () => {
      const bytes = new Uint8Array(readFileSync(join(modelDir, file)));
      const model = decodeModel(bytes);
      const feeds = randomFeeds(model, 7 + file.length);
      const expected = await runOrt(bytes, feeds);
      const actual = await runOrt(encodeModel(model), feeds);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const [name, t] of Object.entries(expected)) {
        expect(Array.from(actual[name].data as Float32Array)).toEqual(Array.from(t.data as Float32Array));
      }
    });
  }
});

describe('encodeModel on built models', () => {
  const weights: Tensor = makeTensor('int8', [2, 3], [-128, -1, 0, 1, 64, 127]);
  const spec: ModelSpec = {
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 3] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 2] }],
    initializers: {
      w: weights,
      s: makeTensor('float32', [], [0.05]),
      z: makeTensor('int8', [], [3]),
      shape: { dtype: 'int64', dims: [2], data: new BigInt64Array([-1n, 3n]) },
    },
    nodes: [
      { op: 'DequantizeLinear', inputs: ['w', 's', 'z'], outputs: ['wf'] },
      { op: 'Transpose', inputs: ['wf'], outputs: ['wt'], attrs: { perm: [1, 0] } },
      { op: 'Reshape', inputs: ['x', 'shape'], outputs: ['xr'] },
      { op: 'MatMul', inputs: ['xr', 'wt'], outputs: ['m'] },
      { op: 'LeakyRelu', inputs: ['m'], outputs: ['y'], attrs: { alpha: { float: 0.25 } } },
    ],
  };

  it('keeps every attribute kind, initializer type and value', () => {
    const model = decodeModel(buildModel(spec));
    const again = decodeModel(encodeModel(model));
    expect(again).toEqual(model);
    expect(Array.from(again.graph.initializers.get('w')!.data as Int8Array)).toEqual([-128, -1, 0, 1, 64, 127]);
    expect(again.graph.nodes[4].attributes.alpha).toEqual({ kind: 'float', value: 0.25 });
  });

  it('writes tensors, strings, floats and nested graphs', () => {
    const base = decodeModel(buildModel(spec));
    const node = {
      ...base.graph.nodes[4],
      attributes: {
        ...base.graph.nodes[4].attributes,
        t: { kind: 'tensor' as const, value: makeTensor('float16', [2], [0x3c00, 0xc000]) },
        s: { kind: 'string' as const, value: 'héllo' },
        fs: { kind: 'floats' as const, value: [0.5, -2] },
        ss: { kind: 'strings' as const, value: ['a', ''] },
        g: { kind: 'graph' as const, value: { ...base.graph, name: 'inner', inputs: [] } },
      },
    };
    const model: Model = { ...base, graph: { ...base.graph, nodes: [...base.graph.nodes.slice(0, 4), node] } };
    expect(decodeModel(encodeModel(model))).toEqual(model);
  });

  it('lists initializers as graph inputs for IR < 4 (onnxruntime requires it)', async () => {
    const model = { ...decodeModel(buildModel(spec)), irVersion: 3 };
    const bytes = encodeModel(model);
    const again = decodeModel(bytes);
    expect(again.graph.inputs.map((i) => i.name)).toEqual(['x']); // decode hides them again
    const out = await runOrt(bytes, { x: new ort.Tensor('float32', new Float32Array([1, -2, 3]), [1, 3]) });
    expect(out.y.dims).toEqual([1, 2]);
  });

  it('refuses an attribute it cannot represent', () => {
    const base = decodeModel(buildModel(spec));
    const node = { ...base.graph.nodes[0], attributes: { odd: { kind: 'unsupported' as const, type: 'TYPE_PROTO' } } };
    const model: Model = { ...base, graph: { ...base.graph, nodes: [node, ...base.graph.nodes.slice(1)] } };
    expect(() => encodeModel(model)).toThrow(ModelError);
    expect(() => encodeModel(model)).toThrow(/odd.*TYPE_PROTO/);
  });
});
