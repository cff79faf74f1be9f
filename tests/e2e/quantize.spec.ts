// The quantization half of the page end to end, in the system Chromium against the built app:
// calibrate the default mnist-8 on its digits, step, inspect a Conv's tensor (Scale, Zero point,
// histogram), drag a clip handle, toggle Passthrough, switch fake/affine, export the QDQ model
// and run it in onnxruntime-node; a second model gets random inputs, said on screen. The CPU
// backend does the work (the quant worker), so SwiftShader's speed does not matter here.
import { mkdirSync, readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import * as ort from 'onnxruntime-node';

const SHOTS = new URL('../../test-results/quantize-screens', import.meta.url).pathname;
const MODELS = new URL('../fixtures/models', import.meta.url).pathname;

async function openPage(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  await expect(page.getByRole('status').filter({ hasText: 'Ready' })).toContainText('mnist-8.onnx', {
    timeout: 60_000,
  });
  return errors;
}

function status(page: Page) {
  return page.getByTestId('quant-status');
}

test('calibrate mnist-8, inspect a Conv, drag a clip handle, passthrough, fake/affine, export', async ({
  page,
}) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = await openPage(page);
  await expect(page.getByTestId('calibration-data')).toContainText('10 bundled digit');

  // One operator, then the rest.
  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(status(page)).toContainText('Paused at operator 1 of');
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(status(page)).toContainText('Calibrated mnist-8.onnx', { timeout: 90_000 });
  await expect(status(page)).toContainText('output SQNR');
  await expect(page.getByTestId('metrics-table').locator('tbody tr')).not.toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/calibrated.png` });

  // A Conv: its output tensor's parameters and histogram.
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  const inspector = page.getByTestId('quant-inspector');
  const scale = inspector.getByLabel('Scale', { exact: true });
  const zeroPoint = inspector.getByLabel('Zero point', { exact: true });
  await expect(scale).toHaveText(/^\d/, { timeout: 30_000 });
  await expect(zeroPoint).toHaveText(/^-?\d+$/);
  const histogram = inspector.getByRole('img', { name: /^Histogram of / });
  await expect(histogram).toBeVisible();
  await expect(inspector.getByTestId('layer-accumulator')).toContainText('max |acc|');
  await expect(inspector.getByTestId('accumulator-preview')).toContainText('x86 without VNNI');
  const scaleBefore = await scale.textContent();

  // Drag the upper clip handle halfway to the left: a manual range, new scale.
  const handle = inspector.getByTestId('clip-max');
  const box = (await handle.boundingBox())!;
  const hbox = (await histogram.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 6);
  await page.mouse.down();
  await page.mouse.move(hbox.x + hbox.width * 0.75, box.y + 6, { steps: 8 });
  await page.mouse.up();
  await expect(inspector.getByTestId('tensor-detail')).toContainText('(manual)', { timeout: 30_000 });
  await expect(scale).not.toHaveText(scaleBefore!);
  await expect(status(page)).toContainText('Calibrated mnist-8.onnx', { timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/clip-dragged.png` });

  // Passthrough on that tensor: the quick update re-runs only what depends on it.
  const passthrough = inspector.getByLabel('Passthrough', { exact: true });
  await passthrough.check();
  await expect(passthrough).toBeChecked({ timeout: 30_000 });
  await expect(status(page)).toContainText('Calibrated mnist-8.onnx', { timeout: 60_000 });
  await passthrough.uncheck();
  await expect(passthrough).not.toBeChecked({ timeout: 30_000 });

  // Fake-quant and back.
  await page.getByTestId('mode-fake').click();
  await expect(status(page)).toContainText('fake-quant', { timeout: 60_000 });
  await page.getByTestId('mode-affine').click();
  await expect(status(page)).toContainText('(affine)', { timeout: 60_000 });

  // Export the QDQ model and run it in onnxruntime.
  await expect(page.getByTestId('export-qdq')).toBeEnabled({ timeout: 30_000 });
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-qdq').click(),
  ]);
  expect(download.suggestedFilename()).toBe('mnist-8.qdq.onnx');
  const bytes = readFileSync((await download.path())!);
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  const digit = new ort.Tensor('float32', new Float32Array(784).fill(0), [1, 1, 28, 28]);
  const out = await session.run({ [session.inputNames[0]]: digit });
  expect(out[session.outputNames[0]].dims).toEqual([1, 10]);
  const [sessionFile] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-session').click(),
  ]);
  expect(JSON.parse(readFileSync((await sessionFile.path())!, 'utf8')).format).toBe('qplay-session');
  await page.screenshot({ path: `${SHOTS}/exported.png` });
  expect(errors).toEqual([]);
});

