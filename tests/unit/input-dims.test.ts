// The page's symbolic input dimensions without a browser: their defaults (batch 1, spatial 224),
// sizes a person sets reaching the shapes, the random calibration data and Run's random inputs,
// and a shape failure that names the dims to set.
import { describe, expect, it } from 'vitest';
import type { Graph } from '../../app/model/ir.js';
import { currentBindings, setInputDim } from '../../app/store/actions-dims.js';
import { loadModelBytes } from '../../app/store/actions-model.js';
import { openForQuant } from '../../app/store/quant-actions.js';
import { chooseTensorFiles, followInputDims } from '../../app/store/quant-data-actions.js';
import { getQuant } from '../../app/store/quant-store.js';
import { encodeTensorFile } from '../../app/model/tensor-proto.js';
import { makeTensor } from '../../kernels/tensor.js';
import { defaultInputDims, withImplied } from '../../app/store/input-dims.js';
import { randomSamples } from '../../app/store/quant-data.js';
import { getModelEntry } from '../../app/store/registry.js';
import { getState } from '../../app/store/store.js';
import { buildModel } from '../helpers/onnx-builder.js';

function graphWith(dims: (number | string)[]): Graph {
  return {
    inputs: [{ name: 'x', dtype: 'float32', dims }],
    outputs: [],
    nodes: [],
    initializers: new Map(),
  } as unknown as Graph;
}

/** [N,3,H,W] -> MaxPool 2x2: fails shape inference when H or W is 1, as the OCR model did. */
const pooled = buildModel({
  inputs: [{ name: 'image', dtype: 'float32', dims: ['N', 3, 'H', 'W'] }],
  outputs: [{ name: 'y', dtype: 'float32' }],
  nodes: [
    {
      op: 'MaxPool',
      inputs: ['image'],
      outputs: ['y'],
      name: 'pool',
      attrs: { kernel_shape: [2, 2], strides: [2, 2] },
    },
  ],
  opset: 13,
});

describe('symbolic input dimensions', () => {
  it('default to 1 for the batch and 224 for the spatial dims, each name once', () => {
    const dims = defaultInputDims(graphWith(['N', 3, 'H', 'W']));
    expect(dims.map((d) => [d.name, d.value, d.source])).toEqual([
      ['N', 1, 'batch'],
      ['H', 224, 'spatial'],
      ['W', 224, 'spatial'],
    ]);
    expect(defaultInputDims(graphWith(['batch', 16])).map((d) => [d.name, d.value])).toEqual([['batch', 1]]);
    expect(defaultInputDims(graphWith([1, 3, 28, 28]))).toEqual([]);
  });

  it('take the sizes the calibration data implies, unless a person set them (the batch stays)', () => {
    const dims = defaultInputDims(graphWith(['N', 3, 'H', 'W'])).map((d) =>
      d.name === 'W' ? { ...d, value: 100, edited: true } : d,
    );
    const next = withImplied(dims, { N: 8, H: 48, W: 192 });
    expect(next.map((d) => [d.name, d.value, d.source])).toEqual([
      ['N', 1, 'batch'],
      ['H', 48, 'data'],
      ['W', 100, 'spatial'],
    ]);
  });

  it('reach the shapes, and a failing size points at the dims to set', () => {
    expect(loadModelBytes('pooled.onnx', pooled)).toBe(true);
    expect(getState().inputDims.map((d) => d.value)).toEqual([1, 224, 224]);
    const outDims = () => getModelEntry(getState().modelId)?.known.get('y')?.dims;
    expect(outDims()).toEqual([1, 3, 112, 112]);
    expect(getState().summary?.shapeNote).toBeNull();

    expect(setInputDim('H', '1')).toBe(true);
    expect(getModelEntry(getState().modelId)?.dimsError).toMatch(/kernel extent 2 exceeds padded input 1/);
    expect(getState().summary?.shapeNote).toContain('set the input dimensions: N, H, W');

    expect(setInputDim('H', '48')).toBe(true);
    expect(setInputDim('W', '192')).toBe(true);
    expect(outDims()).toEqual([1, 3, 24, 96]);
    // The summary's output (no shape in the file) shows the inferred one.
    expect(getState().summary?.outputs[0].shape).toBe('[1,3,24,96]');
    expect(getState().summary?.shapeNote).toBeNull();
    expect(currentBindings()).toEqual({ N: 1, H: 48, W: 192 });

    const samples = randomSamples(
      getModelEntry(getState().modelId)!.model.graph,
      { count: 2, distribution: 'uniform', a: 0, b: 1 },
      currentBindings(),
    );
    expect(samples[0].get('image')?.dims).toEqual([1, 3, 48, 192]);
  });

  it('do not take the blame for a shape failure no size fixes', () => {
    // Reshape to 5x7 fits no [N,3,H,W] the probes try: the model is at fault, not the sizes.
    const reshaped = buildModel({
      inputs: [{ name: 'image', dtype: 'float32', dims: ['N', 3, 'H', 'W'] }],
      outputs: [{ name: 'y', dtype: 'float32' }],
      nodes: [{ op: 'Reshape', name: 'flat', inputs: ['image', 'shape'], outputs: ['y'] }],
      initializers: { shape: makeTensor('int64', [2], [5, 7]) },
      opset: 13,
    });
    expect(loadModelBytes('reshaped.onnx', reshaped)).toBe(true);
    expect(getState().summary?.shapeNote).toMatch(/inference stopped: .*Reshape/);
    expect(getState().summary?.shapeNote).not.toContain('set the input dimensions');
    expect(getModelEntry(getState().modelId)?.dimsError).toBeNull();
  });

  it('refuse a size that is not a whole number from 1, with a one-line notice', () => {
    loadModelBytes('pooled.onnx', pooled);
    for (const bad of ['0', '-3', '2.5', 'abc', '', '100000']) {
      expect(setInputDim('H', bad)).toBe(false);
      expect(getState().notice?.text).toMatch(/input dimension H must be a whole number from 1 to 8192/);
    }
    expect(currentBindings().H).toBe(224);
  });
});

describe('the calibration data and the input dimensions', () => {
  it('random data follows a size a person sets; tensor files make their sizes the defaults', async () => {
    const stop = followInputDims();
    try {
      loadModelBytes('pooled.onnx', pooled);
      await openForQuant(getState().modelId);
      expect(getQuant().data.kind).toBe('random');
      expect(getQuant().data.description).toContain('image [1×3×224×224]');
      setInputDim('W', '64');
      await expect.poll(() => getQuant().data.description).toContain('image [1×3×224×64]');

      const t = makeTensor('float32', [1, 3, 40, 60], new Float32Array(3 * 40 * 60).fill(0.5));
      const file = { name: 'sample.pb', bytes: encodeTensorFile(t, 'image') };
      expect(await chooseTensorFiles([file, file])).toBe(true);
      // H takes the data's size; W was set by the person and stays.
      expect(getState().inputDims.map((d) => [d.name, d.value, d.source])).toEqual([
        ['N', 1, 'batch'],
        ['H', 40, 'data'],
        ['W', 64, 'spatial'],
      ]);
      expect(getQuant().data.kind).toBe('tensors');
    } finally {
      stop();
    }
  }, 60_000);
});
