// The committed conformance status (status.json): per test its outcome and reason, and counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome, StatusEntry } from './onnx-testdata.js';

export const STATUS_PATH = join(import.meta.dirname, 'status.json');

export type Counts = Record<Outcome, number>;

export interface StatusFile {
  /** Per set and in total; 'webgpu' counts the WebGPU runs of the tests that pass on the CPU. */
  readonly summary: Record<string, Counts>;
  readonly tests: Record<string, StatusEntry>;
}

/** Counts per set ('node', 'simple', ...) and in total. */
export function summarize(results: Record<string, StatusEntry>): StatusFile['summary'] {
  const zero = (): Counts => ({ pass: 0, refused: 0, fail: 0 });
  const summary: StatusFile['summary'] = { total: zero(), webgpu: zero() };
  for (const [id, r] of Object.entries(results)) {
    for (const key of [id.split('/')[0], 'total']) {
      summary[key] ??= zero();
      summary[key][r.outcome]++;
    }
    if (r.webgpu) summary.webgpu[r.webgpu.outcome]++;
  }
  return summary;
}

export function readStatus(path = STATUS_PATH): StatusFile {
  return JSON.parse(readFileSync(path, 'utf8')) as StatusFile;
}

/** One line per set and per test, so a change in one op's outcome is a one-line diff. */
export function formatStatus(summary: StatusFile['summary'], tests: Record<string, StatusEntry>): string {
  const lines = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(
        ([k, v]) =>
          `    ${JSON.stringify(k)}: ${JSON.stringify(v).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`,
      )
      .join(',\n');
  return `{\n  "summary": {\n${lines(summary)}\n  },\n  "tests": {\n${lines(tests)}\n  }\n}\n`;
}
