// The lowerings of app/exec/webgpu/lower-extra.ts as one-node models on the WebGPU executor against
// the CPU reference: each node must run on a GPU kernel (summary().cpuFallbacks empty), with the
// outputs bit-exact (ReduceMean: onnxruntime's f32 order replayed; integer, index and bool
// results) or within the tolerance stated at the test.
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel } from '../helpers/onnx-builder.js';
import {
  expectNear,
  expectSameTensor,
  type OneNode,
  oneNodeModel,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOurs,
} from '../unit/tensor-oracle.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

/** Runs `c` on the WebGPU executor; every output equals (or is near) the CPU reference's. */
async function compareOnGpu(c: OneNode, exact: boolean, what: string): Promise<void> {
  const executor = await WebGpuExecutor.create(decodeModel(oneNodeModel(c)));
  try {
    const consts = new Set(c.constants ?? []);
    const feeds = new Map(
      c.inputs.filter((i): i is [string, Tensor] => i[1] !== undefined && !consts.has(i[0])),
    );
    const ours = await executor.run(feeds);
    const { cpuFallbacks, kernelErrors } = await executor.summary();
    expect(cpuFallbacks, `${what}: runs on the GPU (${kernelErrors.join('; ')})`).toEqual([]);
    const want = runOurs(c);
    c.outputs.forEach((o, i) => {
      const got = ours.get(o.name)!;
      if (exact) expectSameTensor(got, want[i], what);
      else expectNear(got, want[i], what);
    });
  } finally {
    executor.dispose();
  }
}

describe('ReduceMean on the WebGPU executor', () => {
  it('axes as an attribute (opset 13) and as a constant input (opset 18), keepdims 0/1, noop', async () => {
    const r = rng(31);
    for (let k = 0; k < 24; k++) {
      const dims = [...randomDims(r, 1, 4, 7)];
      const rank = dims.length;
      const axes = [...dims.keys()].filter(() => r() < 0.5).map((a) => (r() < 0.5 ? a - rank : a));
      const keepdims = randInt(r, 0, 1);
      const x = randomTensor(r, 'float32', dims, -50, 50);
      const xs = x.data as Float32Array;
      if (k % 5 === 1) xs[0] = Number.NaN;
      if (k % 5 === 2) xs.fill(-0);
      const opset = k % 2 ? 18 : 13;
      const noop = opset === 18 && axes.length === 0 && k % 4 === 1;
      const c: OneNode =
        opset === 13
          ? {
              op: 'ReduceMean',
              opset,
              inputs: [['x', x]],
              outputs: [{ name: 'y', dtype: 'float32' }],
              attrs: axes.length ? { axes, keepdims } : { keepdims },
            }
          : {
              op: 'ReduceMean',
              opset,
              inputs: [
                ['x', x],
                ['axes', axes.length ? int64Tensor([axes.length], axes) : undefined],
              ],
              constants: ['axes'],
              outputs: [{ name: 'y', dtype: 'float32' }],
              attrs: { keepdims, noop_with_empty_axes: noop ? 1 : 0 },
            };
      await compareOnGpu(c, true, `ReduceMean opset ${opset} [${dims}] axes [${axes}] keepdims ${keepdims}`);
    }
  });

  it('a global mean (Eigen packets with a tail) and a rank-0 input', async () => {
    const x = randomTensor(rng(5), 'float32', [3, 7, 5], -1000, 1000);
    await compareOnGpu(
      { op: 'ReduceMean', opset: 13, inputs: [['x', x]], outputs: [{ name: 'y', dtype: 'float32' }] },
      true,
      'global ReduceMean',
    );
    await compareOnGpu(
      {
        op: 'ReduceMean',
        opset: 13,
        inputs: [['x', makeTensor('float32', [], [-0])]],
        outputs: [{ name: 'y', dtype: 'float32' }],
      },
      true,
      'rank-0 ReduceMean',
    );
  });
});

