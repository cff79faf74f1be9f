// The Conv -> ConvTranspose decoder through the quantization workflow on WebGPU (Dawn):
// `run --integer` and `simulate` equal onnxruntime 'all' bit for bit. onnxruntime keeps a QDQ
// ConvTranspose in float; the WebGPU plan runs a requantized ConvTranspose on the CPU reference
// (which replays onnxruntime's float order) and a float model's ConvTranspose on the GPU.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { decoderModel } from '../helpers/quant-op-models.js';
import { quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { imageInput } from '../helpers/realistic-models.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-quantize-ops-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function fallbacks(bytes: Uint8Array, integer: boolean): Promise<readonly string[]> {
  const model = decodeModel(bytes);
  const executor = await WebGpuExecutor.create(integer ? fuseQdqForIntegerExecution(model) : model);
  try {
    await executor.run(new Map([['x', imageInput([1, 3, 12, 12], 5)]]));
    return (await executor.summary()).cpuFallbacks;
  } finally {
    executor.dispose();
  }
}

describe('qplay calibrate -> export -> onnxruntime on WebGPU: ConvTranspose', () => {
  it('a Conv -> ConvTranspose decoder', async () => {
    const bytes = decoderModel();
    const samples = [0, 1, 2, 3, 4, 5, 6, 7].map((k) => imageInput([1, 3, 12, 12], 300 + k));
    await quantizeWorkflow(
      dir,
      'webgpu',
      'decoder',
      bytes,
      'x',
      samples,
      imageInput([1, 3, 12, 12], 80),
      0.1,
    );
    const qdq = new Uint8Array(readFileSync(join(dir, 'decoder', 'model.qdq.onnx')));
    expect((await fallbacks(qdq, true)).filter((f) => f.startsWith('ConvTranspose'))).toHaveLength(2);
    expect(await fallbacks(bytes, false)).toEqual([]);
  }, 300_000);
});
