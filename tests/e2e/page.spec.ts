// The page end to end in the system Chromium: the embedded sample, the inspector, a digit run,
// bad input that must leave the model in place, and a second real model.
import { readFileSync } from 'node:fs';
import { expect, type Page, test } from '@playwright/test';
import { buildModel } from '../helpers/onnx-builder.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;
const SQUEEZENET = `${MODELS}/light-squeezenet.onnx`;

async function openPage(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  return errors;
}

async function expectMnistShown(page: Page) {
  await expect(page.getByTestId('model-name')).toHaveText('mnist-8.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  await expect(page.locator('g.graph-node')).toHaveCount(12);
}

test('opens on mnist-8 drawn, with its summary and the WebGPU status', async ({ page }) => {
  const errors = await openPage(page);
  await expectMnistShown(page);
  // Every op is coloured from the op-schema table, so none is drawn as 'unknown'.
  await expect(page.locator('g.graph-node[data-category="unknown"]')).toHaveCount(0);
  // Output shapes come from shape inference: the first Conv gives 1x8x28x28.
  await expect(page.locator('g.graph-node[data-op="Conv"]').first()).toContainText('1×8×28×28');
  const summary = page.getByTestId('model-summary');
  await expect(summary).toContainText('CNTK 2.5.1');
  await expect(summary).toContainText('ai.onnx v8');
  await expect(summary).toContainText('5,998'); // parameters
  await expect(page.getByTestId('gpu-status')).toContainText('runs on CPU (reference interpreter)');
  expect(errors).toEqual([]);
});

test('clicking a Conv node shows its attributes, inputs and weight statistics', async ({ page }) => {
  await openPage(page);
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  const inspector = page.getByTestId('node-inspector');
  await expect(inspector).toContainText('Convolution28');
  const attrs = inspector.getByTestId('node-attributes');
  await expect(attrs).toContainText('kernel_shape');
  await expect(attrs).toContainText('[5, 5]');
  await expect(attrs).toContainText('SAME_UPPER');
  await expect(inspector).toContainText('[8,1,5,5]');
  await expect(inspector.getByTestId('initializer-stats')).toContainText('n 200');
  await expect(page.locator('g.graph-node.selected')).toHaveCount(1);
});

test('running digit 7 predicts 7, and the page is screenshotted', async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 860 });
  const errors = await openPage(page);
  const outputs = page.getByTestId('run-outputs');
  await page.getByTestId('digit-2').click();
  await page.getByTestId('run').click();
  await expect(outputs).toContainText('digit 2', { timeout: 30_000 });
  await expect(outputs.getByTestId('argmax')).toHaveText('2');
  await page.getByTestId('digit-7').click();
  await page.getByTestId('run').click();
  await expect(outputs).toContainText('digit 7', { timeout: 30_000 });
  await expect(outputs.getByTestId('argmax')).toHaveText('7');
  await expect(outputs.locator('[data-testid^="bar-"]')).toHaveCount(10);
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  await page.screenshot({ path: 'docs/screenshot.png' });
  expect(errors).toEqual([]);
});

test('a corrupt file shows a one-line error and keeps the model', async ({ page }) => {
  await openPage(page);
  const junk = Buffer.from([0x08, 0x07, 0x12, 0xff, 0xff, 0xff, 0x7f, 0x01, 0x02, 0x03]);
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'corrupt.onnx', mimeType: 'application/octet-stream', buffer: junk });
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText('Could not open corrupt.onnx');
  // One line as rendered: the text box is one line high, however long the message.
  const box = await notice.locator('.notice-text').boundingBox();
  expect(box!.height).toBeLessThan(24);
  await expectMnistShown(page);
  // A text file is not a model either.
  await page
    .getByTestId('file-input')
    .setInputFiles({
      name: 'notes.txt',
      mimeType: 'text/plain',
      buffer: Buffer.from('hello, not a model\n'),
    });
  await expect(notice).toContainText('Could not open notes.txt');
  await expectMnistShown(page);
});

test('a model with an unsupported op names the op and node and keeps the model', async ({ page }) => {
  await openPage(page);
  const bytes = buildModel({
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4] }],
    nodes: [{ op: 'FrobnicateXYZ', name: 'mystery_node', inputs: ['x'], outputs: ['y'] }],
  });
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'odd.onnx', mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText('FrobnicateXYZ');
  await expect(notice).toContainText('mystery_node');
  await expectMnistShown(page);
});

test('a second real model loads and draws; a long run shows progress and can be cancelled', async ({
  page,
}) => {
  const errors = await openPage(page);
  await page.getByTestId('file-input').setInputFiles({
    name: 'light-squeezenet.onnx',
    mimeType: 'application/octet-stream',
    buffer: readFileSync(SQUEEZENET),
  });
  await expect(page.getByTestId('model-name')).toHaveText('light-squeezenet.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('105 nodes');
  await expect(page.locator('g.graph-node')).toHaveCount(105);
  await expect(page.getByTestId('notice')).toHaveCount(0);
  await expect(page.getByTestId('digit-7')).toHaveCount(0); // not a digit model: seeded random inputs
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-progress')).toBeVisible();
  await page.getByTestId('cancel-run').click();
  await expect(page.getByTestId('run-panel')).toContainText('cancelled');
  await expect(page.getByTestId('run')).toBeEnabled();
  expect(errors).toEqual([]);
});

test('without WebGPU the page says so and still runs on the CPU', async ({ page }) => {
  await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
  await openPage(page);
  await expect(page.getByTestId('gpu-notice')).toContainText('WebGPU is not available');
  await expect(page.getByTestId('gpu-status')).toContainText('No WebGPU');
  await page.getByTestId('digit-3').click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('argmax')).toHaveText('3', { timeout: 30_000 });
});
