// Random single-op models (seeded): shape inference and the CPU interpreter must agree on every
// output's dtype and dims, and on whether the case is valid at all. Covers the geometry-heavy ops
// (Conv, ConvTranspose, pools with ceil_mode/auto_pad/dilations) and the index-heavy ones (Slice
// with negative steps, Gather, Reshape 0/-1, MatMul broadcasting, Pad, Resize, Split...).
import { describe, expect, it } from 'vitest';
import { CpuInterpreter, isCpuSupported } from '../../app/exec/cpu/interpreter.js';
import { inferShapes } from '../../app/model/shape-inference.js';
import { int64Tensor, type Tensor } from '../../kernels/tensor.js';
import { type AttrIn, i64, model, randomTensor, rng, type Spec } from './shape-inference.helper.js';

type Rand = () => number;
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const dimsOf = (r: Rand, rank: number, lo: number, hi: number) =>
  Array.from({ length: rank }, () => int(r, lo, hi));

interface Case {
  spec: Spec;
  outputs: number;
}

function single(
  op: string,
  x: number[][],
  init: Record<string, Tensor>,
  inputs: string[],
  attrs: Record<string, AttrIn>,
  outputs = 1,
  opset = 17,
): Case {
  const names = x.map((_, i) => `x${i}`);
  return {
    spec: {
      inputs: x.map((d, i) => [names[i], 'float32', d]),
      init,
      nodes: [
        { op, in: [...names, ...inputs], out: Array.from({ length: outputs }, (_, i) => `y${i}`), attrs },
      ],
      opset,
    },
    outputs,
  };
}

function spatialAttrs(r: Rand, n: number, k: number[], pool: boolean): Record<string, AttrIn> {
  const a: Record<string, AttrIn> = {
    strides: dimsOf(r, n, 1, 3),
    auto_pad: pick(r, ['NOTSET', 'NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID']),
  };
  // onnxruntime's pools need each pad smaller than the kernel.
  if (a.auto_pad === 'NOTSET') a.pads = [...k, ...k].map((kk) => int(r, 0, pool ? kk - 1 : 2));
  return a;
}

