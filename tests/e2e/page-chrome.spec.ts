// The page's chrome end to end in the system Chromium against the built app: symbolic input
// dimensions a person sets (used by Run and random calibration data, a shape failure naming
// them), the sample menu, `?model=<url>` (same origin, cross origin with and without CORS, bytes
// that are not a model), a real drag-and-drop of a file, the dark theme, keyboard reach, and the
// README's screenshot of a calibrated model (docs/screenshot-calibrated.png).
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, type Page, test } from '@playwright/test';
import { makeTensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;

/** Errors thrown in the page, and console errors unless `console` is false (a failed fetch logs one). */
function watchErrors(page: Page, console = true): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  if (console)
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
  return errors;
}

async function openDefault(page: Page): Promise<string[]> {
  const errors = watchErrors(page);
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  return errors;
}

/** [N,3,H,W] -> Conv 3x3 (2 channels) -> MaxPool 2x2 stride 2: needs H, W >= 4, like a real CNN. */
function symbolicModel(): Buffer {
  const w = makeTensor(
    'float32',
    [2, 3, 3, 3],
    Array.from({ length: 54 }, (_, i) => ((i * 7) % 11) / 11 - 0.4),
  );
  return Buffer.from(
    buildModel({
      inputs: [{ name: 'image', dtype: 'float32', dims: ['N', 3, 'H', 'W'] }],
      outputs: [{ name: 'pooled', dtype: 'float32' }],
      nodes: [
        {
          op: 'Conv',
          name: 'conv',
          inputs: ['image', 'w'],
          outputs: ['features'],
          attrs: { kernel_shape: [3, 3] },
        },
        {
          op: 'MaxPool',
          name: 'pool',
          inputs: ['features'],
          outputs: ['pooled'],
          attrs: { kernel_shape: [2, 2], strides: [2, 2] },
        },
      ],
      initializers: { w },
      opset: 13,
    }),
  );
}

async function setDim(page: Page, where: 'run' | 'calibration', name: string, value: number) {
  const field = page
    .getByTestId(`input-dims-${where}`)
    .getByLabel(`Input dimension ${name}`, { exact: true });
  await field.fill(String(value));
  await field.press('Enter');
  await expect(page.getByTestId(`input-dims-${where}`).getByLabel(`Input dimension ${name}`)).toHaveValue(
    String(value),
  );
}

test('symbolic input dims: shown with defaults, used by Run and random calibration data, named on a shape failure', async ({
  page,
}) => {
  const errors = await openDefault(page);
  // mnist-8 has none: no dimension fields.
  await expect(page.getByTestId('input-dims-run')).toHaveCount(0);
  await page.getByLabel('Open model', { exact: true }).setInputFiles({
    name: 'ocr-like.onnx',
    mimeType: 'application/octet-stream',
    buffer: symbolicModel(),
  });
  await expect(page.getByTestId('model-name')).toHaveText('ocr-like.onnx');
  for (const where of ['run', 'calibration'] as const) {
    const dims = page.getByTestId(`input-dims-${where}`);
    await expect(dims.getByLabel('Input dimension N')).toHaveValue('1');
    await expect(dims.getByLabel('Input dimension H')).toHaveValue('224');
    await expect(dims.getByLabel('Input dimension W')).toHaveValue('224');
    await expect(dims).toContainText('batch, default 1');
    await expect(dims).toContainText('default 224');
  }
  // Random calibration data is made at the defaults, said on screen.
  await expect(page.getByTestId('data-description')).toContainText('image [1×3×224×224]', {
    timeout: 30_000,
  });

  // Sizes that cannot run: the failure names the dims to set.
  await page.getByTestId('backend-cpu').click();
  await setDim(page, 'run', 'H', 2);
  await page.getByTestId('run').click();
  const runError = page.getByTestId('run-error');
  await expect(runError).toContainText('set the input dimensions: N, H, W', { timeout: 30_000 });
  await expect(runError).toContainText('H=2');
  await expect(page.getByTestId('model-summary')).toContainText('set the input dimensions: N, H, W');
  // The random calibration data follows, and its failure names the dims too.
  await expect(page.getByTestId('data-description')).toContainText('image [1×3×2×224]', { timeout: 30_000 });
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  const quantError = page.getByTestId('quant-error');
  await expect(quantError).toContainText('kernel extent 3 exceeds padded input 2', { timeout: 30_000 });
  await expect(quantError).toContainText('(with N=1, H=2, W=224; set the input dimensions: N, H, W)');

  // Real sizes: Run (CPU, then WebGPU) and the random calibration data take them.
  await setDim(page, 'run', 'H', 48);
  await setDim(page, 'calibration', 'W', 192);
  await expect(page.getByTestId('input-dims-calibration').getByLabel('Input dimension H')).toHaveValue('48');
  await expect(page.getByTestId('data-description')).toContainText('image [1×3×48×192]', { timeout: 30_000 });
  for (const backend of ['cpu', 'webgpu']) {
    await page.getByTestId(`backend-${backend}`).click();
    await page.getByTestId('run').click();
    const outputs = page.getByTestId('run-outputs');
    await expect(outputs).toContainText('[1,2,23,95]', { timeout: 60_000 });
    await expect(outputs).toContainText('H=48, W=192');
    await expect(page.getByTestId('run-placement')).toHaveAttribute('data-backend', backend);
  }
  await page.screenshot({ path: 'test-results/page-chrome-input-dims.png' });
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(page.getByTestId('quant-status')).toContainText('Calibrated ocr-like.onnx', {
    timeout: 90_000,
  });
  expect(errors).toEqual([]);
});

