// The quantization slice without a browser: the quant host runs in this thread (no Worker in
// Node), so these drive the same actions the panels call, on mnist-8 with random inputs (the
// digits need a canvas).
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../app/model/decode.js';
import { loadModelBytes } from '../../app/store/actions-model.js';
import {
  calibrate,
  clearManualRange,
  inspectNode,
  openForQuant,
  pauseCalibration,
  resetCalibration,
  setMode,
  setManualRange,
  setPassthrough,
  stepCalibration,
} from '../../app/store/quant-actions.js';
import { chooseRandomData } from '../../app/store/quant-data-actions.js';
import { exportFiles, uploadSession } from '../../app/store/quant-export.js';
import { nodeColours } from '../../app/store/quant-selectors.js';
import { getQuant, useQuantStore } from '../../app/store/quant-store.js';
import { getState, setState } from '../../app/store/store.js';
import { QUIET } from '../helpers/ort-quiet.js';

const MODELS = new URL('../fixtures/models', import.meta.url).pathname;
const mnist = new Uint8Array(readFileSync(`${MODELS}/mnist-8.onnx`));

async function openMnist() {
  expect(loadModelBytes('mnist-8.onnx', mnist)).toBe(true);
  await openForQuant(getState().modelId);
  expect(getQuant().error).toBeNull();
}

