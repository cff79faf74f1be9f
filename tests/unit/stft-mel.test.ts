// STFT and MelWeightMatrix (opset 17) against onnx.reference.ReferenceEvaluator (onnx 1.23):
// curated cases (onesided 0/1, window only, frame_length only, both, a frame_step that does not
// divide the signal, complex input, float64 / float16 / bfloat16) and seeded random ones, from
// tests/fixtures/onnx-reference/spectral.json. Tolerance: |ours - ref| <= rtol |ref| + atol with
// float32 (1e-5, 1e-4), float64 (1e-10, 1e-10), float16 / bfloat16 one unit in the last place
// of the output (2^-10 / 2^-7 relative, the reference rounds its products to those types);
// MelWeightMatrix exactly.
import { describe, expect, it } from 'vitest';
import { elementAsNumber } from '../../kernels/tensor.js';
import { expectClose, runOurs } from './nn-oracle.helper.js';
import { loadCases, oneNodeCase, tensorOf } from './onnx-reference.helper.js';

const TOL: Record<string, [number, number]> = {
  float32: [1e-5, 1e-4],
  float64: [1e-10, 1e-10],
  float16: [2 ** -10, 2e-3],
  bfloat16: [2 ** -7, 2e-2],
};

describe('STFT and MelWeightMatrix vs the ONNX reference', () => {
  for (const c of loadCases('spectral.json'))
    it(`${c.op}: ${c.label}`, () => {
      const ours = runOurs(oneNodeCase(c)).get('y')!;
      const want = tensorOf(c.output);
      if (c.op === 'MelWeightMatrix' && c.output.dtype !== 'float16') {
        expect(ours.dtype).toBe(want.dtype);
        expect([...ours.dims]).toEqual([...want.dims]);
        expect(Array.from({ length: ours.data.length }, (_, i) => elementAsNumber(ours, i))).toEqual(
          Array.from({ length: want.data.length }, (_, i) => elementAsNumber(want, i)),
        );
        return;
      }
      const [rtol, atol] = TOL[c.output.dtype] ?? [0, 0];
      expectClose(ours, want, rtol, atol, c.label);
    });
});