describe('Sum on the WebGPU executor', () => {
  it('1 to 4 float32 inputs with broadcasting, NaN / inf / -0: bit-exact left fold', async () => {
    const r = rng(41);
    for (let k = 0; k < 16; k++) {
      const n = 1 + (k % 4);
      const out = randomDims(r, 1, 4, 5);
      const inputs: [string, Tensor][] = Array.from({ length: n }, (_, i) => {
        // Each input keeps a suffix of the output dims, some of them 1 (broadcast).
        const dims = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
        const t = randomTensor(r, 'float32', dims, -1e3, 1e3);
        const xs = t.data as Float32Array;
        if (k === 3 && i === 1) xs[0] = Number.NaN;
        if (k === 5) xs[0] = i % 2 ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
        if (k === 7) xs.fill(-0);
        return [`x${i}`, t];
      });
      await compareOnGpu(
        { op: 'Sum', opset: k % 3 ? 13 : 8, inputs, outputs: [{ name: 'y', dtype: 'float32' }] },
        true,
        `Sum of ${n} [${inputs.map(([, t]) => `[${t.dims}]`).join(' ')}]`,
      );
    }
  });
});

describe('ArgMax / ArgMin on the WebGPU executor (int64 indices, exact)', () => {
  const argCase = (
    op: 'ArgMax' | 'ArgMin',
    x: Tensor,
    axis: number,
    keepdims: number,
    last: number,
    opset = 13,
  ): OneNode => ({
    op,
    opset,
    inputs: [['x', x]],
    outputs: [{ name: 'y', dtype: 'int64' }],
    attrs: opset >= 12 ? { axis, keepdims, select_last_index: last } : { axis, keepdims },
  });

  it('ties (first and last index), NaN first and later, -0 against +0, infinities', async () => {
    const nan = Number.NaN;
    const inf = Number.POSITIVE_INFINITY;
    const rows = [
      [1, 3, 3, 2, 3],
      [nan, 5, 7, 7, 1],
      [2, nan, 9, 9, -1],
      [-0, 0, -0, 0, -1],
      [-inf, -inf, inf, inf, -inf],
      [0.5, 0.5, 0.5, 0.5, 0.5],
      [1e-45, 0, -1e-45, 1e-45, -0], // subnormals compare by value, not flushed
    ];
    const x = makeTensor('float32', [rows.length, 5], rows.flat());
    for (const op of ['ArgMax', 'ArgMin'] as const)
      for (const last of [0, 1])
        for (const [axis, keepdims] of [
          [1, 1],
          [-1, 0],
          [0, 1],
        ])
          await compareOnGpu(argCase(op, x, axis, keepdims, last), true, `${op} axis ${axis} last ${last}`);
  });

  it('seeded random f32 / int32 tensors with many ties, every axis, opsets 11 to 13', async () => {
    const r = rng(53);
    for (let k = 0; k < 24; k++) {
      const dims = randomDims(r, 1, 4, 7);
      const dtype = k % 3 === 2 ? 'int32' : 'float32';
      const x = randomTensor(r, dtype, dims, -3, 3);
      if (dtype === 'float32')
        for (let i = 0; i < x.data.length; i++) x.data[i] = Math.round(x.data[i] as number);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const opset = [11, 12, 13][k % 3];
      await compareOnGpu(
        argCase(k % 2 ? 'ArgMin' : 'ArgMax', x, axis, randInt(r, 0, 1), randInt(r, 0, 1), opset),
        true,
        `arg ${dtype} [${dims}] axis ${axis} opset ${opset}`,
      );
    }
  });
});

