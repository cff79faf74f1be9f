// Integer conv/matmul ops against onnxruntime-node on THIS host, with inputs chosen so that uint8 x
// int8 products saturate when summed in int16 pairs (activations near 255, weights -128/127 of one
// sign per pair). The interpreter runs with the host's accumulation (hostIntegerAccumulation of
// /proc/cpuinfo), as `qplay run --integer` does, and must be bit-exact with onnxruntime. Each case
// also states which MLAS path it exercises and checks the case is adversarial: on a pairwise host
// the pairwise paths must differ from the exact ONNX meaning, and for the paths MLAS computes
// exactly, a pairwise sum would have differed (so "exact" is really what onnxruntime does).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../app/cli/cli.js';
import { resolveAccumulation } from '../../app/cli/run-model.js';
import type { IntegerAccumulation } from '../../app/exec/cpu/op-types.js';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { hostIntegerAccumulation } from '../../app/exec/host-integer-accumulation.js';
import { decodeModel } from '../../app/model/decode.js';
import { decodeTensorFile, encodeTensorFile } from '../../app/model/tensor-proto.js';
import { conv2dInt8 } from '../../kernels/conv2d-int8/conv2d-int8.ref.js';
import { denseInt8 } from '../../kernels/dense-int8/dense-int8.ref.js';
import type { Int8Data } from '../../kernels/quant-math/accumulator.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

const HOST: IntegerAccumulation = hostIntegerAccumulation(
  existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined,
);
const PAIRWISE_HOST = HOST === 'x86-u8s8-pairwise';
const PAIRWISE = { kind: 'pairwise-int16-saturate' } as const;

/** Activations: mostly 255 (the largest u8 products), some random. int8 ones near +-127. */
function act(r: () => number, dtype: 'uint8' | 'int8', n: number): Tensor {
  const v = Array.from({ length: n }, () => {
    if (dtype === 'int8') return r() < 0.7 ? (r() < 0.5 ? 127 : -128) : randInt(r, -128, 127);
    return r() < 0.75 ? 255 - randInt(r, 0, 3) : randInt(r, 0, 255);
  });
  return makeTensor(dtype, [n], v);
}

/** Weights in pairs of one sign (-128/127 and neighbours), so adjacent products add up past int16. */
function weights(r: () => number, dtype: 'int8' | 'uint8', n: number): Tensor {
  const v: number[] = [];
  while (v.length < n) {
    const neg = r() < 0.5;
    for (let i = 0; i < 2 && v.length < n; i++) {
      const mag = r() < 0.8 ? 127 - randInt(r, 0, 2) : randInt(r, 0, 127);
      const s = neg ? -Math.min(128, mag + 1) : mag;
      v.push(dtype === 'uint8' ? s + 128 : s);
    }
  }
  return makeTensor(dtype, [n], v);
}

function reshape(t: Tensor, dims: number[]): Tensor {
  return makeTensor(t.dtype, dims, t.data as never);
}

interface OpCase {
  name: string;
  node: NodeSpec;
  /** Every input by name; `feeds` lists those passed at run time, the rest are initializers. */
  tensors: Record<string, Tensor>;
  feeds: string[];
  outDtype: DType;
}

function modelOf(c: OpCase): Uint8Array {
  const initializers: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(c.tensors)) if (!c.feeds.includes(k)) initializers[k] = t;
  return buildModel({
    inputs: c.feeds.map((k) => ({ name: k, dtype: c.tensors[k].dtype, dims: [...c.tensors[k].dims] })),
    outputs: [{ name: 'y', dtype: c.outDtype }],
    nodes: [c.node],
    initializers,
  });
}

