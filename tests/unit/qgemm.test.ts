// com.microsoft QGemm (app/exec/cpu/ops/qgemm.ts) against onnxruntime-node on this host: one QGemm
// node per model, B as an initializer (onnxruntime pre-packs it) or as a graph input, curated
// attribute / bias / scale layouts and random cases. Activations near 255 with weights of one sign
// per pair make uint8 x int8 sums saturate where onnxruntime sums int16 pairs (x86 without VNNI), so
// the cases also show the interpreter follows the host's accumulation, not the exact sum.
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { hostIntegerAccumulation } from '../../app/exec/host-integer-accumulation.js';
import { decodeModel } from '../../app/model/decode.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { type AttrInput, buildModel } from '../helpers/onnx-builder.js';
import { randInt, rng, runOrt } from './quant-ort.helper.js';

const HOST = hostIntegerAccumulation(
  existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined,
);

interface QGemmSpec {
  m: number;
  k: number;
  n: number;
  aType?: 'uint8' | 'int8';
  bType?: 'uint8' | 'int8';
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  /** Shape of the int32 bias C, if any. */
  bias?: number[];
  perColumn?: boolean;
  /** Output type; 'float32' leaves out y_scale / y_zero_point. */
  out?: 'uint8' | 'int8' | 'float32';
  bAsInput?: boolean;
  /** Saturating values (see the header) instead of uniform random ones. */
  adversarial?: boolean;
}

function values(r: () => number, dtype: DType, n: number, adversarial: boolean, role: 'a' | 'b'): Tensor {
  const [lo, hi] = dtype === 'int8' ? [-128, 127] : [0, 255];
  const v = Array.from({ length: n }, (_, i) => {
    if (!adversarial) return randInt(r, lo, hi);
    if (role === 'a') return r() < 0.8 ? hi - randInt(r, 0, 3) : randInt(r, lo, hi);
    const neg = Math.floor(i / 2) % 2 === 0; // one sign per K pair (B laid out with K fastest when transposed)
    const mag = 120 + randInt(r, 0, 7);
    const s = neg ? -mag : mag;
    return dtype === 'uint8' ? s + 128 : s;
  });
  return makeTensor(dtype, [n], v);
}

function build(spec: QGemmSpec, seed: number) {
  const r = rng(seed);
  const aType = spec.aType ?? 'uint8';
  const bType = spec.bType ?? 'int8';
  const out = spec.out ?? aType;
  const aDims = spec.transA ? [spec.k, spec.m] : [spec.m, spec.k];
  const bDims = spec.transB ? [spec.n, spec.k] : [spec.k, spec.n];
  const adv = spec.adversarial ?? false;
  const a = makeTensor(aType, aDims, values(r, aType, spec.m * spec.k, adv, 'a').data as never);
  // Adversarial B needs K pairs of one sign: generate it K-fastest, then lay it out.
  const bKn = values(r, bType, spec.k * spec.n, adv, 'b').data as Int8Array | Uint8Array;
  const b = makeTensor(
    bType,
    bDims,
    Array.from({ length: spec.k * spec.n }, (_, i) => {
      const [row, col] = [Math.floor(i / bDims[1]), i % bDims[1]];
      const [kk, nn] = spec.transB ? [col, row] : [row, col];
      return bKn[nn * spec.k + kk];
    }),
  );
  const cols = spec.perColumn ? spec.n : 1;
  const sDims = spec.perColumn ? [spec.n] : [];
  const init: Record<string, Tensor> = {
    a_scale: makeTensor('float32', [], [0.01 + r() * 0.05]),
    a_zp: makeTensor(aType, [], [aType === 'uint8' ? randInt(r, 0, 40) : randInt(r, -20, 20)]),
    b_scale: makeTensor(
      'float32',
      sDims,
      Array.from({ length: cols }, () => 0.001 + r() * 0.01),
    ),
    b_zp: makeTensor(
      bType,
      sDims,
      Array.from({ length: cols }, () => (bType === 'int8' ? randInt(r, -3, 3) : 128 + randInt(r, -3, 3))),
    ),
  };
  const inputs = ['a', 'a_scale', 'a_zp', 'b', 'b_scale', 'b_zp'];
  if (spec.bias) {
    const count = spec.bias.reduce((x, y) => x * y, 1);
    init.c = makeTensor(
      'int32',
      spec.bias,
      Array.from({ length: count }, () => randInt(r, -30000, 30000)),
    );
    inputs.push('c');
  } else if (out !== 'float32') inputs.push('');
  if (out !== 'float32') {
    init.y_scale = makeTensor('float32', [], [0.05 + r() * 0.3]);
    init.y_zp = makeTensor(out, [], [out === 'uint8' ? randInt(r, 60, 190) : randInt(r, -60, 60)]);
    inputs.push('y_scale', 'y_zp');
  }
  if (!spec.bAsInput) init.b = b;
  const attrs: Record<string, AttrInput> = {};
  if (spec.transA) attrs.transA = 1;
  if (spec.transB) attrs.transB = 1;
  if (spec.alpha !== undefined) attrs.alpha = { float: spec.alpha };
  const bytes = buildModel({
    inputs: [
      { name: 'a', dtype: aType, dims: aDims },
      ...(spec.bAsInput ? [{ name: 'b', dtype: bType, dims: bDims }] : []),
    ],
    outputs: [{ name: 'y', dtype: out, dims: [spec.m, spec.n] }],
    nodes: [{ op: 'QGemm', domain: 'com.microsoft', inputs, outputs: ['y'], attrs }],
    initializers: init,
    opset: 13,
    msOpset: 1,
  });
  const feeds: Record<string, Tensor> = spec.bAsInput ? { a, b } : { a };
  return { bytes, feeds };
}

