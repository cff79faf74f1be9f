// The quantized transformer encoder block (tests/helpers/transformer-quantize.ts) through
// `qplay run --integer --backend webgpu`: every node of the fused model (QLinearMatMul, QLinearAdd,
// QLinearMul, QLinearWhere, QLinearSoftmax, LayerNormalization, Erf, Q/DQ) runs on the GPU in one
// submit, the run summary says so, and the output equals `--backend cpu` bit for bit.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeTensorFile } from '../../app/model/tensor-proto.js';
import { qplay } from '../helpers/quantize-workflow.js';
import { quantizeTransformer } from '../helpers/transformer-quantize.js';

const dir = mkdtempSync(join(tmpdir(), 'qplay-transformer-gpu-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a quantized transformer block on WebGPU', () => {
  it('run --integer --backend webgpu: 0 nodes on the CPU, one submit, the CPU backend bit for bit', async () => {
    const { qdq, input } = await quantizeTransformer(dir);
    const outputs: Uint8Array[] = [];
    for (const backend of ['cpu', 'webgpu']) {
      const out = join(dir, backend);
      const res = await qplay([
        'run',
        qdq,
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
      else expect(res.stdout).not.toMatch(/on the GPU/);
      outputs.push(decodeTensorFile(readFileSync(join(out, 'output_0.pb'))).tensor.data as Uint8Array);
    }
    expect(Array.from(outputs[1])).toEqual(Array.from(outputs[0]));
  }, 180_000);
});
