// The Conv -> ConvTranspose decoder through the quantization workflow on WebGPU (Dawn):
// `run --integer` and `simulate` equal onnxruntime 'all' bit for bit. onnxruntime keeps a QDQ
// ConvTranspose in float; the WebGPU plan runs a requantized ConvTranspose on the GPU with the
// kernel that replays onnxruntime's float order (conv-transpose-exact.wgsl), so the quantized
// decoder runs with no CPU node, and a float model's ConvTranspose on the gather kernel.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { decoderModel } from '../helpers/quant-op-models.js';
import { qplay, quantizeWorkflow } from '../helpers/quantize-workflow.js';
import { imageInput } from '../helpers/realistic-models.js';
import { toFloat32 } from '../../kernels/tensor.js';

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
    const { input } = await quantizeWorkflow(
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
    expect(await fallbacks(qdq, true)).toEqual([]);
    expect(await fallbacks(bytes, false)).toEqual([]);
    // The placement line of `qplay run --integer --backend webgpu`: no CPU node; its output equals
    // the CPU interpreter's bit for bit (quantizeWorkflow checked both against onnxruntime 'all').
    const outs: Float32Array[] = [];
    for (const backend of ['cpu', 'webgpu']) {
      const out = join(dir, 'decoder', `placement-${backend}`);
      const res = await qplay([
        'run',
        join(dir, 'decoder', 'model.qdq.onnx'),
        '--integer',
        '--backend',
        backend,
        '--input',
        input,
        '--out',
        out,
      ]);
      expect(res.stderr, backend).toBe('');
      if (backend === 'webgpu')
        expect(res.stdout).toMatch(/webgpu: \d+ nodes on the GPU, 0 on the CPU, 1 submit\n/);
      outs.push(toFloat32(decodeTensorFile(readFileSync(join(out, 'output_0.pb'))).tensor));
    }
    expect(new Uint32Array(outs[1].buffer)).toEqual(new Uint32Array(outs[0].buffer));
  }, 300_000);
});
