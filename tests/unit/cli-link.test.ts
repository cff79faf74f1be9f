// `qplay link` / `qplay unlink`: the URL is the last line, unlink gives back the session linked
// (weights recomputed from the model with --model; metrics are not in a link), errors are one line.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qplay } from '../helpers/quantize-workflow.js';

const MODEL = 'tests/fixtures/models/mnist-8.onnx';
const dir = mkdtempSync(join(tmpdir(), 'qplay-cli-link-'));
const session = join(dir, 'mnist.session.json');
beforeAll(async () => {
  const r = await qplay(['calibrate', MODEL, '--data', 'public/samples', '--scale', '1', '--out', session]);
  expect(r.rc).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const lastLine = (s: string) => s.trimEnd().split('\n').pop()!;
const json = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

describe('qplay link / unlink', () => {
  it('link prints the URL last; unlink --model writes the same session (metrics aside)', async () => {
    const link = await qplay([
      'link',
      session,
      '--base',
      'http://127.0.0.1:4173/',
      '--sample',
      'mnist-8.onnx',
    ]);
    expect(link.rc).toBe(0);
    const url = lastLine(link.stdout);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:4173\/#s=[A-Za-z0-9_-]+$/);
    const out = join(dir, 'back.json');
    const un = await qplay(['unlink', url, '--out', out, '--model', MODEL]);
    expect(un.stderr).toBe('');
    expect(un.rc).toBe(0);
    const { metrics: _a, ...linked } = json(session);
    const { metrics: _b, ...back } = json(out);
    expect(back).toEqual(linked);
  });

  it('unlink without the model leaves the weights out and keeps every tensor', async () => {
    const url = lastLine((await qplay(['link', session])).stdout);
    expect(url.startsWith('http://localhost:5173/#s=')).toBe(true);
    const out = join(dir, 'no-weights.json');
    expect((await qplay(['unlink', url, '--out', out])).rc).toBe(0);
    expect(json(out).weights).toEqual({});
    expect(json(out).tensors).toEqual(json(session).tensors);
    expect(json(out).config).toEqual(json(session).config);
  });

  it('bad links and arguments: one error line, non-zero exit, no stack', async () => {
    const url = lastLine((await qplay(['link', session])).stdout);
    for (const [args, pattern] of [
      [
        ['unlink', `${url.slice(0, -5)}`, '--out', join(dir, 'x.json')],
        /^error: unlink: the link is (damaged|cut short)/,
      ],
      [['unlink', 'http://localhost:5173/#s=', '--out', join(dir, 'x.json')], /holds no session/],
      [['unlink', url], /missing --out/],
      [
        ['unlink', url, '--out', join(dir, 'x.json'), '--model', 'tests/fixtures/models/opt-mnist.onnx'],
        /SHA-256|sha256|different/i,
      ],
      [['link', join(dir, 'missing.json')], /cannot read session/],
      [['link', session, '--base', 'ftp://x/'], /--base must be an http/],
    ] as const) {
      const r = await qplay([...args]);
      expect(r.rc, args.join(' ')).not.toBe(0);
      expect(r.stderr.trimEnd().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(pattern);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