test('the sample menu opens the bundled models', async ({ page }) => {
  const errors = await openDefault(page);
  const menu = page.getByLabel('Sample model', { exact: true });
  await menu.selectOption('opt-mnist.onnx');
  await expect(page.getByTestId('model-name')).toHaveText('opt-mnist.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('8 nodes');
  await menu.selectOption('light-squeezenet.onnx');
  await expect(page.getByTestId('model-name')).toHaveText('light-squeezenet.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('105 nodes');
  await menu.selectOption('mnist-8.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  await expect(page.getByTestId('calibration-data')).toContainText('10 bundled digit', { timeout: 30_000 });
  expect(errors).toEqual([]);
});

test('?model=<url> opens a model fetched same-origin or with CORS; failures say why in one line', async ({
  page,
}) => {
  const errors = watchErrors(page, false);
  await page.goto('/?model=samples/opt-mnist.onnx');
  await expect(page.getByTestId('model-name')).toHaveText('opt-mnist.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('8 nodes');

  // A real second origin (another port): /open/ allows cross-origin reads, /closed/ does not.
  const bytes = readFileSync(`${MODELS}/mnist-14x14-pytorch.onnx`);
  const server = createServer((req, res) => {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (req.url?.startsWith('/open/')) headers['access-control-allow-origin'] = '*';
    res.writeHead(200, headers).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await page.goto(`/?model=${encodeURIComponent(`${origin}/open/my%20net.onnx`)}`);
  await expect(page.getByTestId('model-name')).toHaveText('my net.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('5 nodes');

  // A server without Access-Control-Allow-Origin: the message says CORS, the default opens.
  await page.goto(`/?model=${encodeURIComponent(`${origin}/closed/net.onnx`)}`);
  const notice = page.getByTestId('notice');
  await expect(notice).toContainText(`Could not fetch the model at ${origin}/closed/net.onnx`);
  await expect(notice).toContainText('CORS');
  await expect(page.getByTestId('model-name')).toHaveText('mnist-8.onnx');
  await expect(page.getByRole('button', { name: 'Calibrate', exact: true })).toBeVisible();

  // Bytes that are not a model.
  await page.goto('/?model=samples/digit-3.png');
  await expect(notice).toContainText('Could not open digit-3.png');
  await expect(page.getByTestId('model-name')).toHaveText('mnist-8.onnx');
  // Not http(s).
  await page.goto(`/?model=${encodeURIComponent('javascript:alert(1)')}`);
  await expect(notice).toContainText('only http and https addresses can be fetched');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  for (const text of await notice.allTextContents()) expect(text).not.toContain('\n');
  server.close();
  expect(errors).toEqual([]);
});

test('a real drop of a file anywhere on the page opens it, with a drop target while dragging', async ({
  page,
}) => {
  const errors = await openDefault(page);
  const bytes = [...readFileSync(`${MODELS}/opt-mnist.onnx`)];
  const transfer = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'dropped.onnx', { type: 'application/octet-stream' }));
    return dt;
  }, bytes);
  const target = page.locator('.graph-view, main').first();
  await target.dispatchEvent('dragenter', { dataTransfer: transfer });
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await expect(page.getByText('Drop to open the model')).toBeVisible();
  await target.dispatchEvent('drop', { dataTransfer: transfer });
  await expect(page.getByText('Drop to open the model')).toHaveCount(0);
  await expect(page.getByTestId('model-name')).toHaveText('dropped.onnx');
  await expect(page.getByTestId('node-count')).toHaveText('8 nodes');

  // The calibration data's own drop zone: the page's target steps aside, the image becomes data.
  const png = [...readFileSync(new URL('../../public/samples/digit-3.png', import.meta.url).pathname)];
  const image = await page.evaluateHandle((data) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], 'three.png', { type: 'image/png' }));
    return dt;
  }, png);
  const details = page.getByTestId('calibration-data');
  if ((await details.getAttribute('open')) === null) await details.locator('summary').click();
  const zone = page.locator('[data-own-drop]');
  await zone.dispatchEvent('dragenter', { dataTransfer: image });
  await zone.dispatchEvent('dragover', { dataTransfer: image });
  await expect(zone).toHaveClass(/over/);
  await expect(page.getByText('Drop to open the model')).toHaveCount(0);
  await zone.dispatchEvent('drop', { dataTransfer: image });
  await expect(page.getByTestId('data-description')).toContainText('1 image', { timeout: 30_000 });
  await expect(page.getByTestId('model-name')).toHaveText('dropped.onnx');
  expect(errors).toEqual([]);
});

