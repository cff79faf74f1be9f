// The committed conformance status (status.json): per test its outcome and reason, and counts.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Outcome, TestResult } from './onnx-testdata.js';

export const STATUS_PATH = join(import.meta.dirname, 'status.json');

export interface StatusFile {
  readonly summary: Record<string, Record<Outcome, number>>;
  readonly tests: Record<string, TestResult>;
}

/** Counts per set ('node', 'simple', ...) and in total. */
export function summarize(results: Record<string, TestResult>): StatusFile['summary'] {
  const summary: StatusFile['summary'] = { total: { pass: 0, refused: 0, fail: 0 } };
  for (const [id, r] of Object.entries(results)) {
    for (const key of [id.split('/')[0], 'total']) {
      summary[key] ??= { pass: 0, refused: 0, fail: 0 };
      summary[key][r.outcome]++;
    }
  }
  return summary;
}

export function readStatus(): StatusFile {
  return JSON.parse(readFileSync(STATUS_PATH, 'utf8')) as StatusFile;
}

/** One line per set and per test, so a change in one op's outcome is a one-line diff. */
export function formatStatus(summary: StatusFile['summary'], tests: Record<string, TestResult>): string {
  const lines = (o: Record<string, unknown>) =>
    Object.entries(o)
      .map(
        ([k, v]) =>
          `    ${JSON.stringify(k)}: ${JSON.stringify(v).replace(/,"/g, ', "').replace(/":/g, '": ').replace(/^\{/, '{ ').replace(/\}$/, ' }')}`,
      )
      .join(',\n');
  return `{\n  "summary": {\n${lines(summary)}\n  },\n  "tests": {\n${lines(tests)}\n  }\n}\n`;
}