describe('int64 indices kept on the GPU', () => {
  it('ArgMax feeding a CPU node (Cast to float) and a view (Reshape): read back correctly', async () => {
    const x = randomTensor(rng(9), 'float32', [3, 6, 5], -9, 9);
    const model = decodeModel(
      buildModel({
        opset: 13,
        inputs: [{ name: 'x', dtype: 'float32', dims: [3, 6, 5] }],
        outputs: [
          { name: 'i', dtype: 'int64' },
          { name: 'f', dtype: 'float32' },
          { name: 'r', dtype: 'int64' },
        ],
        initializers: { shape: int64Tensor([1], [-1]) },
        nodes: [
          { op: 'ArgMax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 0 } },
          { op: 'Cast', inputs: ['i'], outputs: ['f'], attrs: { to: 1 } },
          { op: 'Reshape', inputs: ['i', 'shape'], outputs: ['r'] },
        ],
      }),
    );
    const gpuExec = await WebGpuExecutor.create(model);
    try {
      const feeds = new Map([['x', x]]);
      const ours = await gpuExec.run(feeds);
      const want = await new CpuInterpreter(model).run(feeds);
      for (const name of ['i', 'f', 'r']) expectSameTensor(ours.get(name)!, want.get(name)!, name);
      const { cpuFallbacks } = await gpuExec.summary();
      expect(cpuFallbacks.some((f) => f.startsWith('ArgMax'))).toBe(false);
    } finally {
      gpuExec.dispose();
    }
  });
});

describe('Mod (float32) on the WebGPU executor: exact', () => {
  /** Floats of every magnitude: far-apart exponents, subnormals, zeros, infinities, NaN. */
  function wideFloats(r: () => number, n: number): Float32Array {
    const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-45, -3e-39];
    return Float32Array.from({ length: n }, () => {
      if (r() < 0.12) return specials[randInt(r, 0, specials.length - 1)];
      const m = 1 + r();
      const e = r() < 0.5 ? randInt(r, -8, 8) : randInt(r, -149, 127);
      return (r() < 0.5 ? -1 : 1) * m * 2 ** e;
    });
  }

  it('fmod = 1 (opsets 10, 13) and fmod = 0 (opset 28), broadcasting', async () => {
    const r = rng(61);
    for (let k = 0; k < 18; k++) {
      const out = randomDims(r, 1, 3, 6);
      const bDims = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
      const size = (d: number[]) => d.reduce((p, v) => p * v, 1);
      const a = makeTensor('float32', out, wideFloats(r, size(out)));
      const b = makeTensor('float32', bDims, wideFloats(r, size(bDims)));
      const fmod = k % 3 === 2 ? 0 : 1;
      const opset = fmod === 0 ? 28 : k % 2 ? 13 : 10;
      await compareOnGpu(
        {
          op: 'Mod',
          opset,
          inputs: [
            ['a', a],
            ['b', b],
          ],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { fmod },
        },
        true,
        `Mod fmod ${fmod} opset ${opset} [${out}] % [${bDims}]`,
      );
    }
  });
});

describe('IsNaN / IsInf (float32) on the WebGPU executor: exact', () => {
  it('every NaN payload and sign, infinities, detect_positive / detect_negative, odd sizes', async () => {
    const bits = new Uint32Array([
      0x7fc00000, 0xffc00000, 0x7f800001, 0xff800001, 0x7fffffff, 0x7f800000, 0xff800000, 0x7f7fffff,
      0xff7fffff, 0, 0x80000000, 1, 0x3f800000,
    ]);
    const x = makeTensor('float32', [bits.length], new Float32Array(bits.buffer));
    const one = (op: string, attrs?: Record<string, number>): OneNode => ({
      op,
      opset: op === 'IsInf' ? 10 : 13,
      inputs: [['x', x]],
      outputs: [{ name: 'y', dtype: 'bool' }],
      attrs,
    });
    await compareOnGpu(one('IsNaN'), true, 'IsNaN');
    await compareOnGpu(one('IsInf'), true, 'IsInf');
    await compareOnGpu(one('IsInf', { detect_negative: 0 }), true, 'IsInf +');
    await compareOnGpu(one('IsInf', { detect_positive: 0 }), true, 'IsInf -');
    const r = rng(71);
    for (let k = 0; k < 6; k++) {
      const dims = randomDims(r, 0, 4, 5);
      const t = randomTensor(r, 'float32', dims, -5, 5);
      const xs = t.data as Float32Array;
      for (let i = 0; i < xs.length; i++)
        if (r() < 0.3)
          xs[i] = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY][randInt(r, 0, 2)];
      const op = k % 2 ? 'IsNaN' : 'IsInf';
      await compareOnGpu({ ...one(op), inputs: [['x', t]] }, true, `${op} [${dims}]`);
    }
  });
});

