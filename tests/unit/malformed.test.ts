// The parser refuses malformed files cleanly: truncated models, random bytes and flipped bits
// either decode to a model or throw ModelError. A TypeError/RangeError escaping, or a case that
// runs long, is a failure. Decoding is synchronous, so a case cannot be interrupted from here;
// each one is timed and must finish within CASE_MS (a hang still ends at Vitest's test timeout,
// and tests/unit/cli.test.ts checks a malformed file through the CLI under a hard 2 s limit).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { decodeModel } from '../../app/model/decode.js';
import { ModelError } from '../../app/model/errors.js';
import type { Model } from '../../app/model/ir.js';
import { modelFacts } from '../../app/cli/inspect.js';

const models = join(import.meta.dirname, '../fixtures/models');
const CASE_MS = 1000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Outcome = { kind: 'model'; model: Model } | { kind: 'refused'; message: string };

/** Decodes and reports the outcome; anything but a model or a ModelError fails the test. */
function decodeCase(bytes: Uint8Array, label: string): Outcome {
  const t0 = performance.now();
  let outcome: Outcome;
  try {
    outcome = { kind: 'model', model: decodeModel(bytes) };
  } catch (e) {
    if (!(e instanceof ModelError)) {
      throw new Error(`${label}: ${(e as Error).name} escaped the parser: ${(e as Error).message}`);
    }
    expect(e.message.length, `${label}: non-empty message`).toBeGreaterThan(0);
    outcome = { kind: 'refused', message: e.message };
  }
  expect(performance.now() - t0, `${label}: decode time (ms)`).toBeLessThan(CASE_MS);
  return outcome;
}

/** Whatever decoded must also survive what `qplay inspect` and `qplay run` do first. */
function exerciseDecoded(model: Model, label: string): void {
  try {
    modelFacts(model);
    new CpuInterpreter(model).dispose(); // the support check; unsupported ops are a ModelError
  } catch (e) {
    if (!(e instanceof ModelError))
      throw new Error(`${label}: ${(e as Error).name} after decode: ${(e as Error).message}`);
  }
}

/** Offset of the middle of the largest initializer's bytes in the file. */
function midInitializerOffset(bytes: Uint8Array): number {
  const model = decodeModel(bytes);
  let largest: Uint8Array = new Uint8Array(0);
  for (const t of model.graph.initializers.values()) {
    const b = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
    if (b.byteLength > largest.byteLength) largest = b;
  }
  expect(largest.byteLength).toBeGreaterThan(64);
  const needle = largest.subarray(0, 32);
  outer: for (let i = 0; i + needle.length <= bytes.length; i++) {
    for (let j = 0; j < needle.length; j++) if (bytes[i + j] !== needle[j]) continue outer;
    return i + (largest.byteLength >> 1);
  }
  throw new Error('largest initializer not found in the file');
}

describe.each(['mnist-8.onnx', 'light-squeezenet.onnx'])('%s, damaged', (file) => {
  const bytes = new Uint8Array(readFileSync(join(models, file)));

  it('decodes intact (the control case)', () => {
    expect(decodeCase(bytes, 'intact').kind).toBe('model');
  });

  it('truncated at many offsets: every prefix is refused with a ModelError', () => {
    const n = bytes.length;
    const offsets = new Set([0, 1, 2, 10, 50, midInitializerOffset(bytes), n - 2, n - 1]);
    for (let k = 1; k < 40; k++) offsets.add(Math.floor((n * k) / 40));
    for (const off of offsets) {
      const outcome = decodeCase(bytes.slice(0, off), `truncated at ${off}/${n}`);
      // A prefix can end exactly between two top-level fields and still parse; then the model
      // must still be refused (no graph, no opsets) or be usable. Both models end with opset_import.
      if (outcome.kind === 'model') exerciseDecoded(outcome.model, `truncated at ${off}`);
      else expect(outcome.message).toMatch(/ONNX|truncated|corrupt|empty|graph|opset/i);
    }
  });

  it('200 single-bit flips at seeded positions: a model or a ModelError', () => {
    const next = rng(0xf11b + bytes.length);
    let refused = 0;
    for (let k = 0; k < 200; k++) {
      const pos = Math.floor(next() * bytes.length);
      const bit = Math.floor(next() * 8);
      const damaged = bytes.slice();
      damaged[pos] ^= 1 << bit;
      const label = `bit ${bit} of byte ${pos} flipped`;
      const outcome = decodeCase(damaged, label);
      if (outcome.kind === 'model') exerciseDecoded(outcome.model, label);
      else refused++;
    }
    // Most flips land in weights and still decode; some hit the structure and are refused.
    expect(refused).toBeLessThan(200);
  });
});

describe('random bytes', () => {
  it.each([1, 2, 7, 64, 1000, 65_536, 1_000_000])('%i random bytes are refused', (size) => {
    const next = rng(size);
    const bytes = new Uint8Array(size);
    for (let i = 0; i < size; i++) bytes[i] = Math.floor(next() * 256);
    expect(decodeCase(bytes, `${size} random bytes`).kind).toBe('refused');
  });

  it('an empty file is refused', () => {
    expect(decodeCase(new Uint8Array(0), 'empty')).toEqual({
      kind: 'refused',
      message: expect.stringMatching(/empty/),
    });
  });

  it('other formats are refused: text, a PNG header, a zip header', () => {
    const samples: Record<string, Uint8Array> = {
      text: new TextEncoder().encode('{"this": "is json, not onnx"}\n'),
      png: Uint8Array.from([
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52,
      ]),
      zip: Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 20, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0, 0]),
    };
    for (const [what, b] of Object.entries(samples)) expect(decodeCase(b, what).kind, what).toBe('refused');
  });
});
