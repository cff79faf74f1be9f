// The share link end to end in the system Chromium against the built app: a session made in one
// browser context reopens in a fresh one with the same "Scale" for the same tensor, shown as
// calibrated; a reload keeps it; a tampered link gives a message and the page stays usable; a
// link of a local file asks for the file and refuses a different one.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type BrowserContext, expect, type Page, test } from '@playwright/test';
import { qplay } from '../helpers/quantize-workflow.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;

function watch(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  return errors;
}

const status = (page: Page) => page.getByTestId('quant-status');
const scaleOf = (page: Page) => page.getByTestId('quant-inspector').getByLabel('Scale', { exact: true });

/** Calibrates the open model, selects its first Conv, makes the link; returns it and the Scale. */
async function calibrateAndShare(page: Page, name: string): Promise<{ url: string; scale: string }> {
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(status(page)).toContainText(`Calibrated ${name}`, { timeout: 90_000 });
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  await expect(scaleOf(page)).toHaveText(/^\d/, { timeout: 30_000 });
  const scale = (await scaleOf(page).textContent())!;
  await page.getByRole('button', { name: 'Share link' }).click();
  const box = page.getByRole('textbox', { name: 'Share link' });
  await expect(box).toHaveValue(/#s=[A-Za-z0-9_-]+$/);
  await expect(page.getByTestId('share-note')).toContainText('characters');
  return { url: await box.inputValue(), scale };
}

const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const c of contexts.splice(0)) await c.close();
});

/** A page in a new browser context: its own storage, as another person's browser. */
async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  contexts.push(context);
  return context.newPage();
}