/** Relative luminance contrast of two CSS rgb() colours (WCAG). */
async function contrast(page: Page, fg: string, bg: string): Promise<number> {
  return page.evaluate(
    ([a, b]) => {
      const lum = (c: string) => {
        const [r, g, bl] = (c.match(/\d+(\.\d+)?/g) ?? []).slice(0, 3).map((v) => {
          const s = Number(v) / 255;
          return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
        });
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl;
      };
      const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
      return (hi + 0.05) / (lo + 0.05);
    },
    [fg, bg],
  );
}

test('light and dark themes follow the system, both legible, charts included', async ({ page }) => {
  const errors = await openDefault(page);
  await page.getByTestId('run').click();
  await expect(page.getByTestId('run-outputs').getByTestId('argmax')).toHaveText('7', { timeout: 60_000 });
  const colours = () =>
    page.evaluate(() => {
      const style = (sel: string) => getComputedStyle(document.querySelector(sel)!);
      return {
        bg: getComputedStyle(document.documentElement).backgroundColor,
        text: getComputedStyle(document.documentElement).color,
        panel: style('.side-panel').backgroundColor,
        bar: style('.bar-chart .bar:not(.top)').fill,
        barTop: style('.bar-chart .bar.top').fill,
        nodeText: style('.graph-node-op').fill,
        nodeFill: getComputedStyle(document.querySelector('g.graph-node rect')!).fill,
      };
    });
  await page.emulateMedia({ colorScheme: 'light' });
  const light = await colours();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(async () => (await colours()).bg).not.toBe(light.bg);
  const dark = await colours();
  await page.screenshot({ path: 'test-results/page-chrome-dark.png' });
  expect(dark.text).not.toBe(light.text);
  expect(dark.bar).not.toBe(light.bar);
  for (const c of [light, dark]) {
    expect(await contrast(page, c.text, c.bg)).toBeGreaterThan(7);
    expect(await contrast(page, c.text, c.panel)).toBeGreaterThan(7);
    expect(await contrast(page, c.bar, c.bg)).toBeGreaterThan(1.5);
    expect(await contrast(page, c.barTop, c.bg)).toBeGreaterThan(3);
    expect(await contrast(page, c.nodeText, c.nodeFill)).toBeGreaterThan(7);
  }
  expect(errors).toEqual([]);
});