describe('Hardmax (float32) on the WebGPU executor: exact', () => {
  it('ties (first wins), NaN first and later, opset 11 (2-D coercion, axis = rank) and 13', async () => {
    const nan = Number.NaN;
    const x = makeTensor(
      'float32',
      [2, 3, 5],
      [1, 3, 3, 2, 0, nan, 5, 7, 7, 1, 2, nan, 9, 9, -1, -0, 0, -0, 0, -1, 4, 4, 4, 4, 4, -9, -8, -7, -8, -9],
    );
    for (const [opset, axis] of [
      [13, -1],
      [13, 0],
      [13, 1],
      [11, 1],
      [11, 0],
      [11, 3],
      [11, -1],
    ])
      await compareOnGpu(
        {
          op: 'Hardmax',
          opset,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis },
        },
        true,
        `Hardmax opset ${opset} axis ${axis}`,
      );
    const r = rng(81);
    for (let k = 0; k < 10; k++) {
      const dims = randomDims(r, 1, 4, 6);
      const t = randomTensor(r, 'float32', dims, -2, 2);
      const xs = t.data as Float32Array;
      for (let i = 0; i < xs.length; i++) xs[i] = Math.round(xs[i]);
      const opset = k % 2 ? 13 : 11;
      const axis = randInt(r, -dims.length, dims.length - 1);
      await compareOnGpu(
        {
          op: 'Hardmax',
          opset,
          inputs: [['x', t]],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis },
        },
        true,
        `Hardmax opset ${opset} [${dims}] axis ${axis}`,
      );
    }
  });
});

describe('EyeLike on the WebGPU executor: exact', () => {
  it('k inside and outside the matrix, dtype attribute (float32, int32, uint8, bool), odd sizes', async () => {
    // [dims, k, dtype attribute (ONNX code: 1 float, 2 uint8, 6 int32, 9 bool), output dtype]
    const cases: [number[], number, number | undefined, 'float32' | 'int32' | 'uint8' | 'bool'][] = [
      [[3, 5], 0, undefined, 'float32'],
      [[5, 3], -2, undefined, 'float32'],
      [[4, 4], 3, 6, 'int32'],
      [[3, 7], 9, 1, 'float32'],
      [[6, 5], 1, 2, 'uint8'],
      [[5, 6], -1, 9, 'bool'],
      [[1, 1], 0, 6, 'int32'],
    ];
    for (const [dims, k, code, outType] of cases) {
      const x = randomTensor(rng(dims[0] * 7 + k), code === undefined ? outType : 'float32', dims, -3, 3);
      await compareOnGpu(
        {
          op: 'EyeLike',
          opset: 9,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: outType }],
          attrs: code === undefined ? { k } : { k, dtype: code },
        },
        true,
        `EyeLike [${dims}] k ${k} -> ${outType}`,
      );
    }
  });
});

describe('OneHot on the WebGPU executor: exact', () => {
  it('f32 / int32 / int64 indices (negative, fractional, out of range, NaN), every axis, constant or fed depth', async () => {
    const r = rng(91);
    for (let k = 0; k < 16; k++) {
      const dims = randomDims(r, 1, 3, 4);
      const depth = randInt(r, 1, 6);
      const float = k % 2 === 0;
      const n = dims.reduce((p, v) => p * v, 1);
      const idx = Array.from({ length: n }, () => {
        const v = (r() - 0.5) * 3 * depth;
        if (!float) return Math.trunc(v);
        return r() < 0.1 ? [Number.NaN, Number.POSITIVE_INFINITY, -0.5][randInt(r, 0, 2)] : v;
      });
      const indices =
        float || k % 4 === 1 ? makeTensor(float ? 'float32' : 'int32', dims, idx) : int64Tensor(dims, idx);
      if (k === 3) (indices.data as BigInt64Array)[0] = 2n ** 40n; // beyond int32: an all-off row
      const vType = k % 3 === 1 ? 'int32' : 'float32';
      const values = makeTensor(vType, [2], vType === 'int32' ? [-7, 123456] : [-0, 2.5]);
      const axis = randInt(r, -dims.length - 1, dims.length);
      const fedDepth = k % 4 === 3;
      await compareOnGpu(
        {
          op: 'OneHot',
          opset: 11,
          inputs: [
            ['indices', indices],
            ['depth', makeTensor('float32', [], [depth + (k % 5 === 0 ? 0.7 : 0)])],
            ['values', values],
          ],
          constants: fedDepth ? [] : ['depth'],
          outputs: [{ name: 'y', dtype: vType }],
          attrs: { axis },
        },
        true,
        `OneHot [${dims}] ${indices.dtype} depth ${depth} axis ${axis}${fedDepth ? ' (fed)' : ''}`,
      );
    }
  });
});