test('a model with no data of its own calibrates on random inputs, said on screen', async ({ page }) => {
  const errors = await openPage(page);
  await page.getByTestId('file-input').setInputFiles({
    name: 'mlp-batchnorm-pytorch.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(`${MODELS}/mlp-batchnorm-pytorch.onnx`),
  });
  await expect(page.getByTestId('data-note')).toContainText('random inputs', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(status(page)).toContainText('Calibrated mlp-batchnorm-pytorch.onnx', { timeout: 90_000 });
  await page.screenshot({ path: `${SHOTS}/random-calibrated.png` });
  expect(errors).toEqual([]);
});

test('images as calibration data, a user strategy in its worker, and a session loaded back', async ({
  page,
}) => {
  const errors = await openPage(page);
  const SAMPLES = new URL('../../public/samples', import.meta.url).pathname;
  await page.getByTestId('calibration-data').locator('summary').click();
  await page.getByLabel('Calibration files').setInputFiles(
    [3, 5, 8].map((d) => ({
      name: `digit-${d}.png`,
      mimeType: 'image/png',
      buffer: readFileSync(`${SAMPLES}/digit-${d}.png`),
    })),
  );
  await expect(page.getByTestId('calibration-data')).toContainText('3 samples (images)', { timeout: 30_000 });
  await expect(page.getByTestId('calibration-data').locator('.thumbnails img')).toHaveCount(3);
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(status(page)).toContainText('Calibrated mnist-8.onnx', { timeout: 90_000 });

  // The strategy runs only on the click, in a worker without the page's APIs.
  const editor = page.getByLabel('Strategy function');
  const messages = page.getByTestId('strategy-messages');
  await editor.fill("(input) => { fetch('https://example.com'); return null; }");
  await page.getByRole('button', { name: 'Run strategy' }).click();
  await expect(messages).toContainText('fetch is not a function', { timeout: 30_000 });
  await editor.fill('42');
  await page.getByRole('button', { name: 'Run strategy' }).click();
  await expect(messages).toContainText('must be a function', { timeout: 30_000 });
  await editor.fill("(input) => input.kind === 'activation' ? { min: input.min, max: input.max / 2 } : null");
  await page.getByRole('button', { name: 'Run strategy' }).click();
  await expect(messages).toContainText('set by the strategy', { timeout: 30_000 });
  await expect(status(page)).toContainText('Calibrated mnist-8.onnx', { timeout: 60_000 });
  await page.screenshot({ path: `${SHOTS}/strategy.png` });

  // Save the session, then load it back.
  const [saved] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-session').click(),
  ]);
  const text = readFileSync((await saved.path())!);
  await page
    .getByLabel('Load session')
    .setInputFiles({ name: 'saved.session.json', mimeType: 'application/json', buffer: text });
  await expect(page.getByTestId('export-note')).toContainText('saved.session.json', { timeout: 30_000 });
  await expect(status(page)).toContainText('mnist-8.onnx', { timeout: 60_000 });
  // A document that is not a session: one readable line, nothing lost.
  await page
    .getByLabel('Load session')
    .setInputFiles({ name: 'junk.json', mimeType: 'application/json', buffer: Buffer.from('{"format": 3}') });
  await expect(page.getByTestId('quant-error').or(status(page))).toContainText(
    'Could not load the session junk.json',
  );
  expect(errors).toEqual([]);
});
