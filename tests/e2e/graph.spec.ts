// The graph view end to end against the built app: Constant weights counted as parameters and
// folded into their consumer (no Constant boxes), shape chains folded into the Reshape, SQNR
// colours with a legend and a local/cumulative switch after Calibrate on mnist-8, the operator
// being calibrated highlighted, quantize markers on edges, a metrics row scrolling the graph to
// its node, the minimap, and frame times of pan / zoom / selection on a generated 300-node model.
import { mkdirSync } from 'node:fs';
import { expect, type Locator, type Page, test } from '@playwright/test';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from '../helpers/onnx-builder.js';

const SHOTS = new URL('../../test-results/graph-screens', import.meta.url).pathname;

async function openPage(page: Page): Promise<string[]> {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.setViewportSize({ width: 1440, height: 900 });
  await page.goto('/');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  return errors;
}

async function openBytes(page: Page, name: string, bytes: Uint8Array): Promise<void> {
  await page
    .getByTestId('file-input')
    .setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(bytes) });
  await expect(page.getByTestId('model-name')).toHaveText(name);
}

/** Whether the element's box lies inside the graph's SVG on screen. */
async function inGraphView(page: Page, el: Locator): Promise<boolean> {
  const [box, port] = await Promise.all([el.boundingBox(), page.getByTestId('graph-svg').boundingBox()]);
  if (!box || !port) return false;
  return (
    box.x >= port.x &&
    box.y >= port.y &&
    box.x + box.width <= port.x + port.width &&
    box.y + box.height <= port.y + port.height
  );
}

/** A conv whose weights live in Constant nodes (as exporters write them), then a shape chain. */
function constantWeightsModel(): Uint8Array {
  const f32 = (dims: number[]) => {
    const t = makeTensor('float32', dims);
    (t.data as Float32Array).forEach((_, i, a) => {
      a[i] = Math.sin(i + 1) / 4;
    });
    return t;
  };
  return buildModel({
    opset: 13,
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 1, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32' }],
    nodes: [
      { op: 'Constant', name: 'const_w', inputs: [], outputs: ['W'], attrs: { value: f32([8, 1, 3, 3]) } },
      { op: 'Constant', name: 'const_b', inputs: [], outputs: ['B'], attrs: { value: f32([8]) } },
      { op: 'Conv', name: 'conv', inputs: ['x', 'W', 'B'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1] } },
      { op: 'Relu', name: 'relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Shape', name: 'shape', inputs: ['r'], outputs: ['s'] },
      {
        op: 'Constant',
        name: 'const_i',
        inputs: [],
        outputs: ['i0'],
        attrs: { value: int64Tensor([], [0]) },
      },
      { op: 'Gather', name: 'gather', inputs: ['s', 'i0'], outputs: ['n'], attrs: { axis: 0 } },
      {
        op: 'Constant',
        name: 'const_a',
        inputs: [],
        outputs: ['ax'],
        attrs: { value: int64Tensor([1], [0]) },
      },
      { op: 'Unsqueeze', name: 'unsq', inputs: ['n', 'ax'], outputs: ['n1'] },
      {
        op: 'Constant',
        name: 'const_m',
        inputs: [],
        outputs: ['m1'],
        attrs: { value: int64Tensor([1], [-1]) },
      },
      { op: 'Concat', name: 'concat', inputs: ['n1', 'm1'], outputs: ['shp'], attrs: { axis: 0 } },
      { op: 'Reshape', name: 'reshape', inputs: ['r', 'shp'], outputs: ['y'] },
    ],
  });
}

