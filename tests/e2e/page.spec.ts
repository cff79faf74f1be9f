// The page end to end in the system Chromium (WebGPU on its SwiftShader adapter): the embedded
// sample, the inspector, a digit run on WebGPU by default and the same run on the CPU, bad input
// that must leave the model in place, a second real model, and the page without WebGPU.
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
  await expect(page.getByTestId('gpu-status')).toContainText('runs on WebGPU');
  await expect(page.getByTestId('backend-webgpu')).toHaveAttribute('aria-pressed', 'true');
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

/** The charted output values at full precision (each bar carries its value). */
async function logits(page: Page): Promise<number[]> {
  const bars = page.getByTestId('run-outputs').locator('[data-testid^="bar-"]');
  await expect(bars).toHaveCount(10);
  return (await bars.evaluateAll((gs) => gs.map((g) => g.getAttribute('data-value')))).map(Number);
}

async function runDigit(page: Page, digit: number): Promise<void> {
  await page.getByTestId(`digit-${digit}`).click();
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-outputs')).toContainText(`digit ${digit}`, { timeout: 60_000 });
}

test('digit 7 runs on WebGPU by default and predicts 7; the CPU gives the same logits', async ({ page }) => {
  await page.setViewportSize({ width: 1360, height: 860 });
  const errors = await openPage(page);
  const outputs = page.getByTestId('run-outputs');
  const placement = page.getByTestId('run-placement');
  await expect(page.getByTestId('gpu-status')).toContainText('runs on WebGPU');
  await runDigit(page, 2);
  await expect(outputs.getByTestId('argmax')).toHaveText('2');
  await expect(placement).toHaveAttribute('data-backend', 'webgpu');
  // The first WebGPU run of a model includes creating the executor (kernels, plan, weights).
  await expect(page.getByTestId('run-time')).toContainText('WebGPU setup');
  await runDigit(page, 7);
  await expect(outputs.getByTestId('argmax')).toHaveText('7');
  // mnist-8: 10 GPU kernels, the Reshape a view, the constant shape folded; nothing on the CPU.
  await expect(placement).toContainText(/^WebGPU · .+ · 10 nodes on GPU, 0 on CPU · 1 submit$/);
  await expect(page.getByTestId('run-time')).toHaveText(/^digit 7 · \d+ ms$/); // executor reused
  await expect(page.getByTestId('run-fallback')).toHaveCount(0);
  const gpuLogits = await logits(page);
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  await page.screenshot({ path: 'docs/screenshot.png' });

  await page.getByTestId('backend-cpu').click();
  await expect(page.getByTestId('backend-cpu')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('gpu-status')).toContainText('runs on CPU');
  await page.getByTestId('run').click();
  await expect(placement).toHaveAttribute('data-backend', 'cpu', { timeout: 60_000 });
  await expect(placement).toHaveText('CPU reference interpreter · 12 nodes on CPU');
  await expect(outputs.getByTestId('argmax')).toHaveText('7');
  const cpuLogits = await logits(page);
  const scale = Math.max(...cpuLogits.map(Math.abs));
  expect(scale).toBeGreaterThan(1);
  cpuLogits.forEach((c, i) => {
    const g = gpuLogits[i];
    // Relative 1e-4 per logit, with a floor at 1e-4 of the largest one for logits near zero.
    expect(Math.abs(g - c), `logit ${i}: gpu ${g} cpu ${c}`).toBeLessThanOrEqual(
      1e-4 * Math.max(Math.abs(c), 0.01 * scale),
    );
  });
  expect(gpuLogits).not.toEqual(new Array(10).fill(0));
  expect(errors).toEqual([]);
});

test('nodes whose GPU kernel cannot load run on the CPU inside the WebGPU run, and are counted', async ({
  page,
}) => {
  // Without the conv kernel's WGSL the executor plans both Convs as CPU fallbacks.
  await page.route('**/conv2d-*.wgsl', (route) => route.abort());
  const errors = await openPage(page);
  await runDigit(page, 7);
  await expect(page.getByTestId('argmax')).toHaveText('7');
  const placement = page.getByTestId('run-placement');
  await expect(placement).toContainText('8 nodes on GPU, 2 on CPU');
  await expect(placement).toHaveAttribute(
    'title',
    /CPU fallbacks: Conv \(Convolution28\), Conv \(Convolution110\)/,
  );
  await expect(page.getByTestId('run-fallback')).toHaveCount(0); // the run itself stayed on WebGPU
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
  await page.getByTestId('file-input').setInputFiles({
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
  const errors = await openPage(page);
  await expect(page.getByTestId('gpu-notice')).toContainText(
    'No WebGPU adapter: running on the CPU reference interpreter',
  );
  await expect(page.getByTestId('gpu-status')).toContainText('No WebGPU');
  await expect(page.getByTestId('backend-webgpu')).toBeDisabled();
  await expect(page.getByTestId('backend-cpu')).toHaveAttribute('aria-pressed', 'true');
  await runDigit(page, 3);
  await expect(page.getByTestId('argmax')).toHaveText('3');
  await expect(page.getByTestId('run-placement')).toHaveText('CPU reference interpreter · 12 nodes on CPU');
  await expect(page.getByTestId('run-fallback')).toHaveCount(0); // the CPU was chosen, not fallen back to
  expect(errors).toEqual([]);
});
