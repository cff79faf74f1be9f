// The share-link codec: round trips (a real calibrated session, and random sessions with
// fast-check: scales bit for bit), the size bound on a 200-operator model, and bad links refused in
// one line each: truncation at every length, bit flips, junk, a newer version, a deflate bomb.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { Deflate } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUANTIZED_DTYPES } from '../../app/quant/config-parse.js';
import {
  crc32,
  decodeLink,
  decodeLinkBytes,
  encodeLink,
  encodeLinkBytes,
  fromBase64Url,
  type LinkDocument,
  LinkError,
  linkUrl,
  toBase64Url,
  weightsDigest,
} from '../../app/session/link-codec.js';
import {
  PARAM_SOURCES,
  parseSession,
  type SessionDocument,
  sessionToJson,
  type TensorParams,
} from '../../app/session/session.js';
import { qplay } from '../helpers/quantize-workflow.js';

let real: SessionDocument;
const dir = mkdtempSync(join(tmpdir(), 'qplay-link-'));
beforeAll(async () => {
  const out = join(dir, 'mnist.session.json');
  const r = await qplay([
    'calibrate',
    'tests/fixtures/models/mnist-8.onnx',
    '--data',
    'public/samples',
    '--scale',
    '1',
    '--out',
    out,
  ]);
  expect(r.rc).toBe(0);
  real = parseSession(readFileSync(out, 'utf8'));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linkOf = (session: SessionDocument, extra: Partial<LinkDocument> = {}): LinkDocument => ({
  session,
  source: { kind: 'sample', file: 'mnist-8.onnx' },
  selected: 'Convolution28',
  weightsDigest: weightsDigest(session),
  ...extra,
});

/** The session as the link carries it: no weights, no metrics. */
const carried = (s: SessionDocument) => ({ ...sessionToJson(s), weights: {}, metrics: {} });

/** Every way a link may be refused must be one line from the codec, not a crash. */
function expectRefused(link: string | Uint8Array, pattern?: RegExp): void {
  let error: unknown;
  try {
    if (typeof link === 'string') decodeLink(link);
    else decodeLinkBytes(link);
  } catch (e) {
    error = e;
  }
  expect(error, 'should be refused').toBeInstanceOf(LinkError);
  const message = (error as Error).message;
  expect(message).not.toMatch(/\n/);
  if (pattern) expect(message).toMatch(pattern);
}

describe('round trip', () => {
  it('a calibrated mnist-8 session, its source, selection and weights digest', () => {
    const doc = linkOf(real);
    const url = linkUrl('http://127.0.0.1:4173/', doc);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#s=[A-Za-z0-9_-]+$/);
    const back = decodeLink(url);
    expect(carried(back.session)).toEqual(carried(real));
    expect(back.source).toEqual(doc.source);
    expect(back.selected).toBe('Convolution28');
    expect(back.weightsDigest).toBe(weightsDigest(real));
    expect(back.weightsDigest).toMatch(/^[0-9a-f]{16}$/);
    for (const [name, t] of Object.entries(real.tensors))
      expect(back.session.tensors[name].scale).toBe(t.scale);
  });

  it('base64url round trips every length', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        expect(fromBase64Url(toBase64Url(b))).toEqual(b);
      }),
    );
  });

  it('random sessions come back equal, scales bit for bit', () => {
    const tensor = fc
      .record({
        dtype: fc.constantFrom(...QUANTIZED_DTYPES),
        perChannel: fc.boolean(),
        scales: fc.array(
          fc.float({ min: Math.fround(1e-30), max: Math.fround(1e30), noNaN: true, noDefaultInfinity: true }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        zp: fc.integer({ min: 0, max: 127 }),
        observer: fc.constantFrom(...PARAM_SOURCES),
        lo: fc.double({ min: -1e6, max: 0, noNaN: true }),
        hi: fc.double({ min: 0, max: 1e6, noNaN: true }),
        passthrough: fc.boolean(),
      })
      .map((t): TensorParams => {
        const per = t.perChannel && t.scales.length > 1;
        return {
          dtype: t.dtype,
          scale: per ? t.scales : t.scales[0],
          zeroPoint: per ? t.scales.map(() => t.zp) : t.zp,
          ...(per ? { axis: 0 } : {}),
          observer: t.observer,
          // JSON has no -0: a session's range never holds one.
          range: [t.lo || 0, t.hi || 0],
          passthrough: t.passthrough,
        };
      });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 40 }), tensor, { maxKeys: 30 }),
        fc.option(fc.string({ maxLength: 30 })),
        (tensors, selected) => {
          const session: SessionDocument = { ...real, tensors, weights: {} };
          const back = decodeLink(encodeLink(linkOf(session, { selected, weightsDigest: null })));
          expect(carried(back.session)).toEqual(carried(session));
          expect(back.selected).toBe(selected);
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('size', () => {
  it('a 200-operator model links in under 8 KB', () => {
    const tensors: Record<string, TensorParams> = {};
    let x = 0.0123;
    for (let i = 0; i < 200; i++) {
      x = Math.fround((x * 1.37 + 0.011) % 0.5) || 0.01;
      tensors[`/backbone/stage${Math.floor(i / 20)}/block${i % 20}/conv/Conv_output_0`] = {
        dtype: 'uint8',
        scale: Math.fround(x / 7),
        zeroPoint: (i * 37) % 256,
        observer: 'minmax',
        range: [Math.fround(-x * 3), Math.fround(x * 29)],
        passthrough: i % 50 === 0,
      };
    }
    const url = linkUrl(
      'http://127.0.0.1:4173/',
      linkOf({ ...real, tensors, weights: {} }, { weightsDigest: null }),
    );
    expect(url.length).toBeLessThan(8 * 1024);
  });
});

describe('bad links are refused in one line', () => {
  it('truncated at every length', () => {
    const payload = encodeLink(linkOf(real));
    for (let n = 0; n < payload.length; n++) expectRefused(`#s=${payload.slice(0, n)}`);
  });

  it('every single bit flip', () => {
    const bytes = encodeLinkBytes(linkOf(real));
    for (let i = 0; i < bytes.length; i++)
      for (let bit = 0; bit < 8; bit++) {
        const b = bytes.slice();
        b[i] ^= 1 << bit;
        expectRefused(b);
      }
  });

  it('junk, a foreign payload, a character outside base64url, an empty fragment', () => {
    const junk = Array.from({ length: 50 * 1024 }, (_, i) => 'AbZz09-_'[(i * 7) % 8]).join('');
    expectRefused(`#s=${junk}`, /not a Quantization Playground link/);
    expectRefused(
      `#s=${toBase64Url(new TextEncoder().encode('{"format":"qplay-session"}'))}`,
      /not a Quantization Playground link/,
    );
    expectRefused('#s=QL$$', /not base64url/);
    expectRefused('http://x/#s=', /holds no session/);
    expectRefused(`#s=${'A'.repeat(300 * 1024)}`, /over the limit/);
  });

  it('a newer format version says so', () => {
    const b = encodeLinkBytes(linkOf(real));
    b[2] = 9;
    expectRefused(b, /newer version \(format 9/);
  });

  it('a deflate bomb stops at the inflate limit', () => {
    const parts: Uint8Array[] = [];
    const d = new Deflate({ level: 9 }, (c) => parts.push(c));
    const zeros = new Uint8Array(1 << 20);
    for (let i = 0; i < 16; i++) d.push(zeros, i === 15);
    const packed = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      packed.set(p, at);
      at += p.length;
    }
    expect(packed.length).toBeLessThan(64 * 1024);
    const bomb = new Uint8Array(7 + packed.length);
    bomb.set([0x51, 0x4c, 1]);
    new DataView(bomb.buffer).setUint32(3, crc32(packed), true);
    bomb.set(packed, 7);
    expectRefused(bomb, /inflates to more than 8 MiB/);
  });

  it('a valid link whose parameters break the session rules names what is wrong', () => {
    const t = Object.keys(real.tensors)[0];
    const bad = { ...real, tensors: { ...real.tensors, [t]: { ...real.tensors[t], zeroPoint: 300 } } };
    expectRefused(encodeLink(linkOf(bad as SessionDocument)), /zeroPoint|zero point/);
  });
});
