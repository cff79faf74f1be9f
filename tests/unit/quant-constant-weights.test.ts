// The shape of the models people export (an OCR classifier seen in the wild): weights held in
// `Constant` nodes rather than initializers, BatchNorm not folded, and an input [N, 3, H, W] with
// every dim symbolic. Calibrate on non-square samples -> export -> onnxruntime: affine and
// `run --integer` equal onnxruntime 'all' bit for bit, fake-quant equals 'disabled'.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { asExported } from '../helpers/exported-form.js';
import { quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { floatModelBytes, imageInput, mobilenetLike } from '../helpers/realistic-models.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-constant-weights-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('Constant-node weights, BatchNorm kept, symbolic [N, 3, H, W]', () => {
  it('calibrate -> export -> onnxruntime on the CPU', async () => {
    const g = mobilenetLike({ opset: 13, size: 32, head: 'gemm', foldBatchNorm: false, seed: 31 });
    const bytes = asExported(floatModelBytes(g));
    expect(decodeModel(bytes).graph.initializers.size).toBe(0);
    const dims = [1, 3, 32, 48];
    const samples = [0, 1, 2, 3].map((k) => imageInput(dims, 300 + k));
    const { session } = await quantizeWorkflow(
      dir,
      'cpu',
      'exported',
      bytes,
      g.input.name,
      samples,
      imageInput(dims, 8),
      0.3,
    );
    // The Constant weights were quantized as weights (per channel), not left float.
    const doc = JSON.parse(readFileSync(session, 'utf8'));
    const convs = g.nodes.filter((n) => n.op === 'Conv').length;
    const perChannel = Object.values(doc.weights as Record<string, { axis?: number }>).filter(
      (w) => w.axis !== undefined,
    );
    expect(perChannel.length).toBeGreaterThanOrEqual(convs);
  }, 300_000);
});
