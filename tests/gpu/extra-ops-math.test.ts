// The elementwise and normalization lowerings of app/exec/webgpu/lower-extra.ts on the WebGPU
// executor against the CPU reference, each node on a GPU kernel: Mod (f32, int32, uint32, int64;
// exact, a zero divisor fails the run), IsNaN / IsInf (exact), LpNormalization / LRN /
// MeanVarianceNormalization (within 1e-4 relative + 1e-7 absolute of the float64 references).
import { describe, expect, it } from 'vitest';
import { WebGpuExecutor } from '../../app/exec/webgpu/webgpu-executor.js';
import { decodeModel } from '../../app/model/decode.js';
import { int64Tensor, makeTensor } from '../../kernels/tensor.js';
import {
  type OneNode,
  oneNodeModel,
  randInt,
  randomDims,
  randomTensor,
  rng,
} from '../unit/tensor-oracle.helper.js';
import { compareOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

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