describe('quant store on mnist-8', () => {
  beforeAll(openMnist, 60_000);

  it('opens with random inputs said on screen, then steps one operator at a time', async () => {
    const q = getQuant();
    expect(q.data.kind).toBe('random');
    expect(q.data.note).toMatch(/random inputs/);
    expect(q.overview?.step).toBe(0);
    expect(q.overview!.steps).toBeGreaterThan(3);
    expect(q.message).toMatch(/^Ready: \d+ operators of mnist-8\.onnx/);
    await stepCalibration();
    expect(getQuant().overview?.step).toBe(1);
    expect(getQuant().phase).toBe('paused');
    expect(getQuant().message).toMatch(/Paused at operator 1 of/);
    await resetCalibration();
    expect(getQuant().overview?.step).toBe(0);
  }, 60_000);

  it('pause stops Calibrate between two operators; the next Calibrate resumes from there', async () => {
    const seen: number[] = [];
    const stop = useQuantStore.subscribe((s) => {
      if (s.progress) seen.push(s.progress.step);
    });
    const running = calibrate();
    await new Promise((r) => setTimeout(r, 0));
    expect(getQuant().phase).toBe('running');
    pauseCalibration();
    await running;
    stop();
    const o = getQuant().overview!;
    expect(o.step).toBeGreaterThan(0);
    expect(o.step).toBeLessThan(o.steps);
    expect(getQuant().phase).toBe('paused');
    expect(getQuant().error).toBeNull();
    expect(getQuant().message).toMatch(new RegExp(`Paused at operator ${o.step} of ${o.steps}`));
    expect(seen[0]).toBe(1);
    await resetCalibration();
  }, 60_000);

  it('calibrates to the end, says "Calibrated" with the model name, and computes metrics', async () => {
    await calibrate();
    const q = getQuant();
    expect(q.overview?.done).toBe(true);
    expect(q.phase).toBe('done');
    expect(q.message).toMatch(/^Calibrated mnist-8\.onnx: output SQNR/);
    expect(q.metrics?.layers.map((l) => l.opType)).toEqual(expect.arrayContaining(['Conv']));
    for (const l of q.metrics!.layers) expect(l.sqnrCumulative).toBeGreaterThan(5);
    expect(q.metrics!.outputs[0].top.length).toBe(5);
    const colours = nodeColours(q.metrics, 'cumulative');
    expect(colours.size).toBe(q.metrics!.layers.length);
  }, 120_000);

  it('inspects a Conv: its output tensor with scale, zero point, histogram and observer candidates', async () => {
    setState({ selectedNode: 'Convolution28' });
    await inspectNode('Convolution28');
    const q = getQuant();
    expect(q.nodeTensors?.tensors.some((t) => t.kind === 'weight')).toBe(true);
    const t = q.tensor!;
    expect(t.kind).toBe('activation');
    expect(t.scale[0]).toBeGreaterThan(0);
    expect(t.zeroPoint[0]).toBeGreaterThanOrEqual(0);
    expect(t.histogram.counts.reduce((a, b) => a + b, 0)).toBe(t.count);
    const minmax = t.candidates.find((c) => c.observer === 'minmax')!;
    expect(minmax.range).not.toBeNull();
    expect(minmax.sqnr).toBeGreaterThan(10);
  }, 60_000);

  it('passthrough re-runs only what depends on the tensor and changes the metrics', async () => {
    const before = getQuant().metrics!;
    const tensor = getQuant().tensor!.name;
    const last = before.layers[before.layers.length - 1];
    const reruns: { ran: number; total: number }[] = [];
    const stop = useQuantStore.subscribe((s) => {
      if (s.metrics?.rerun) reruns.push(s.metrics.rerun);
    });
    await setPassthrough(last.tensor, true);
    stop();
    // The quick update ran only the nodes after the last layer's quantizer, not the whole graph.
    expect(reruns.length).toBeGreaterThan(0);
    expect(reruns[0].ran).toBeGreaterThan(0);
    expect(reruns[0].ran).toBeLessThan(reruns[0].total / 2);
    const after = getQuant().metrics!;
    expect(after.mode).toBe('affine');
    // The full pass replaced the quick one; the quick one said how little it re-ran.
    expect(getQuant().message).toMatch(/Calibrated mnist-8\.onnx/);
    expect(getQuant().tensor?.name).toBe(tensor);
    const l = after.layers.find((x) => x.node === last.node)!;
    expect(l.sqnrCumulative).not.toBe(last.sqnrCumulative);
    await setPassthrough(last.tensor, false);
    expect(getQuant().metrics!.layers.find((x) => x.node === last.node)!.sqnrCumulative).toBeCloseTo(
      last.sqnrCumulative,
      6,
    );
  }, 120_000);

  it('a manual range sets the tensor manual and changes its scale; clearing restores it', async () => {
    const t = getQuant().tensor!;
    const scale = t.scale[0];
    await setManualRange(t.name, t.range![0] / 2, t.range![1] / 2);
    expect(getQuant().tensor?.manual).toBe(true);
    expect(getQuant().tensor!.scale[0]).toBeCloseTo(scale / 2, 5);
    expect(getQuant().config.overrides[t.name]).toEqual({ min: t.range![0] / 2, max: t.range![1] / 2 });
    await clearManualRange(t.name);
    expect(getQuant().tensor!.scale[0]).toBe(scale);
    expect(getQuant().config.overrides[t.name]).toBeUndefined();
  }, 120_000);

  it('a bad range is one readable line, nothing changes', async () => {
    const t = getQuant().tensor!;
    await setManualRange(t.name, 2, 1);
    expect(getQuant().error).toMatch(/min <= max/);
  });

  it('fake and affine modes both compute metrics', async () => {
    await setMode('fake');
    expect(getQuant().metrics?.mode).toBe('fake');
    expect(getQuant().message).toMatch(/fake-quant/);
    await setMode('affine');
    expect(getQuant().metrics?.mode).toBe('affine');
  }, 120_000);

  it('exports a QDQ model onnxruntime runs, and a session that loads back', async () => {
    const f = await exportFiles();
    expect(f.quantizeOps).toBeGreaterThan(3);
    const qdq = decodeModel(f.qdq);
    expect(qdq.graph.nodes.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
    const session = await ort.InferenceSession.create(f.qdq, QUIET);
    const x = new ort.Tensor('float32', new Float32Array(784).fill(0.5), [1, 1, 28, 28]);
    const out = await session.run({ [session.inputNames[0]]: x });
    expect(out[session.outputNames[0]].dims).toEqual([1, 10]);
    expect(JSON.parse(f.overrides)).toBeTypeOf('object');
    expect(await uploadSession({ name: 'back.session.json', text: async () => f.session })).toBe(true);
    // A session's parameters count as calibrated (an imported QDQ model says "Imported").
    expect(getQuant().overview?.imported).toBe(false);
    expect(getQuant().overview?.done).toBe(true);
    expect(getQuant().metrics?.layers.length).toBeGreaterThan(0);
    expect(getQuant().message).toMatch(/^Calibrated /);
  }, 120_000);

  it('a session for another model is refused in one line', async () => {
    const doc = JSON.parse((await exportFiles()).session);
    doc.tensors = { ...doc.tensors, not_a_tensor: Object.values(doc.tensors)[0] };
    expect(await uploadSession({ name: 'other.json', text: async () => JSON.stringify(doc) })).toBe(false);
    expect(getQuant().error).toMatch(/^Could not load the session other\.json: /);
    expect(getQuant().error).not.toMatch(/\n/);
    expect(await uploadSession({ name: 'junk.json', text: async () => '{ nope' })).toBe(false);
    expect(getQuant().error).toMatch(/junk\.json/);
  }, 60_000);

  it('random data is validated', async () => {
    expect(await chooseRandomData({ count: 0, distribution: 'uniform', a: 0, b: 1 })).toBe(false);
    expect(getQuant().error).toMatch(/1 to 256/);
    expect(await chooseRandomData({ count: 3, distribution: 'normal', a: 0, b: 1 })).toBe(true);
    expect(getQuant().overview?.samples).toBe(3);
    expect(getQuant().overview?.step).toBe(0);
  }, 60_000);
});