// The float normalizations sum in f32 on the GPU and in float64 in the references: within
// 1e-4 relative + 1e-7 absolute (expectNear).
describe('LpNormalization, LRN, MeanVarianceNormalization (float32) on the WebGPU executor', () => {
  it('LpNormalization p 1 / 2, every axis, all-zero lines', async () => {
    const r = rng(101);
    for (let k = 0; k < 12; k++) {
      const dims = randomDims(r, 1, 4, 6);
      const x = randomTensor(r, 'float32', dims, -3, 3);
      if (k === 3) (x.data as Float32Array).fill(0);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const p = k % 2 ? 1 : 2;
      await compareOnGpu(
        {
          op: 'LpNormalization',
          opset: 1,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis, p },
        },
        false,
        `LpNormalization p ${p} [${dims}] axis ${axis}`,
      );
    }
  });

  it('LRN: odd and even sizes, windows past both channel ends, defaults and explicit attributes', async () => {
    const r = rng(103);
    for (let k = 0; k < 10; k++) {
      const dims = [randInt(r, 1, 2), randInt(r, 1, 7), ...randomDims(r, 1, 2, 5)];
      const x = randomTensor(r, 'float32', dims, -4, 4);
      const size = randInt(r, 1, 6);
      const attrs: OneNode['attrs'] =
        k % 2 ? { size } : { size, alpha: { float: 0.02 }, beta: { float: 0.6 }, bias: { float: 1.5 } };
      await compareOnGpu(
        { op: 'LRN', opset: 13, inputs: [['x', x]], outputs: [{ name: 'y', dtype: 'float32' }], attrs },
        false,
        `LRN size ${size} [${dims}]`,
      );
    }
  });

  it('MeanVarianceNormalization: default axes, axes at both ends, all axes, a constant group', async () => {
    const r = rng(107);
    const cases: [number[], number[] | undefined][] = [
      [[2, 3, 4, 5], undefined],
      [[3, 2, 5], [0]],
      [[3, 2, 5], [-1]],
      [
        [2, 3, 4],
        [0, 1, 2],
      ],
      [
        [4, 3, 2, 3],
        [1, 2],
      ],
      [[2, 3, 1, 1], undefined],
    ];
    for (const [k, [dims, axes]] of cases.entries()) {
      const x = randomTensor(r, 'float32', dims, -5, 5);
      // A group of equal values (whose f32 sum is exact) normalizes to 0 on both.
      if (k === cases.length - 1) (x.data as Float32Array).fill(0.75, 0, 2);
      await compareOnGpu(
        {
          op: 'MeanVarianceNormalization',
          opset: 13,
          inputs: [['x', x]],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: axes ? { axes } : undefined,
        },
        false,
        `MVN [${dims}] axes ${axes}`,
      );
    }
  });
});

describe('GatherElements (constant indices) on the WebGPU executor: exact', () => {
  it('f32 / int32 / uint8 data, int32 / int64 indices with negatives, axes at both ends', async () => {
    const r = rng(111);
    for (let k = 0; k < 14; k++) {
      const dims = randomDims(r, 1, 4, 5);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const a = axis < 0 ? axis + dims.length : axis;
      const dtype = (['float32', 'int32', 'uint8'] as const)[k % 3];
      const data = randomTensor(r, dtype, dims, dtype === 'uint8' ? 0 : -50, dtype === 'uint8' ? 255 : 50);
      // indices: the data's dims, each at most as large, the axis any length.
      const idims = dims.map((d, i) => (i === a ? randInt(r, 1, 6) : randInt(r, 1, d)));
      const n = idims.reduce((p, v) => p * v, 1);
      const vals = Array.from({ length: n }, () => randInt(r, -dims[a], dims[a] - 1));
      const indices = k % 2 ? int64Tensor(idims, vals) : makeTensor('int32', idims, vals);
      await compareOnGpu(
        {
          op: 'GatherElements',
          opset: k % 2 ? 13 : 11,
          inputs: [
            ['data', data],
            ['indices', indices],
          ],
          constants: ['indices'],
          outputs: [{ name: 'y', dtype }],
          attrs: { axis },
        },
        true,
        `GatherElements ${dtype} [${dims}] axis ${axis} indices [${idims}] ${indices.dtype}`,
      );
    }
  });
});