async function oracleAndOurs(
  c: OpCase,
  mode: IntegerAccumulation,
): Promise<{ ort: number[]; ours: number[] }> {
  const bytes = modelOf(c);
  const feeds = Object.fromEntries(c.feeds.map((k) => [k, c.tensors[k]]));
  const ort = (await runOrt(bytes, feeds)).y;
  const interp = new CpuInterpreter(decodeModel(bytes), { integerAccumulation: mode });
  const ours = interp.runSync(new Map(Object.entries(feeds))).get('y')!;
  expect(ours.dims).toEqual(ort.dims);
  return { ort: Array.from(ort.data as Int32Array), ours: Array.from(ours.data as Int32Array) };
}

interface ConvSpec {
  x: [number, number, number, number] | [number, number, number];
  w: number[];
  attrs?: NodeSpec['attrs'];
  act?: 'uint8' | 'int8';
  wType?: 'int8' | 'uint8';
  wZeroPoint?: number[];
  perChannelScale?: boolean;
  bias?: boolean;
}

function qlinearConvCase(name: string, s: ConvSpec, seed: number, weightsAsInput: boolean): OpCase {
  const r = rng(seed);
  const a = s.act ?? 'uint8';
  const wt = s.wType ?? 'int8';
  const M = s.w[0];
  const K = s.w.slice(1).reduce((p, q) => p * q, 1);
  const xN = s.x.reduce((p, q) => p * q, 1);
  const perCh = s.perChannelScale ?? false;
  const wZp = s.wZeroPoint ?? [wt === 'uint8' ? 128 : 0];
  // y_scale keeps the requantized output mostly unclamped, so accumulator differences show.
  const yScale = (K * 255 * 128) / 110;
  const tensors: Record<string, Tensor> = {
    x: reshape(act(r, a, xN), [...s.x]),
    xs: makeTensor('float32', [], [1]),
    xz: makeTensor(a, [], [a === 'uint8' ? randInt(r, 0, 40) : randInt(r, -20, 20)]),
    w: reshape(weights(r, wt, M * K), s.w),
    ws: perCh
      ? makeTensor(
          'float32',
          [M],
          Array.from({ length: M }, () => 0.5 + r()),
        )
      : makeTensor('float32', [], [1]),
    wz: makeTensor(wt, wZp.length > 1 ? [wZp.length] : [], wZp),
    ys: makeTensor('float32', [], [yScale]),
    yz: makeTensor(a, [], [a === 'uint8' ? 128 : 0]),
  };
  const inputs = ['x', 'xs', 'xz', 'w', 'ws', 'wz', 'ys', 'yz'];
  if (s.bias ?? true) {
    tensors.b = makeTensor(
      'int32',
      [M],
      Array.from({ length: M }, () => randInt(r, -40000, 40000)),
    );
    inputs.push('b');
  }
  return {
    name: `${name}${weightsAsInput ? ' (weights fed at run time)' : ''}`,
    node: { op: 'QLinearConv', inputs, outputs: ['y'], attrs: s.attrs },
    tensors,
    feeds: weightsAsInput ? ['x', 'w'] : ['x'],
    outDtype: a,
  };
}

/** The int32 accumulators of the exact sum and of a pairwise sum in both K orders. */
function convAccumulators(c: OpCase): { exact: number[]; pairChw: number[]; pairHwc: number[] } {
  const t = c.tensors;
  const attrs = (c.node.attrs ?? {}) as Record<string, number[] | number>;
  const is1d = t.x.dims.length === 3;
  const to2d = (d: readonly number[]) => (is1d ? [d[0], d[1], 1, d[2]] : [...d]);
  const pads = (attrs.pads as number[] | undefined) ?? (is1d ? [0, 0] : [0, 0, 0, 0]);
  const two = (v: number[] | undefined, dflt: number) => (v ? (is1d ? [1, v[0]] : v) : [dflt, dflt]);
  const base = {
    x: t.x.data as Int8Data,
    xDims: to2d(t.x.dims),
    w: t.w.data as Int8Data,
    wDims: to2d(t.w.dims),
    xZeroPoint: (t.xz.data as Int8Data)[0],
    wZeroPoint: Array.from(t.wz.data as Int8Data),
    bias: t.b ? (t.b.data as Int32Array) : undefined,
    group: (attrs.group as number | undefined) ?? 1,
    strides: two(attrs.strides as number[] | undefined, 1),
    dilations: two(attrs.dilations as number[] | undefined, 1),
    pads: is1d ? [0, pads[0], 0, pads[1]] : pads,
  };
  const acc = (p: object) => Array.from(conv2dInt8({ ...base, ...p }).acc);
  return {
    exact: acc({}),
    pairChw: acc({ accumulator: PAIRWISE }),
    pairHwc: acc({ accumulator: PAIRWISE, kOrder: 'hwc' }),
  };
}