test('Constant weights: counted as parameters, not drawn, shown inside their consumer', async ({ page }) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = await openPage(page);
  await openBytes(page, 'constant-weights.onnx', constantWeightsModel());
  // 72 + 8 float weights and three one-element int64 constants; 80*4 + 3*8 bytes.
  await expect(page.getByTestId('model-summary')).toContainText('83 (344 B)');
  await expect(page.getByTestId('node-count')).toHaveText('12 nodes');
  // Drawn: Conv, Relu, Reshape only; every box a button named "<OpType> <node name>".
  await expect(page.locator('g.graph-node')).toHaveCount(3);
  await expect(page.locator('g.graph-node[data-op="Constant"]')).toHaveCount(0);
  await expect(page.locator('g.graph-node[data-op="Shape"]')).toHaveCount(0);
  for (const name of ['Conv conv', 'Relu relu', 'Reshape reshape'])
    await expect(page.getByRole('button', { name, exact: true })).toBeVisible();

  await page.getByRole('button', { name: 'Conv conv', exact: true }).click();
  const inspector = page.getByTestId('node-inspector');
  await expect(inspector.getByTestId('initializer-stats').first()).toContainText('n 72');
  await expect(inspector.getByTestId('folded-nodes')).toContainText('Constant');
  await expect(inspector.getByTestId('folded-nodes').locator('li')).toHaveCount(2);

  // The shape chain (and its constants) is listed in the Reshape, and can be opened from there.
  await page.getByRole('button', { name: 'Reshape reshape', exact: true }).click();
  const folded = inspector.getByTestId('folded-nodes');
  await expect(folded.locator('li')).toHaveCount(7);
  await folded.getByRole('button', { name: 'Gather', exact: true }).click();
  await expect(inspector).toContainText('gather');
  await expect(inspector.getByTestId('folded-into')).toContainText('reshape');
  // The graph keeps its host selected.
  await expect(page.locator('g.graph-node.selected')).toHaveAttribute('data-node', 'reshape');
  await page.screenshot({ path: `${SHOTS}/constant-weights.png` });
  expect(errors).toEqual([]);
});

