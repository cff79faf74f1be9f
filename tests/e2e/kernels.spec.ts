// The int8 and quantize kernels inside Chromium, on the browser's WebGPU adapter (SwiftShader
// here), bit-exact against the pure-TS references: bench/kernel-checks.ts through
// bench/kernel-test.html (a second page of the Vite build). A missing adapter fails the test.
import { expect, type Page, test } from '@playwright/test';
import type { CheckFamily } from '../../bench/kernel-checks.js';
import type {} from '../../bench/kernel-test.js';

test.describe.configure({ mode: 'serial' });

let page: Page;

test.beforeAll(async ({ browser }) => {
  page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/bench/kernel-test.html');
  await page
    .waitForFunction(() => window.qplayKernelTests !== undefined, undefined, { timeout: 30_000 })
    .catch(() => {
      throw new Error(`kernel test page did not load: ${errors.join('; ') || 'no page error'}`);
    });
});

test.afterAll(async () => {
  await page?.close();
});

test('the browser has a WebGPU adapter with dot4I8Packed', async () => {
  const adapter = await page.evaluate(() => window.qplayKernelTests!.adapter());
  console.log(`adapter: ${adapter.description}`);
  expect(adapter.description.length).toBeGreaterThan(0);
  // SwiftShader and every current GPU driver have it; the fallback path is checked too (no-dot4 case).
  expect(adapter.dot4I8Packed).toBe(true);
});

const FAMILIES: [CheckFamily, number, number][] = [
  // family, seed, how many checks at least (curated + random)
  ['dense', 11, 13],
  ['conv', 12, 11],
  ['depthwise', 13, 5],
  ['quantize', 14, 22],
];

for (const [family, seed, minimum] of FAMILIES) {
  test(`${family} on the browser adapter is bit-exact with the reference`, async () => {
    const results = await page.evaluate(([f, s]) => window.qplayKernelTests!.run(f, s), [
      family,
      seed,
    ] as const);
    expect(results.length).toBeGreaterThanOrEqual(minimum);
    const failures = results.filter((r) => r.mismatch !== undefined).map((r) => `${r.name}: ${r.mismatch}`);
    expect(failures).toEqual([]);
  });
}