describe('GatherElements with indices on the GPU (fed int32 / int64): exact', () => {
  it('f32 / int32 / uint8 data, negative indices, axes at both ends', async () => {
    const r = rng(113);
    for (let k = 0; k < 14; k++) {
      const dims = randomDims(r, 1, 4, 5);
      const axis = randInt(r, -dims.length, dims.length - 1);
      const a = axis < 0 ? axis + dims.length : axis;
      const dtype = (['float32', 'int32', 'uint8'] as const)[k % 3];
      const data = randomTensor(r, dtype, dims, dtype === 'uint8' ? 0 : -50, dtype === 'uint8' ? 255 : 50);
      const idims = dims.map((d, i) => (i === a ? randInt(r, 1, 6) : randInt(r, 1, d)));
      const n = idims.reduce((p, v) => p * v, 1);
      const vals = Array.from({ length: n }, () => randInt(r, -dims[a], dims[a] - 1));
      const indices = k % 2 ? int64Tensor(idims, vals) : makeTensor('int32', idims, vals);
      await compareOnGpu(
        {
          op: 'GatherElements',
          opset: 13,
          inputs: [
            ['data', data],
            ['indices', indices],
          ],
          outputs: [{ name: 'y', dtype }],
          attrs: { axis },
        },
        true,
        `GatherElements (fed) ${dtype} [${dims}] axis ${axis} indices [${idims}] ${indices.dtype}`,
      );
    }
  });

  it('an out-of-range index (either end, or beyond int32) fails the run as on the CPU', async () => {
    const data = makeTensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
    for (const bad of [3, -4, 2 ** 32]) {
      const model = decodeModel(
        oneNodeModel({
          op: 'GatherElements',
          opset: 13,
          inputs: [
            ['data', data],
            ['indices', int64Tensor([2, 2], [0, 1, 2, 0])],
          ],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { axis: 1 },
        }),
      );
      const executor = await WebGpuExecutor.create(model);
      try {
        const ok = await executor.run(
          new Map([
            ['data', data],
            ['indices', int64Tensor([2, 2], [0, -1, 2, 0])],
          ]),
        );
        expect(Array.from(ok.get('y')!.data as Float32Array)).toEqual([1, 3, 6, 4]);
        await expect(
          executor.run(
            new Map([
              ['data', data],
              ['indices', int64Tensor([2, 2], [0, 1, bad, 0])],
            ]),
          ),
        ).rejects.toThrow(/out of range/);
        expect((await executor.summary()).cpuFallbacks).toEqual([]);
      } finally {
        executor.dispose();
      }
    }
  });

  it('ArgMax -> GatherElements: int64 indices made by a GPU kernel, read by another', async () => {
    const x = randomTensor(rng(17), 'float32', [4, 7, 3], -9, 9);
    const model = decodeModel(
      buildModel({
        opset: 13,
        inputs: [{ name: 'x', dtype: 'float32', dims: [4, 7, 3] }],
        outputs: [{ name: 'm', dtype: 'float32' }],
        nodes: [
          { op: 'ArgMax', inputs: ['x'], outputs: ['i'], attrs: { axis: 1, keepdims: 1 } },
          { op: 'GatherElements', inputs: ['x', 'i'], outputs: ['m'], attrs: { axis: 1 } },
        ],
      }),
    );
    const gpuExec = await WebGpuExecutor.create(model);
    try {
      const feeds = new Map([['x', x]]);
      const ours = await gpuExec.run(feeds);
      const want = await new CpuInterpreter(model).run(feeds);
      expectSameTensor(ours.get('m')!, want.get('m')!, 'max by ArgMax + GatherElements');
      expect((await gpuExec.summary()).cpuFallbacks).toEqual([]);
      expect(gpuExec.lastRun?.submits).toBe(1);
    } finally {
      gpuExec.dispose();
    }
  });
});

