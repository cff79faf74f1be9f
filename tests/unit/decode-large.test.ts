// A 200 MB model parses without copying its initializer bytes twice: raw_data is decoded as a
// view of the file's bytes, and becomes a typed-array view when aligned (one copy otherwise).
import { describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';

const MB = 1024 * 1024;

function bigModel(elements: number): Uint8Array {
  const w = new Float32Array(elements);
  for (let i = 0; i < elements; i += 4099) w[i] = i;
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, elements] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: ['y'] }],
    initializers: { w: makeTensor('float32', [1, elements], w) },
  });
}

describe('large models', () => {
  it('decodes a 200 MB initializer with at most one copy of its bytes', () => {
    const elements = (200 * MB) / 4;
    const bytes = bigModel(elements);
    expect(bytes.byteLength).toBeGreaterThan(200 * MB);
    globalThis.gc?.();
    const before = process.memoryUsage().arrayBuffers;
    const model = decodeModel(bytes);
    const after = process.memoryUsage().arrayBuffers;
    const w = model.graph.initializers.get('w')!;
    expect(w.dims).toEqual([1, elements]);
    expect(w.data[4099 * 7]).toBe(4099 * 7);
    expect(w.data[elements - 1]).toBe(0);
    if (w.data.buffer === bytes.buffer) {
      // Aligned: a view straight into the file's bytes, nothing copied at all.
      expect(after - before).toBeLessThan(16 * MB);
    } else {
      // Unaligned raw_data: exactly one aligned copy.
      expect(after - before).toBeLessThan(200 * MB + 16 * MB);
    }
  });

  it('keeps aligned raw_data as a view of the input bytes', () => {
    // The node (encoded before the initializers) gets an output name 0..3 characters longer, so
    // the raw_data offset takes all four residues mod 4: the aligned one must not be copied.
    let views = 0;
    for (const pad of [0, 1, 2, 3]) {
      const w = new Float32Array(1000).fill(1.5);
      const bytes = buildModel({
        inputs: [{ name: 'x', dtype: 'float32', dims: [1000] }],
        outputs: [{ name: `y${'_'.repeat(pad)}`, dtype: 'float32' }],
        nodes: [{ op: 'Add', inputs: ['x', 'w'], outputs: [`y${'_'.repeat(pad)}`] }],
        initializers: { w: makeTensor('float32', [1000], w) },
      });
      const t = decodeModel(bytes).graph.initializers.get('w')!;
      expect(Array.from((t.data as Float32Array).slice(0, 3))).toEqual([1.5, 1.5, 1.5]);
      if (t.data.buffer === bytes.buffer) views++;
    }
    expect(views).toBe(1);
  });
});