test('a link made in one context reopens in a fresh one with the same parameters and selection', async ({
  page,
  browser,
}) => {
  test.setTimeout(240_000);
  const errors = watch(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(status(page)).toContainText('Ready', { timeout: 60_000 });
  const { url, scale } = await calibrateAndShare(page, 'mnist-8.onnx');
  expect(url.length).toBeLessThan(8192);

  const other = await freshPage(browser);
  const otherErrors = watch(other);
  await other.goto(url);
  await expect(status(other)).toContainText('Calibrated mnist-8.onnx', { timeout: 90_000 });
  await expect(other.getByTestId('export-note')).toContainText('restored from a share link');
  await expect(
    other.locator('g.graph-node[aria-pressed="true"], g.graph-node.selected').first(),
  ).toBeVisible();
  await expect(scaleOf(other)).toHaveText(scale, { timeout: 30_000 });

  // A reload keeps the session (the link is still the address).
  await other.reload();
  await expect(status(other)).toContainText('Calibrated mnist-8.onnx', { timeout: 90_000 });
  await expect(scaleOf(other)).toHaveText(scale, { timeout: 30_000 });
  expect(errors).toEqual([]);
  expect(otherErrors).toEqual([]);
});

test('a tampered link says why and the page stays usable', async ({ browser }) => {
  const page = await freshPage(browser);
  await page.goto('/#s=UUwBAAAAAGJhZA');
  await expect(page.getByTestId('notice')).toContainText('This share link cannot be opened');
  await expect(page.getByTestId('notice')).toContainText('checksum');
  await expect(status(page)).toContainText('Ready', { timeout: 60_000 });
  await expect(page.getByRole('button', { name: 'Calibrate', exact: true })).toBeEnabled();
});

test('a link of a local file asks for it and refuses a different file', async ({ page, browser }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  // Not the default sample's bytes (that one would be recognised by its SHA-256 at once).
  const bytes = readFileSync(`${MODELS}/opt-mnist.onnx`);
  await page.getByLabel('Open model', { exact: true }).setInputFiles({
    name: 'my-digits.onnx',
    mimeType: 'application/octet-stream',
    buffer: bytes,
  });
  await expect(status(page)).toContainText('Ready: 8 operators of my-digits.onnx', { timeout: 60_000 });
  const { url, scale } = await calibrateAndShare(page, 'my-digits.onnx');

  const other = await freshPage(browser);
  await other.goto(url);
  await expect(other.getByTestId('notice')).toContainText('open that file with "Open model"');
  await expect(other.getByTestId('notice')).toContainText('my-digits.onnx');
  await expect(status(other)).toContainText('Ready', { timeout: 60_000 });
  await other.getByLabel('Open model', { exact: true }).setInputFiles({
    name: 'my-digits.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(`${MODELS}/mnist-8.onnx`),
  });
  await expect(other.getByTestId('notice')).toContainText('is not the model of the shared session', {
    timeout: 60_000,
  });
  await other.getByLabel('Open model', { exact: true }).setInputFiles({
    name: 'my-digits.onnx',
    mimeType: 'application/octet-stream',
    buffer: bytes,
  });
  await expect(status(other)).toContainText('Calibrated my-digits.onnx', { timeout: 90_000 });
  await expect(scaleOf(other)).toHaveText(scale, { timeout: 30_000 });
});

test('a reload without a link restores the last session; a kept model file restores without asking', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  const page = await freshPage(browser);
  await page.goto('/');
  await expect(status(page)).toContainText('Ready', { timeout: 60_000 });
  await page.getByLabel(/Keep model files in this browser/).check();
  await page.getByLabel('Open model', { exact: true }).setInputFiles({
    name: 'kept.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(`${MODELS}/mnist-8.onnx`),
  });
  await expect(status(page)).toContainText('Ready: 11 operators of kept.onnx', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(status(page)).toContainText('Calibrated kept.onnx: output SQNR', { timeout: 90_000 });
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  await expect(scaleOf(page)).toHaveText(/^\d/, { timeout: 30_000 });
  const scale = (await scaleOf(page).textContent())!;
  await expect(page.getByTestId('recent-sessions')).toContainText('kept.onnx', { timeout: 30_000 });
  await page.waitForTimeout(500); // the selection is saved right after it changes

  await page.goto('/');
  await expect(status(page)).toContainText('Calibrated kept.onnx', { timeout: 90_000 });
  await expect(scaleOf(page)).toHaveText(scale, { timeout: 30_000 });
});

test("the CLI and the page read each other's links", async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const dir = mkdtempSync(join(tmpdir(), 'qplay-share-cli-'));
  const sessionPath = join(dir, 'mnist.session.json');
  const model = 'tests/fixtures/models/mnist-8.onnx';
  expect(
    (await qplay(['calibrate', model, '--data', 'public/samples', '--scale', '1', '--out', sessionPath])).rc,
  ).toBe(0);
  const session = JSON.parse(readFileSync(sessionPath, 'utf8'));
  // The CLI's link, opened by the page: the bundled sample loads and the session is calibrated.
  const made = await qplay([
    'link',
    sessionPath,
    '--base',
    `${baseURL}/`,
    '--sample',
    'mnist-8.onnx',
    '--selected',
    'Convolution28',
  ]);
  expect(made.rc).toBe(0);
  const page = await freshPage(browser);
  await page.goto(made.stdout.trimEnd().split('\n').pop()!);
  await expect(status(page)).toContainText('Calibrated mnist-8.onnx', { timeout: 90_000 });
  await expect(scaleOf(page)).toHaveText(/^\d/, { timeout: 30_000 });
  const shown = Number(await scaleOf(page).textContent());
  const scales = Object.values(session.tensors as Record<string, { scale: number }>).map((t) => t.scale);
  expect(scales.some((s) => Math.abs(s - shown) <= 1e-5 * s)).toBe(true);

  // The page's link, read by the CLI: the same tensors, weights recomputed from the model.
  await page.getByRole('button', { name: 'Share link' }).click();
  const url = await page.getByRole('textbox', { name: 'Share link' }).inputValue();
  const back = join(dir, 'back.json');
  const un = await qplay(['unlink', url, '--out', back, '--model', model]);
  expect(un.stderr).toBe('');
  const doc = JSON.parse(readFileSync(back, 'utf8'));
  expect(Object.keys(doc.tensors).sort()).toEqual(Object.keys(session.tensors).sort());
  for (const [name, t] of Object.entries(
    session.tensors as Record<string, { scale: number; zeroPoint: number }>,
  )) {
    expect(doc.tensors[name].scale, name).toBe(t.scale);
    expect(doc.tensors[name].zeroPoint, name).toBe(t.zeroPoint);
  }
  expect(doc.weights).toEqual(session.weights);
});