type Path = 'pairwise' | 'exact';

const convCases: Array<[string, ConvSpec, Path]> = [
  ['1x1 pointwise (input rows used directly, K = C = 5)', { x: [1, 5, 3, 3], w: [3, 5, 1, 1] }, 'pairwise'],
  [
    '3x3 pad 1, C = 3: K = 27 odd, pairs straddle kernel positions',
    { x: [1, 3, 5, 5], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
    'pairwise',
  ],
  [
    '3x3 stride 2, dilation 2, asymmetric pads, C = 6',
    { x: [1, 6, 7, 6], w: [5, 6, 3, 3], attrs: { strides: [2, 2], dilations: [2, 1], pads: [2, 0, 1, 1] } },
    'pairwise',
  ],
  [
    'grouped: group 2, 2 input channels per group',
    { x: [1, 4, 4, 4], w: [6, 2, 3, 3], attrs: { group: 2, pads: [1, 1, 1, 1] } },
    'pairwise',
  ],
  [
    'channel multiplier 2 (group = C, 2 outputs per group: GEMM, not depthwise)',
    { x: [1, 3, 4, 4], w: [6, 1, 3, 3], attrs: { group: 3 } },
    'pairwise',
  ],
  [
    'ConvSym path: weight zero point 0, C % 4 == 0, M >= 16',
    { x: [1, 8, 5, 5], w: [16, 8, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
    'pairwise',
  ],
  ['per-channel weight scales', { x: [2, 3, 4, 4], w: [4, 3, 2, 2], perChannelScale: true }, 'pairwise'],
  [
    'nonzero weight zero point (GEMM zero-point correction)',
    { x: [1, 3, 4, 4], w: [4, 3, 3, 3], wZeroPoint: [5] },
    'pairwise',
  ],
  ['1-D conv, pads 1', { x: [1, 3, 9], w: [4, 3, 3], attrs: { pads: [1, 1] } }, 'pairwise'],
  ['no bias', { x: [1, 4, 4, 4], w: [3, 4, 3, 3], bias: false }, 'pairwise'],
  [
    'depthwise, 4 channels (MlasConvDepthwise)',
    { x: [1, 4, 5, 5], w: [4, 1, 3, 3], attrs: { group: 4, pads: [1, 1, 1, 1] } },
    'exact',
  ],
  [
    'depthwise, 16 channels, weight zero point 0 (MlasConvSymDepthwise)',
    { x: [1, 16, 4, 4], w: [16, 1, 3, 3], attrs: { group: 16, pads: [1, 1, 1, 1] } },
    'exact',
  ],
  [
    'one input and one output channel (depthwise path at group 1)',
    { x: [1, 1, 5, 5], w: [1, 1, 3, 3] },
    'exact',
  ],
  [
    'uint8 weights (U8U8 kernel widens to int16)',
    { x: [1, 3, 4, 4], w: [4, 3, 3, 3], wType: 'uint8' },
    'exact',
  ],
  ['int8 activations (S8S8: portable kernel)', { x: [1, 3, 4, 4], w: [4, 3, 3, 3], act: 'int8' }, 'exact'],
];

describe(`QLinearConv vs onnxruntime on this host (${HOST})`, () => {
  convCases.forEach(([name, spec, path], i) => {
    for (const weightsAsInput of [false, true]) {
      const c = qlinearConvCase(name, spec, 100 + i, weightsAsInput);
      it(`${c.name}: bit-exact; ${path} accumulation`, async () => {
        const { ort, ours } = await oracleAndOurs(c, HOST);
        expect(ours).toEqual(ort);
        const acc = convAccumulators(c);
        if (!PAIRWISE_HOST) return;
        // The inputs are adversarial: pairwise sums saturate, in both K orders.
        expect(acc.pairHwc).not.toEqual(acc.exact);
        expect(acc.pairChw).not.toEqual(acc.exact);
        const exact = await oracleAndOurs(c, 'exact');
        if (path === 'pairwise') expect(exact.ours).not.toEqual(ort);
        else expect(exact.ours).toEqual(ort);
      });
    }
  });

  it('random shapes and values (uint8 x int8), both weight placements', async () => {
    const r = rng(7);
    for (let t = 0; t < 6; t++) {
      const C = randInt(r, 1, 6);
      const group = r() < 0.3 && C % 2 === 0 ? 2 : 1;
      const M = group * randInt(r, 1, 4);
      const kh = randInt(r, 1, 3);
      const kw = randInt(r, 1, 3);
      const spec: ConvSpec = {
        x: [1, C, randInt(r, kh + 1, 6), randInt(r, kw + 1, 6)],
        w: [M, C / group, kh, kw],
        attrs: {
          group,
          strides: [randInt(r, 1, 2), randInt(r, 1, 2)],
          pads: [randInt(r, 0, 1), randInt(r, 0, 1), randInt(r, 0, 1), randInt(r, 0, 1)],
        },
      };
      const c = qlinearConvCase('random', spec, 1000 + t, r() < 0.5);
      const { ort, ours } = await oracleAndOurs(c, HOST);
      expect(ours, JSON.stringify(spec)).toEqual(ort);
    }
  });
});

interface MatSpec {
  a: number[];
  b: number[];
  aType?: 'uint8' | 'int8';
  bType?: 'int8' | 'uint8';
  za?: number;
  zb?: number[];
}

function matCase(
  op: 'MatMulInteger' | 'QLinearMatMul',
  name: string,
  s: MatSpec,
  seed: number,
  bAsInput: boolean,
): OpCase {
  const r = rng(seed);
  const at = s.aType ?? 'uint8';
  const bt = s.bType ?? 'int8';
  const size = (d: number[]) => d.reduce((p, q) => p * q, 1);
  const K = s.a[s.a.length - 1];
  const zb = s.zb ?? [bt === 'uint8' ? 128 : 0];
  const a = reshape(act(r, at, size(s.a)), s.a);
  const b = reshape(weights(r, bt, size(s.b)), s.b);
  const za = makeTensor(at, [], [s.za ?? 0]);
  const zbT = makeTensor(bt, zb.length > 1 ? [zb.length] : [], zb);
  const tensors: Record<string, Tensor> = { a, b, za, zb: zbT };
  let inputs = ['a', 'b', 'za', 'zb'];
  if (op === 'QLinearMatMul') {
    Object.assign(tensors, {
      as: makeTensor('float32', [], [1]),
      bs: makeTensor('float32', [], [1]),
      ys: makeTensor('float32', [], [(K * 255 * 128) / 110]),
      yz: makeTensor(at, [], [at === 'uint8' ? 128 : 0]),
    });
    inputs = ['a', 'as', 'za', 'b', 'bs', 'zb', 'ys', 'yz'];
  }
  return {
    name: `${op} ${name}${bAsInput ? ' (B fed at run time)' : ''}`,
    node: { op, inputs, outputs: ['y'] },
    tensors,
    feeds: bAsInput ? ['a', 'b'] : ['a'],
    outDtype: op === 'MatMulInteger' ? 'int32' : at,
  };
}

function denseAccumulators(c: OpCase): { exact: number[]; pair: number[] } {
  const t = c.tensors;
  const p = {
    a: t.a.data as Int8Data,
    aDims: t.a.dims,
    b: t.b.data as Int8Data,
    bDims: t.b.dims,
    aZeroPoint: (t.za.data as Int8Data)[0],
    bZeroPoint: Array.from(t.zb.data as Int8Data),
  };
  return {
    exact: Array.from(denseInt8(p).acc),
    pair: Array.from(denseInt8({ ...p, accumulator: PAIRWISE }).acc),
  };
}

const matCases: Array<[string, MatSpec, Path]> = [
  ['K even, zero points 0', { a: [3, 8], b: [8, 5] }, 'pairwise'],
  ['K odd (padded with a zero product), nonzero A zero point', { a: [4, 7], b: [7, 3], za: 17 }, 'pairwise'],
  ['one row, zero points 0 (GEMV kernel)', { a: [1, 10], b: [10, 6] }, 'pairwise'],
  ['per-column B zero points', { a: [3, 6], b: [6, 4], za: 3, zb: [0, 2, -3, 1] }, 'pairwise'],
  ['batched A [2, 3, 9] x B [9, 4]', { a: [2, 3, 9], b: [9, 4], za: 9 }, 'pairwise'],
  ['K = 300 (several K blocks)', { a: [2, 300], b: [300, 3] }, 'pairwise'],
  ['uint8 B (U8U8 kernel widens to int16)', { a: [3, 8], b: [8, 4], bType: 'uint8' }, 'exact'],
  ['int8 A (S8S8: portable kernel)', { a: [3, 8], b: [8, 4], aType: 'int8' }, 'exact'],
];

describe(`MatMulInteger / QLinearMatMul vs onnxruntime on this host (${HOST})`, () => {
  for (const op of ['MatMulInteger', 'QLinearMatMul'] as const) {
    matCases.forEach(([name, spec, path], i) => {
      // QLinearMatMul takes one B zero point per column only on a 2-D B: same as MatMulInteger.
      for (const bAsInput of [false, true]) {
        const c = matCase(op, name, spec, 200 + i, bAsInput);
        it(`${c.name}: bit-exact; ${path} accumulation`, async () => {
          const { ort, ours } = await oracleAndOurs(c, HOST);
          expect(ours).toEqual(ort);
          if (!PAIRWISE_HOST) return;
          const acc = denseAccumulators(c);
          expect(acc.pair).not.toEqual(acc.exact);
          const exact = await oracleAndOurs(c, 'exact');
          if (path === 'pairwise') expect(exact.ours).not.toEqual(ort);
          else expect(exact.ours).toEqual(ort);
        });
      }
    });
  }

  it('random shapes and values (uint8 x int8)', async () => {
    const r = rng(9);
    for (let t = 0; t < 6; t++) {
      const K = randInt(r, 1, 40);
      const spec: MatSpec = { a: [randInt(r, 1, 4), K], b: [K, randInt(r, 1, 5)], za: randInt(r, 0, 30) };
      const c = matCase(r() < 0.5 ? 'MatMulInteger' : 'QLinearMatMul', 'random', spec, 2000 + t, r() < 0.5);
      const { ort, ours } = await oracleAndOurs(c, HOST);
      expect(ours, JSON.stringify(spec)).toEqual(ort);
    }
  });
});

describe(`ConvInteger vs onnxruntime on this host (${HOST}): uint8 only, exact`, () => {
  it('saturating uint8 x uint8 inputs sum exactly (U8U8 kernel)', async () => {
    const r = rng(300);
    const x = reshape(act(r, 'uint8', 3 * 25), [1, 3, 5, 5]);
    const w = makeTensor(
      'uint8',
      [4, 3, 3, 3],
      Array.from({ length: 108 }, () => (r() < 0.8 ? 255 : randInt(r, 0, 255))),
    );
    const c: OpCase = {
      name: 'ConvInteger',
      node: {
        op: 'ConvInteger',
        inputs: ['x', 'w', 'xz', 'wz'],
        outputs: ['y'],
        attrs: { pads: [1, 1, 1, 1] },
      },
      tensors: { x, w, xz: makeTensor('uint8', [], [3]), wz: makeTensor('uint8', [], [0]) },
      feeds: ['x'],
      outDtype: 'int32',
    };
    const { ort, ours } = await oracleAndOurs(c, HOST);
    expect(ours).toEqual(ort);
    const exact = conv2dInt8({
      x: x.data as Uint8Array,
      xDims: x.dims,
      w: w.data as Uint8Array,
      wDims: w.dims,
      xZeroPoint: 3,
      pads: [1, 1, 1, 1],
    });
    const pair = conv2dInt8({
      x: x.data as Uint8Array,
      xDims: x.dims,
      w: w.data as Uint8Array,
      wDims: w.dims,
      xZeroPoint: 3,
      pads: [1, 1, 1, 1],
      accumulator: PAIRWISE,
    });
    expect(ort).toEqual(Array.from(exact.acc));
    expect(Array.from(pair.acc)).not.toEqual(ort);
  });
});

describe('qplay run --accumulation', () => {
  async function cli(...argv: string[]) {
    let stderr = '';
    const code = await runCli(argv, { stdout: () => {}, stderr: (t) => (stderr += t) });
    return { code, stderr };
  }

  it('auto is the host accumulation; explicit values pass through', () => {
    expect(resolveAccumulation('auto')).toBe(HOST);
    expect(resolveAccumulation()).toBe(HOST);
    expect(resolveAccumulation('exact')).toBe('exact');
    expect(resolveAccumulation('x86-u8s8-pairwise')).toBe('x86-u8s8-pairwise');
  });

  it('the default (auto) matches onnxruntime on a saturating QLinearConv; exact gives the ONNX meaning', async () => {
    const c = qlinearConvCase(
      'cli',
      { x: [1, 8, 5, 5], w: [16, 8, 3, 3], attrs: { pads: [1, 1, 1, 1] } },
      400,
      false,
    );
    const dir = mkdtempSync(join(tmpdir(), 'qplay-accumulation-'));
    try {
      const model = join(dir, 'conv.onnx');
      const input = join(dir, 'x.pb');
      writeFileSync(model, modelOf(c));
      writeFileSync(input, encodeTensorFile(c.tensors.x, 'x'));
      const outputOf = async (...extra: string[]) => {
        const out = join(dir, `out${extra.join('')}`);
        const r = await cli('run', model, '--input', input, '--out', out, '--integer', ...extra);
        expect(r.code, r.stderr).toBe(0);
        return Array.from(
          decodeTensorFile(new Uint8Array(readFileSync(join(out, 'output_0.pb')))).tensor.data as Uint8Array,
        );
      };
      const ort = Array.from((await runOrt(modelOf(c), { x: c.tensors.x })).y.data as Uint8Array);
      expect(await outputOf()).toEqual(ort);
      expect(await outputOf('--accumulation', 'auto')).toEqual(ort);
      const exact = await oracleAndOurs(c, 'exact');
      expect(await outputOf('--accumulation', 'exact')).toEqual(exact.ours);
      const pairwise = await oracleAndOurs(c, 'x86-u8s8-pairwise');
      expect(await outputOf('--accumulation', 'x86-u8s8-pairwise')).toEqual(pairwise.ours);
      if (PAIRWISE_HOST) expect(exact.ours).not.toEqual(ort);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown value is a usage error (exit 2)', async () => {
    const r = await cli('run', 'm.onnx', '--out', tmpdir(), '--accumulation', 'fast');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--accumulation must be auto, exact or x86-u8s8-pairwise, not 'fast'/);
  });
});