async function oracleAndOurs(spec: QGemmSpec, seed: number, accumulation = HOST) {
  const { bytes, feeds } = build(spec, seed);
  const ort = (await runOrt(bytes, feeds)).y;
  const ours = new CpuInterpreter(decodeModel(bytes), { integerAccumulation: accumulation }).runSync(
    new Map(Object.entries(feeds)),
  );
  return {
    ort: { dtype: ort.dtype, dims: ort.dims, data: Array.from(ort.data as never) },
    ours: ((y: Tensor) => ({ dtype: y.dtype, dims: y.dims, data: Array.from(y.data as never) }))(
      ours.get('y')!,
    ),
  };
}

const curated: Array<[string, QGemmSpec]> = [
  ['u8 x s8, no bias, per-tensor', { m: 3, k: 8, n: 5 }],
  [
    'transB, bias [N], per-column scales and zero points',
    { m: 2, k: 9, n: 4, transB: true, bias: [4], perColumn: true },
  ],
  ['transA, bias [1, N]', { m: 4, k: 6, n: 3, transA: true, bias: [1, 3] }],
  ['transA and transB, bias [M, 1]', { m: 3, k: 7, n: 4, transA: true, transB: true, bias: [3, 1] }],
  ['bias [M, N], alpha 0.75', { m: 2, k: 5, n: 3, bias: [2, 3], alpha: 0.75 }],
  ['scalar bias, alpha 1.7', { m: 2, k: 4, n: 6, bias: [], alpha: 1.7 }],
  ['float output, per-tensor', { m: 3, k: 10, n: 4, out: 'float32', bias: [4] }],
  [
    'float output, per-column, transB, alpha 0.5',
    { m: 2, k: 11, n: 5, out: 'float32', transB: true, perColumn: true, alpha: 0.5 },
  ],
  ['uint8 output from a uint8 x uint8 product (U8U8)', { m: 3, k: 8, n: 4, bType: 'uint8', bias: [4] }],
  ['int8 x int8 with int8 output (S8S8)', { m: 3, k: 8, n: 4, aType: 'int8', bias: [4], perColumn: true }],
  ['one row (GEMV), K = 300', { m: 1, k: 300, n: 3, transB: true, bias: [3] }],
];

describe(`QGemm vs onnxruntime on this host (${HOST})`, () => {
  curated.forEach(([name, spec], i) => {
    for (const bAsInput of [false, true]) {
      for (const adversarial of [false, true]) {
        it(`${name}${bAsInput ? ', B an input' : ''}${adversarial ? ', saturating values' : ''}: bit-exact`, async () => {
          const s = { ...spec, bAsInput, adversarial };
          const { ort, ours } = await oracleAndOurs(
            s,
            500 + i * 4 + (bAsInput ? 2 : 0) + (adversarial ? 1 : 0),
          );
          expect(ours).toEqual(ort);
        });
      }
    }
  });

  it.skipIf(HOST !== 'x86-u8s8-pairwise')(
    'saturating u8 x s8 values: onnxruntime differs from the exact sum',
    async () => {
      const spec: QGemmSpec = { m: 3, k: 8, n: 4, adversarial: true, out: 'float32' };
      const exact = await oracleAndOurs(spec, 77, 'exact');
      expect(exact.ours).not.toEqual(exact.ort);
    },
  );

  it('random shapes, types and layouts', async () => {
    const r = rng(31);
    for (let t = 0; t < 10; t++) {
      const aType = r() < 0.3 ? 'int8' : 'uint8';
      const spec: QGemmSpec = {
        m: randInt(r, 1, 5),
        k: randInt(r, 1, 40),
        n: randInt(r, 1, 6),
        aType,
        bType: aType === 'int8' || r() < 0.7 ? 'int8' : 'uint8',
        transA: r() < 0.5,
        transB: r() < 0.5,
        alpha: r() < 0.3 ? 0.25 + r() : undefined,
        perColumn: r() < 0.5,
        out: r() < 0.3 ? 'float32' : aType,
        bAsInput: r() < 0.3,
        adversarial: r() < 0.5,
      };
      if (r() < 0.6) spec.bias = [spec.n];
      const { ort, ours } = await oracleAndOurs(spec, 3000 + t);
      expect(ours, JSON.stringify(spec)).toEqual(ort);
    }
  });
});
