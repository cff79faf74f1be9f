// `qplay run --backend webgpu` (WebGpuExecutor on Dawn/SwiftShader) against `--backend cpu` on a
// small realistic model (tests/helpers/realistic-models.ts) in its QDQ form with --integer: integer
// outputs bit-exact, float within 1e-4 relative. Kept to one 32x32 case: SwiftShader compiles each
// pipeline in about a second.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectMatch, qplayRunner } from '../helpers/qplay-run.js';
import { calibrate, imageInput, mobilenetLike } from '../helpers/realistic-models.js';
import { quantizeModel } from '../helpers/realistic-quantize.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-realistic-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const { writeCase, qplay } = qplayRunner(dir);

describe('--backend webgpu (Dawn) matches --backend cpu on a small realistic model', () => {
  it('QDQ int8 MobileNet-like (opset 13, 32x32) with --integer', async () => {
    const g = mobilenetLike({ opset: 13, size: 32, foldBatchNorm: true, softmax: false, seed: 9 });
    const x = imageInput(g.input.dims, 41);
    const ranges = await calibrate(
      g,
      [1, 2].map((s) => imageInput(g.input.dims, s)),
    );
    const qdq = quantizeModel(g, ranges, {
      format: 'qdq',
      activation: 'int8',
      weights: 'int8-per-channel',
      quantizedLogitsOutput: true,
    });
    const w = writeCase(qdq, x);
    const cpu = await qplay(w, ['--integer']);
    const gpu = await qplay(w, ['--integer', '--backend', 'webgpu']);
    expect(gpu[1].dtype).toBe('int8'); // the int8 logits: compared bit for bit
    expectMatch(gpu, Object.fromEntries(cpu.map((t, k) => [k, t])), 'webgpu --integer');
  });
});