const generators: Record<string, (r: Rand) => Case> = {
  Conv: (r) => {
    const n = int(r, 1, 3);
    const group = int(r, 1, 2);
    const k = dimsOf(r, n, 1, 3);
    const x = [int(r, 1, 2), group * int(r, 1, 2), ...dimsOf(r, n, 1, 8)];
    const a = { ...spatialAttrs(r, n, k, false), dilations: dimsOf(r, n, 1, 2), group };
    return single('Conv', [x, [group * int(r, 1, 2), x[1] / group, ...k]], {}, [], a);
  },
  ConvTranspose: (r) => {
    const n = int(r, 1, 2);
    const k = dimsOf(r, n, 1, 3);
    const a: Record<string, AttrIn> = { ...spatialAttrs(r, n, k, false), dilations: dimsOf(r, n, 1, 2) };
    a.output_padding = (a.strides as number[]).map((s) => int(r, 0, s - 1));
    if (r() < 0.25) a.output_shape = dimsOf(r, n, 2, 12);
    return single(
      'ConvTranspose',
      [
        [1, 2, ...dimsOf(r, n, 1, 5)],
        [2, int(r, 1, 3), ...k],
      ],
      {},
      [],
      a,
    );
  },
  MaxPool: (r) => {
    const n = int(r, 1, 3);
    const k = dimsOf(r, n, 1, 3);
    const a = {
      ...spatialAttrs(r, n, k, true),
      kernel_shape: k,
      ceil_mode: int(r, 0, 1),
      dilations: dimsOf(r, n, 1, 2),
    };
    return single('MaxPool', [[1, 2, ...dimsOf(r, n, 3, 9)]], {}, [], a, int(r, 1, 2));
  },
  AveragePool: (r) => {
    const n = int(r, 1, 2);
    const k = dimsOf(r, n, 1, 3);
    const a = { ...spatialAttrs(r, n, k, true), kernel_shape: k, ceil_mode: int(r, 0, 1) };
    return single('AveragePool', [[2, 1, ...dimsOf(r, n, 3, 9)]], {}, [], a);
  },
  Slice: (r) => {
    const x = dimsOf(r, int(r, 1, 3), 1, 6);
    const axes = x.map((_, i) => i).filter(() => r() < 0.7);
    if (axes.length === 0) axes.push(0);
    const ends = axes.map(() => (r() < 0.15 ? pick(r, [-1000, 1000]) : int(r, -8, 8)));
    const init = {
      s: i64(axes.map(() => int(r, -8, 8))),
      e: i64(ends),
      a: i64(axes.map((ax) => (r() < 0.5 ? ax - x.length : ax))),
      st: i64(axes.map(() => pick(r, [-3, -2, -1, 1, 2, 3]))),
    };
    return single('Slice', [x], init, ['s', 'e', 'a', 'st'], {});
  },
  Gather: (r) => {
    const x = dimsOf(r, int(r, 1, 3), 1, 5);
    const axis = int(r, -x.length, x.length - 1);
    const d = x[axis < 0 ? axis + x.length : axis];
    const idxDims = dimsOf(r, int(r, 0, 2), 1, 3);
    const count = idxDims.reduce((p, q) => p * q, 1);
    const idx = int64Tensor(
      idxDims,
      Array.from({ length: count }, () => int(r, -d, d - 1)),
    );
    return single('Gather', [x], { i: idx }, ['i'], { axis });
  },
  Reshape: (r) => {
    const x = dimsOf(r, int(r, 1, 4), 1, 4);
    // Merge neighbours at random, then write some dims as 0 (copy) or one as -1 (infer).
    const target: number[] = [];
    for (const d of x) {
      if (target.length && r() < 0.4) target[target.length - 1] *= d;
      else target.push(d);
    }
    const shape = target.map((d, i) => (i < x.length && d === x[i] && r() < 0.3 ? 0 : d));
    if (r() < 0.7) shape[int(r, 0, shape.length - 1)] = -1;
    return single('Reshape', [x], { s: i64(shape) }, ['s'], {});
  },
  MatMul: (r) => {
    const [m, k, n] = dimsOf(r, 3, 1, 4);
    const batch = dimsOf(r, int(r, 0, 2), 1, 3);
    const bBatch = batch.slice(int(r, 0, batch.length)).map((d) => (r() < 0.3 ? 1 : d));
    const a = r() < 0.2 ? [k] : [...batch, m, k];
    const b = r() < 0.2 ? [k] : [...bBatch, k, n];
    return single('MatMul', [a, b], {}, [], {});
  },
  Transpose: (r) => {
    const x = dimsOf(r, int(r, 1, 4), 1, 4);
    const perm = x.map((_, i) => i).sort(() => r() - 0.5);
    return single('Transpose', [x], {}, [], r() < 0.2 ? {} : { perm });
  },
  Pad: (r) => {
    const x = dimsOf(r, int(r, 1, 3), 2, 4);
    const pads = [...x, ...x].map(() => int(r, -1, 2));
    return single('Pad', [x], { p: i64(pads) }, ['p'], {});
  },
  Resize: (r) => {
    const x = [1, 1, ...dimsOf(r, 2, 1, 6)];
    const scales = new Float32Array([1, 1, pick(r, [0.5, 0.6, 1.5, 2, 2.5, 3]), pick(r, [0.75, 1, 1.7, 2])]);
    return single(
      'Resize',
      [x],
      { roi: int64Tensor([0], []), sc: { dtype: 'float32', dims: [4], data: scales } },
      ['', 'sc'],
      { mode: 'nearest' },
    );
  },
  Split: (r) => {
    const x = dimsOf(r, int(r, 1, 3), 2, 6);
    const axis = int(r, -x.length, x.length - 1);
    const d = x[axis < 0 ? axis + x.length : axis];
    const cut = int(r, 0, d);
    return single('Split', [x], { s: i64([cut, d - cut]) }, ['s'], { axis }, 2);
  },
  Unsqueeze: (r) => {
    const x = dimsOf(r, int(r, 0, 3), 1, 4);
    const axes = [int(r, -(x.length + 1), x.length)];
    return single('Unsqueeze', [x], { a: i64(axes) }, ['a'], {});
  },
  ReduceMean: (r) => {
    const x = dimsOf(r, int(r, 1, 3), 1, 4);
    const axes = x
      .map((_, i) => i)
      .filter(() => r() < 0.5)
      .map((a) => (r() < 0.5 ? a - x.length : a));
    return single('ReduceMean', [x], {}, [], { ...(axes.length ? { axes } : {}), keepdims: int(r, 0, 1) });
  },
};

describe('random single-op models: inference agrees with the CPU interpreter', () => {
  for (const [op, gen] of Object.entries(generators)) {
    it.runIf(isCpuSupported('', op))(`${op} x 24`, () => {
      const r = rng(op.length * 7919 + op.charCodeAt(0));
      let valid = 0;
      for (let c = 0; c < 24; c++) {
        const { spec, outputs } = gen(r);
        const m = model(spec);
        const outs = Array.from({ length: outputs }, (_, i) => `y${i}`);
        const label = JSON.stringify(spec.nodes[0].attrs) + JSON.stringify(spec.inputs?.map((i) => i[2]));
        let inferred: ReturnType<typeof inferShapes> | undefined;
        let inferError: unknown;
        try {
          inferred = inferShapes(m);
        } catch (e) {
          inferError = e;
        }
        let actual: Map<string, Tensor> | undefined;
        let runError: unknown;
        try {
          const feeds = new Map(
            (spec.inputs ?? []).map(([name, dtype, d]) => [name, randomTensor(dtype, d as number[], r)]),
          );
          actual = new CpuInterpreter(m).runSync(feeds, { outputs: outs });
        } catch (e) {
          runError = e;
        }
        if (!inferred || !actual) {
          // Then both must reject the case.
          if (!inferError || !runError) {
            throw new Error(
              `${label}: inference ${inferError ?? 'accepted it'}; CPU ${runError ?? 'accepted it'}`,
            );
          }
          continue;
        }
        valid++;
        for (const o of outs) {
          const t = actual.get(o)!;
          expect({ label, dtype: t.dtype, dims: [...t.dims] }).toEqual({ label, ...inferred.values.get(o)! });
        }
      }
      expect(valid).toBeGreaterThan(0);
    });
  }
});