test('every control is reachable with Tab and shows a focus ring', async ({ page }) => {
  const errors = await openDefault(page);
  // The busiest state: calibrated, metrics shown, a Conv inspected, every fold open.
  await expect(page.getByTestId('calibration-data')).toContainText('10 bundled digit', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(page.getByTestId('quant-status')).toContainText('Calibrated mnist-8.onnx', {
    timeout: 90_000,
  });
  await expect(page.getByRole('button', { name: 'Cancel metrics' })).toBeDisabled({ timeout: 90_000 });
  await page.locator('g.graph-node[data-op="Conv"]').first().click();
  await expect(page.getByTestId('quant-inspector').getByRole('slider').first()).toBeVisible({
    timeout: 30_000,
  });
  const closed = page.locator('details:not([open]) > summary');
  for (let i = 0; i < 10 && (await closed.count()) > 0; i++) await closed.first().click();
  await expect(closed).toHaveCount(0);
  await page.mouse.click(2, 300); // focus back on the page, no control
  // Every visible, enabled control gets a mark; tabbing must reach each mark.
  const total = await page.evaluate(() => {
    const sel =
      'button, input, select, textarea, summary, a[href], [role="button"], [role="slider"], [role="tab"], [tabindex="0"]';
    let n = 0;
    // A radio group is one tab stop (arrow keys move inside it): its checked radio stands for it.
    const isOtherRadio = (el: HTMLElement) =>
      el instanceof HTMLInputElement &&
      el.type === 'radio' &&
      !el.checked &&
      document.querySelector(`input[type="radio"][name="${el.name}"]:checked`) !== null;
    for (const el of document.querySelectorAll<HTMLElement>(sel)) {
      if (isOtherRadio(el)) continue;
      const box = el.getBoundingClientRect();
      const hidden =
        box.width === 0 && box.height === 0 && !(el instanceof HTMLInputElement && el.type === 'radio');
      if (hidden || (el as HTMLButtonElement).disabled || el.closest('details:not([open]) > :not(summary)'))
        continue;
      el.dataset.tabMark = String(n++);
    }
    return n;
  });
  expect(total).toBeGreaterThan(60);
  const reached = new Set<string>();
  let ringless: string[] = [];
  for (let i = 0; i < total + 40 && reached.size < total; i++) {
    await page.keyboard.press('Tab');
    const seen = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null; // past the last control: the page itself
      // The ring: an outline on the element or its label, or the graph's dashed stroke.
      const ringOn = (e: Element | null) =>
        !!e && getComputedStyle(e).outlineStyle !== 'none' && getComputedStyle(e).outlineWidth !== '0px';
      const rect = el.querySelector('rect');
      const ring =
        ringOn(el) ||
        ringOn(el.closest('label')) ||
        (rect !== null && getComputedStyle(rect).strokeDasharray !== 'none') ||
        (rect !== null && getComputedStyle(rect).strokeWidth !== '1px');
      return { mark: el.dataset.tabMark ?? null, ring, what: el.outerHTML.slice(0, 80) };
    });
    if (seen?.mark) reached.add(seen.mark);
    if (seen && !seen.ring) ringless.push(seen.what);
  }
  const missed = await page.evaluate(
    (got) =>
      [...document.querySelectorAll<HTMLElement>('[data-tab-mark]')]
        .filter((el) => !got.includes(el.dataset.tabMark!))
        .map((el) => el.outerHTML.slice(0, 80)),
    [...reached],
  );
  expect(missed).toEqual([]);
  ringless = [...new Set(ringless)];
  expect(ringless).toEqual([]);
  expect(errors).toEqual([]);
});

test('README screenshot: mnist-8 calibrated, a Conv inspected', async ({ page }) => {
  const errors = await openDefault(page);
  await expect(page.getByTestId('calibration-data')).toContainText('10 bundled digit', { timeout: 60_000 });
  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(page.getByTestId('quant-status')).toContainText('Calibrated mnist-8.onnx', {
    timeout: 90_000,
  });
  // The metrics colour the graph: wait until their pass is over.
  await expect(page.getByTestId('metrics-table').locator('tbody tr')).not.toHaveCount(0, { timeout: 90_000 });
  await expect(page.getByRole('button', { name: 'Cancel metrics' })).toBeDisabled({ timeout: 90_000 });
  await page.locator('g.graph-node[data-op="Conv"]').nth(1).click();
  await expect(page.getByTestId('quant-inspector').getByLabel('Scale', { exact: true })).toHaveText(/^\d/, {
    timeout: 30_000,
  });
  await expect(
    page.getByTestId('quant-inspector').getByRole('img', { name: /^Histogram of / }),
  ).toBeVisible();
  await page.emulateMedia({ colorScheme: 'light' });
  await page.screenshot({ path: 'docs/screenshot-calibrated.png' });
  // The same in the dark theme (a test artifact): the histogram stays legible.
  const chart = () =>
    page.evaluate(() => {
      const style = (sel: string) => getComputedStyle(document.querySelector(sel)!);
      return {
        bg: style('svg.histogram').backgroundColor,
        bin: style('svg.histogram .bin').fill,
        tick: style('svg.histogram .tick').fill,
      };
    });
  const light = await chart();
  await page.emulateMedia({ colorScheme: 'dark' });
  await expect.poll(async () => (await chart()).bg).not.toBe(light.bg);
  const dark = await chart();
  for (const c of [light, dark]) {
    expect(await contrast(page, c.bin, c.bg)).toBeGreaterThan(3);
    expect(await contrast(page, c.tick, c.bg)).toBeGreaterThan(4.5);
  }
  await page.screenshot({ path: 'test-results/page-chrome-calibrated-dark.png' });
  expect(errors).toEqual([]);
});