test('mnist-8: quantize markers, the calibrated operator, SQNR colours, legend and switch, row -> node', async ({
  page,
}) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = await openPage(page);
  const status = page.getByTestId('quant-status');
  await expect(status).toContainText('Ready', { timeout: 60_000 });
  // A session exists: simulated quantize ops sit on the quantized edges.
  await expect(page.locator('.q-marker').first()).toBeVisible();
  expect(await page.locator('.q-marker').count()).toBeGreaterThan(4);

  await page.getByRole('button', { name: 'Step', exact: true }).click();
  await expect(status).toContainText('Paused at operator 1 of');
  const current = page.locator('g.graph-node.calibrating');
  await expect(current).toHaveCount(1);
  await expect(current).toHaveAttribute('aria-current', 'step');
  await expect(page.getByTestId('sqnr-legend')).toHaveCount(0);

  await page.getByRole('button', { name: 'Calibrate', exact: true }).click();
  await expect(status).toContainText('Calibrated mnist-8.onnx', { timeout: 90_000 });
  const convs = page.locator('g.graph-node[data-op="Conv"]');
  await expect(convs).toHaveCount(2);
  for (const conv of await convs.all()) await expect(conv).toHaveAttribute('data-sqnr', /^-?\d/);
  const fill = await convs.first().getAttribute('data-fill');
  expect(fill).toMatch(/^#[0-9a-f]{6}$/);
  expect(
    await convs
      .first()
      .locator('rect')
      .first()
      .evaluate((r) => getComputedStyle(r).fill),
  ).not.toBe('');
  const legend = page.getByTestId('sqnr-legend');
  await expect(legend).toBeVisible();
  await expect(legend).toContainText('dB');
  await expect(page.locator('g.graph-node.calibrating')).toHaveCount(0);
  await page.screenshot({ path: `${SHOTS}/calibrated.png` });

  // Local vs cumulative: the switch changes the SQNR each box carries (the later layers differ).
  const sqnrs = () =>
    page.locator('g.graph-node[data-sqnr]').evaluateAll((gs) => gs.map((g) => g.getAttribute('data-sqnr')));
  await legend.getByRole('button', { name: 'Cumulative SQNR', exact: true }).click();
  await expect(legend.getByRole('button', { name: 'Cumulative SQNR', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  const cumulative = await sqnrs();
  await legend.getByRole('button', { name: 'Local SQNR', exact: true }).click();
  await expect(legend.getByRole('button', { name: 'Local SQNR', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect.poll(sqnrs).not.toEqual(cumulative);
  // The metrics panel's switch is the same setting.
  await expect(page.getByRole('button', { name: 'colour by local SQNR', exact: true })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  // Zoom far into the top of the graph so the lowest measured layer is off screen; its metrics
  // row brings it back.
  const table = page.getByTestId('metrics-table');
  const rows = await table.locator('tbody tr').all();
  let lastRow = rows[0];
  let lowest = Number.NEGATIVE_INFINITY;
  for (const row of rows) {
    const box = await page
      .locator(`g.graph-node[data-node="${await row.getAttribute('data-node')}"]`)
      .boundingBox();
    if (box && box.y > lowest) {
      lowest = box.y;
      lastRow = row;
    }
  }
  const name = await lastRow.getAttribute('data-node');
  const target = page.locator(`g.graph-node[data-node="${name}"]`);
  const top = (await page.locator('g.graph-node').first().boundingBox())!;
  await page.mouse.move(top.x + top.width / 2, top.y + top.height / 2);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -600);
  await expect.poll(() => inGraphView(page, target)).toBe(false);
  await lastRow.click();
  await expect(target).toHaveClass(/selected/);
  await expect.poll(() => inGraphView(page, target)).toBe(true);
  await page.screenshot({ path: `${SHOTS}/row-selected.png` });

  // Passthrough on the selected layer's output: its edge is drawn differently.
  await expect(page.locator('g.q-edge.passthrough')).toHaveCount(0);
  const passthrough = page.getByTestId('quant-inspector').getByLabel('Passthrough', { exact: true });
  await expect(passthrough).toBeEnabled({ timeout: 30_000 });
  await passthrough.check();
  await expect(page.locator('g.q-edge.passthrough').first()).toBeAttached({ timeout: 30_000 });
  await passthrough.uncheck();
  await expect(page.locator('g.q-edge.passthrough')).toHaveCount(0, { timeout: 30_000 });

  // A narrow manual range on that output clips most values: the box gets the clipping badge.
  await expect(target.locator('[data-badge="clip"]')).toHaveCount(0);
  const inspector = page.getByTestId('quant-inspector');
  await inspector.getByLabel('min', { exact: true }).fill('-50');
  await inspector.getByLabel('max', { exact: true }).fill('50');
  await inspector.getByRole('button', { name: 'Set range', exact: true }).click();
  await expect(target.locator('[data-badge="clip"]')).toHaveCount(1, { timeout: 60_000 });
  await expect(page.getByTestId('sqnr-legend')).toContainText('clipping');
  await page.screenshot({ path: `${SHOTS}/clip-badge.png` });

  // The minimap moves the view: zoomed in at the top, a click at its bottom shows the output.
  const first = page.locator('g.graph-node').first();
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await expect.poll(() => inGraphView(page, first)).toBe(true);
  await page.mouse.move(top.x + top.width / 2, top.y + top.height / 2);
  for (let i = 0; i < 6; i++) await page.mouse.wheel(0, -600);
  await expect.poll(() => inGraphView(page, target)).toBe(false);
  const mini = (await page.getByTestId('graph-minimap').locator('svg').boundingBox())!;
  await page.mouse.click(mini.x + mini.width / 2, mini.y + mini.height - 2);
  await expect.poll(() => inGraphView(page, page.locator('g.graph-io-output'))).toBe(true);
  await expect.poll(() => inGraphView(page, first)).toBe(false);
  expect(errors).toEqual([]);
});

/**
 * A residual net of `blocks` × (Conv, Relu, Add): 3 drawn nodes a block; with `constants` each
 * conv's weights sit in a Constant node (4 nodes a block in the file, as exporters write them).
 */
function residualModel(blocks: number, constants = false): Uint8Array {
  const nodes: NodeSpec[] = [];
  const initializers: Record<string, ReturnType<typeof makeTensor>> = {};
  let x = 'x';
  for (let b = 0; b < blocks; b++) {
    const w = makeTensor('float32', [4, 4, 3, 3]);
    if (constants)
      nodes.push({ op: 'Constant', name: `const${b}`, inputs: [], outputs: [`w${b}`], attrs: { value: w } });
    else initializers[`w${b}`] = w;
    nodes.push({
      op: 'Conv',
      name: `conv${b}`,
      inputs: [x, `w${b}`],
      outputs: [`c${b}`],
      attrs: { pads: [1, 1, 1, 1] },
    });
    nodes.push({ op: 'Relu', name: `relu${b}`, inputs: [`c${b}`], outputs: [`r${b}`] });
    nodes.push({ op: 'Add', name: `add${b}`, inputs: [`r${b}`, x], outputs: [`a${b}`] });
    x = `a${b}`;
  }
  nodes[nodes.length - 1].outputs = ['y'];
  return buildModel({
    inputs: [{ name: 'x', dtype: 'float32', dims: [1, 4, 8, 8] }],
    outputs: [{ name: 'y', dtype: 'float32', dims: [1, 4, 8, 8] }],
    nodes,
    initializers,
  });
}

interface FrameStats {
  median: number;
  p90: number;
  frames: number;
  /** The scene transform changed (pan/zoom) or the selection did (select). */
  changed: boolean;
  /** Chromium's long-animation-frame entries (> 50 ms, render included) during the run. */
  longFrames: number;
}

/**
 * Drives `frames` interaction steps, one per animation frame, inside the page (no round trip
 * per step), and returns the frame intervals: each step's work lands in the next frame.
 */
async function timeFrames(page: Page, kind: 'pan' | 'zoom' | 'select', frames: number): Promise<FrameStats> {
  return page.evaluate(
    ({ kind, frames }) =>
      new Promise<FrameStats>((resolve) => {
        const svg = document.querySelector('[data-testid="graph-svg"]') as SVGSVGElement;
        const r = svg.getBoundingClientRect();
        const cx = r.left + r.width / 2;
        const cy = r.top + r.height / 2;
        const boxes = [...document.querySelectorAll('g.graph-node')] as SVGGElement[];
        const visible = boxes.filter((b) => {
          const br = b.getBoundingClientRect();
          return br.top > r.top && br.bottom < r.bottom && br.left > r.left && br.right < r.right;
        });
        const mouse = (type: string, x: number, y: number, target: EventTarget) =>
          target.dispatchEvent(
            new MouseEvent(type, {
              bubbles: true,
              cancelable: true,
              clientX: x,
              clientY: y,
              view: window,
              button: 0,
            }),
          );
        const scene = svg.querySelector('[data-testid="graph-scene"]')!;
        const state = () =>
          kind === 'select'
            ? (document.querySelector('g.graph-node.selected')?.getAttribute('data-node') ?? '')
            : (scene.getAttribute('transform') ?? '');
        const before = state();
        let longFrames = 0;
        const observer = new PerformanceObserver((list) => {
          longFrames += list.getEntries().length;
        });
        try {
          observer.observe({ type: 'long-animation-frame', buffered: false });
        } catch {
          longFrames = -1; // not supported: reported as -1
        }
        if (kind === 'pan') mouse('mousedown', cx, cy, svg);
        const times: number[] = [];
        let step = 0;
        const tick = (t: number) => {
          times.push(t);
          if (step === frames) {
            if (kind === 'pan') mouse('mouseup', cx, cy, window);
            const dts = times.slice(2).map((v, i) => v - times[i + 1]);
            dts.sort((a, b) => a - b);
            resolve({
              median: dts[Math.floor(dts.length / 2)],
              p90: dts[Math.floor(dts.length * 0.9)],
              frames: dts.length,
              changed: state() !== before,
              longFrames,
            });
            observer.disconnect();
            return;
          }
          step++;
          if (kind === 'pan') mouse('mousemove', cx + 6 * Math.sin(step / 6) * step, cy - 4 * step, window);
          else if (kind === 'zoom')
            svg.dispatchEvent(
              new WheelEvent('wheel', {
                bubbles: true,
                cancelable: true,
                clientX: cx,
                clientY: cy,
                deltaY: step % 20 < 10 ? -60 : 60,
              }),
            );
          else
            (visible[step % visible.length] ?? boxes[step % boxes.length]).dispatchEvent(
              new MouseEvent('click', { bubbles: true }),
            );
          requestAnimationFrame(tick);
        };
        requestAnimationFrame(tick);
      }),
    { kind, frames },
  );
}

function report(what: string, adapter: string | null, results: Record<string, FrameStats>): string {
  const line = Object.entries(results)
    .map(
      ([k, v]) =>
        `${k}: median ${v.median.toFixed(1)} ms, p90 ${v.p90.toFixed(1)} ms, ${v.longFrames} long frames (${v.frames} frames)`,
    )
    .join('; ');
  return `frame times, ${what} [${adapter}]: ${line}`;
}

test('300 drawn nodes: pan, zoom and selection stay under 50 ms a frame', async ({ page }, info) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = await openPage(page);
  // 400 nodes in the file, 100 of them Constant weights: 300 boxes.
  await openBytes(page, 'residual-300.onnx', residualModel(100, true));
  await expect(page.getByTestId('node-count')).toHaveText('400 nodes');
  await expect(page.locator('g.graph-node')).toHaveCount(300);
  await expect(page.getByTestId('model-summary')).toContainText('14,400');
  await page.waitForTimeout(500);
  const results: Record<string, FrameStats> = {};
  for (const kind of ['pan', 'zoom', 'select'] as const) results[kind] = await timeFrames(page, kind, 60);
  // Zoomed out to the whole graph (labels hidden below 35%), panning again.
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  results.panFit = await timeFrames(page, 'pan', 60);
  const line = report('300 nodes', await page.getByTestId('gpu-status').textContent(), results);
  console.log(line);
  await info.attach('frame-times.json', {
    body: JSON.stringify(results, null, 2),
    contentType: 'application/json',
  });
  for (const [kind, v] of Object.entries(results)) {
    expect(v.changed, kind).toBe(true);
    expect(v.median, kind).toBeLessThan(50);
  }
  expect(errors).toEqual([]);
});

test('500 nodes: laid out, drawn with a minimap, selection scrolls (frame times recorded)', async ({
  page,
}, info) => {
  mkdirSync(SHOTS, { recursive: true });
  const errors = await openPage(page);
  const started = Date.now();
  await openBytes(page, 'residual-501.onnx', residualModel(167));
  await expect(page.locator('g.graph-node')).toHaveCount(501);
  const openMs = Date.now() - started;
  await page.screenshot({ path: `${SHOTS}/500-nodes-top.png` });
  // The last node is far below.
  const last = page.getByRole('button', { name: 'Add add166', exact: true });
  await expect.poll(() => inGraphView(page, last)).toBe(false);
  // Tabbing to a box off screen brings it into view; Enter selects it.
  await last.focus();
  await expect.poll(() => inGraphView(page, last)).toBe(true);
  await page.keyboard.press('Enter');
  await expect(last).toHaveAttribute('aria-pressed', 'true');
  await page.getByRole('button', { name: 'Fit', exact: true }).click();
  await page.screenshot({ path: `${SHOTS}/500-nodes-fit.png` });
  const results: Record<string, FrameStats> = {};
  for (const kind of ['pan', 'zoom', 'select'] as const) results[kind] = await timeFrames(page, kind, 60);
  console.log(
    `${report('501 nodes', await page.getByTestId('gpu-status').textContent(), results)}; opened and drawn in ${openMs} ms`,
  );
  await info.attach('frame-times-500.json', {
    body: JSON.stringify({ openMs, ...results }, null, 2),
    contentType: 'application/json',
  });
  expect(errors).toEqual([]);
});