describe('Mod (int32 / uint32) on the WebGPU executor: exact', () => {
  it('fmod 0 / 1, mixed signs, int32 min by -1, broadcasting', async () => {
    const r = rng(127);
    for (let k = 0; k < 12; k++) {
      const dtype = k % 3 === 2 ? 'uint32' : 'int32';
      const out = randomDims(r, 1, 3, 6);
      const bDims = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
      const size = (d: number[]) => d.reduce((p, v) => p * v, 1);
      const lo = dtype === 'uint32' ? 0 : -1000;
      const av = Array.from({ length: size(out) }, () => randInt(r, lo, 1000) * (r() < 0.2 ? 2 ** 20 : 1));
      const bv = Array.from({ length: size(bDims) }, () => {
        const v = randInt(r, lo, 40);
        return v === 0 ? 7 : v;
      });
      if (dtype === 'int32') {
        av[0] = -(2 ** 31);
        bv[0] = -1;
      }
      const fmod = k % 2;
      await compareOnGpu(
        {
          op: 'Mod',
          opset: 13,
          inputs: [
            ['a', makeTensor(dtype, out, av)],
            ['b', makeTensor(dtype, bDims, bv)],
          ],
          outputs: [{ name: 'y', dtype }],
          attrs: { fmod },
        },
        true,
        `Mod ${dtype} fmod ${fmod} [${out}] % [${bDims}]`,
      );
    }
  });

  it('a zero divisor fails the run as on the CPU', async () => {
    const a = makeTensor('int32', [4], [5, -5, 6, 7]);
    const model = decodeModel(
      oneNodeModel({
        op: 'Mod',
        opset: 13,
        inputs: [
          ['a', a],
          ['b', makeTensor('int32', [4], [3, 3, 3, 3])],
        ],
        outputs: [{ name: 'y', dtype: 'int32' }],
      }),
    );
    const executor = await WebGpuExecutor.create(model);
    try {
      const ok = await executor.run(
        new Map([
          ['a', a],
          ['b', makeTensor('int32', [4], [3, 3, -4, 3])],
        ]),
      );
      expect(Array.from(ok.get('y')!.data as Int32Array)).toEqual([2, 1, -2, 1]);
      await expect(
        executor.run(
          new Map([
            ['a', a],
            ['b', makeTensor('int32', [4], [3, 0, 3, 3])],
          ]),
        ),
      ).rejects.toThrow(/division by zero/);
      expect((await executor.summary()).cpuFallbacks).toEqual([]);
    } finally {
      executor.dispose();
    }
  });
});

describe('Mod (int64) on the WebGPU executor: exact', () => {
  it('fmod 0 / 1 over the whole int64 range (min % -1, beyond 2^53), broadcasting, a constant divisor', async () => {
    const r = rng(131);
    const big = (): bigint => {
      const hi = BigInt(randInt(r, -(2 ** 31), 2 ** 31 - 1));
      const lo = BigInt(randInt(r, 0, 2 ** 32 - 1));
      const v = (hi << 32n) | lo;
      return r() < 0.5 ? v : BigInt(randInt(r, -1000, 1000));
    };
    for (let k = 0; k < 10; k++) {
      const out = randomDims(r, 1, 3, 5);
      const bDims = out.slice(randInt(r, 0, out.length - 1)).map((d) => (r() < 0.3 ? 1 : d));
      const size = (d: number[]) => d.reduce((p, v) => p * v, 1);
      const a = int64Tensor(
        out,
        Array.from({ length: size(out) }, () => 0),
      );
      const b = int64Tensor(
        bDims,
        Array.from({ length: size(bDims) }, () => 1),
      );
      const av = a.data as BigInt64Array;
      const bv = b.data as BigInt64Array;
      for (let i = 0; i < av.length; i++) av[i] = big();
      for (let i = 0; i < bv.length; i++) {
        const v = r() < 0.5 ? big() : BigInt(randInt(r, -50, 50));
        bv[i] = v === 0n ? 3n : v;
      }
      av[0] = -(2n ** 63n);
      bv[0] = k % 2 ? -1n : -(2n ** 63n) + 1n;
      const fmod = k % 2;
      await compareOnGpu(
        {
          op: 'Mod',
          opset: 13,
          inputs: [
            ['a', a],
            ['b', b],
          ],
          constants: k % 3 === 2 ? ['b'] : [],
          outputs: [{ name: 'y', dtype: 'int64' }],
          attrs: { fmod },
        },
        true,
        `Mod int64 fmod ${fmod} [${out}] % [${bDims}]`,
      );
    }
  });
});
