// Runs `qplay run` the way a user does (model and .pb input files in a folder, runCli in-process)
// and compares its outputs with a reference: float within 1e-4 relative, integers exactly.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCli } from '../../app/cli/cli.js';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';
import type { Tensor } from '../../kernels/tensor.js';

export interface Written {
  model: string;
  input: string;
}

/** Writes cases into `dir` and runs them; the caller owns (and removes) the folder. */
export function qplayRunner(dir: string) {
  let fileCount = 0;
  function writeCase(bytes: Uint8Array, x: Tensor): Written {
    const k = fileCount++;
    const model = join(dir, `model${k}.onnx`);
    const input = join(dir, `input${k}.pb`);
    writeFileSync(model, bytes);
    writeFileSync(input, encodeTensorFile(x, 'input'));
    return { model, input };
  }

  /** `qplay run` in-process; returns the output tensors in the model's output order. */
  async function qplay(w: Written, extra: string[] = []): Promise<Tensor[]> {
    const out = join(dir, `out${fileCount++}`);
    let stderr = '';
    const rc = await runCli(['run', w.model, '--input', w.input, '--out', out, ...extra], {
      stdout: () => {},
      stderr: (s) => {
        stderr += s;
      },
    });
    expect(stderr).toBe('');
    expect(rc).toBe(0);
    return readOutputs(out);
  }
  return { writeCase, qplay };
}

export function readOutputs(out: string): Tensor[] {
  const tensors: Tensor[] = [];
  for (let k = 0; ; k++) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(join(out, `output_${k}.pb`));
    } catch {
      return tensors;
    }
    tensors.push(decodeTensorFile(new Uint8Array(bytes)).tensor);
  }
}

/** Float: within 1e-4 relative (floored at 1e-3 of max |expected|); integers: equal. */
export function expectMatch(ours: Tensor[], expected: Record<string, Tensor>, what: string): void {
  const want = Object.values(expected);
  expect(ours.length, what).toBe(want.length);
  ours.forEach((t, k) => {
    const e = want[k];
    expect([t.dtype, t.dims], `${what} output ${k}`).toEqual([e.dtype, e.dims]);
    const a = Array.from(t.data as ArrayLike<number>);
    const b = Array.from(e.data as ArrayLike<number>);
    if (t.dtype !== 'float32') {
      expect(a, `${what} output ${k}`).toEqual(b);
      return;
    }
    const floor = 1e-3 * Math.max(...b.map(Math.abs));
    const worst = Math.max(...a.map((v, i) => Math.abs(v - b[i]) / Math.max(Math.abs(b[i]), floor)));
    expect(worst, `${what} output ${k}: worst relative error`).toBeLessThanOrEqual(1e-4);
  });
}
