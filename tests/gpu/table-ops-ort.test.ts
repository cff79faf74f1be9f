// The table ops (unary, broadcasting, comparisons, logic, Where, variadic Max/Min/Mean) and
// Expand / Tile (strided copies, 32-bit and packed 8-bit), the reductions and LogSoftmax as
// one-node models on the WebGPU executor against onnxruntime-node, with random broadcast shapes;
// each node must run on a GPU kernel (no CPU fallback). Floats within 1e-4 relative + 1e-7
// (exact for Max/Min/Where/compare/logic, checked by the kernel tests), bool outputs exactly.
import { describe, it } from 'vitest';
import { type DType, int64Tensor, type Tensor } from '../../kernels/tensor.js';
import { REDUCE_OPS, REDUCE_TABLE } from '../../kernels/reduce/reduce.ref.js';
import { UNARY_OPS } from '../../kernels/unary/unary.ref.js';
import {
  type OneNode,
  pick,
  randInt,
  randomDims,
  randomTensor,
  rng,
  runOrt,
} from '../unit/tensor-oracle.helper.js';
import { expectOutputs, runOnGpu } from './extra-ops.helper.js';
import { sharedGpu } from './gpu-test-helpers.js';

sharedGpu();

function broadcastable(r: () => number, out: readonly number[]): number[] {
  const rank = randInt(r, 0, out.length);
  return out.slice(out.length - rank).map((d) => (r() < 0.3 ? 1 : d));
}

/** Runs `c` on the WebGPU executor; every output equals (or is near) onnxruntime's. */
async function compareOnGpu(c: OneNode, exact: boolean, what: string): Promise<void> {
  const ours = await runOnGpu(c, what);
  expectOutputs(c, ours, await runOrt(c), exact, what);
}

const OPSET: Record<string, number> = { Gelu: 20, Mish: 18, Swish: 24 };

describe('table ops on the WebGPU executor vs onnxruntime-node', () => {
  it('unary ops over random shapes', async () => {
    const r = rng(2024);
    for (const op of UNARY_OPS) {
      const dims = randomDims(r, 1, 4, 6);
      const x = randomTensor(r, 'float32', dims, -6, 6);
      const c: OneNode = {
        op,
        opset: OPSET[op] ?? 17,
        inputs: [['X', x]],
        outputs: [{ name: 'Y', dtype: 'float32' }],
      };
      const exact = ['Neg', 'Abs', 'Sign', 'Floor', 'Ceil', 'Round'].includes(op);
      await compareOnGpu(c, exact, `${op} [${dims}]`);
    }
  });

  it('two-input ops over random broadcast shapes', async () => {
    const r = rng(77);
    const ops: [string, DType, DType, boolean][] = [
      ['PRelu', 'float32', 'float32', false],
      ['Equal', 'float32', 'bool', true],
      ['Less', 'float32', 'bool', true],
      ['LessOrEqual', 'float32', 'bool', true],
      ['Greater', 'float32', 'bool', true],
      ['GreaterOrEqual', 'float32', 'bool', true],
      ['And', 'bool', 'bool', true],
      ['Or', 'bool', 'bool', true],
      ['Xor', 'bool', 'bool', true],
    ];
    for (const [op, inType, outType, exact] of ops) {
      for (let k = 0; k < 3; k++) {
        const out = randomDims(r, 1, 4, 5);
        const a = randomTensor(r, inType, op === 'PRelu' ? out : broadcastable(r, out), -3, 3);
        const b = randomTensor(r, inType, broadcastable(r, out), -3, 3);
        const c: OneNode = {
          op,
          opset: 17,
          inputs: [
            ['A', a],
            ['B', b],
          ],
          outputs: [{ name: 'C', dtype: outType }],
        };
        await compareOnGpu(c, exact, `${op} [${a.dims}] [${b.dims}]`);
      }
    }
  });

  it('Max, Min, Mean of 1-4 inputs; Not; Where over float32 and uint8', async () => {
    const r = rng(99);
    for (const op of ['Max', 'Min', 'Mean']) {
      for (let n = 1; n <= 4; n++) {
        const out = randomDims(r, 1, 4, 5);
        const inputs: [string, Tensor][] = Array.from({ length: n }, (_, i) => [
          `x${i}`,
          randomTensor(r, 'float32', broadcastable(r, out), -10, 10),
        ]);
        const c: OneNode = { op, opset: 13, inputs, outputs: [{ name: 'y', dtype: 'float32' }] };
        await compareOnGpu(c, op !== 'Mean', `${op} of ${n}`);
      }
    }
    const x = randomTensor(r, 'bool', [3, 5]);
    await compareOnGpu(
      { op: 'Not', opset: 1, inputs: [['X', x]], outputs: [{ name: 'Y', dtype: 'bool' }] },
      true,
      'Not',
    );
    for (const dtype of ['float32', 'uint8'] as DType[]) {
      const out = randomDims(r, 1, 4, 5);
      const c: OneNode = {
        op: 'Where',
        opset: 16,
        inputs: [
          ['cond', randomTensor(r, 'bool', broadcastable(r, out))],
          ['X', randomTensor(r, dtype, broadcastable(r, out), 0, 200)],
          ['Y', randomTensor(r, dtype, out, 0, 200)],
        ],
        outputs: [{ name: 'Z', dtype }],
      };
      await compareOnGpu(c, true, `Where ${dtype}`);
    }
  });

  it('Expand and Tile with constant shape / repeats over float32, int32, uint8 and bool', async () => {
    const r = rng(5);
    for (let k = 0; k < 16; k++) {
      const dtype = pick(r, ['float32', 'int32', 'uint8', 'bool'] as DType[]);
      const tile = k % 2 === 1;
      const out = randomDims(r, 1, 4, 4);
      const xDims = tile
        ? out
        : out.slice(out.length - randInt(r, 0, out.length)).map((d) => (r() < 0.4 ? 1 : d));
      const v = tile ? xDims.map(() => randInt(r, 1, 3)) : out;
      const name = tile ? 'repeats' : 'shape';
      const c: OneNode = {
        op: tile ? 'Tile' : 'Expand',
        opset: 13,
        inputs: [
          ['x', randomTensor(r, dtype, xDims, 0, 200)],
          [name, int64Tensor([v.length], v)],
        ],
        constants: [name],
        outputs: [{ name: 'y', dtype }],
      };
      await compareOnGpu(c, true, `${c.op} ${dtype} [${xDims}] by [${v}]`);
    }
  });

  it('reductions (axes as attribute and as input) and LogSoftmax', async () => {
    const r = rng(13);
    for (const op of REDUCE_OPS) {
      for (const opset of [13, 18]) {
        const dims = randomDims(r, 1, 4, 5);
        const axes = [...dims.keys()].filter(() => r() < 0.5);
        const asInput = opset >= REDUCE_TABLE[op].axesInputSince;
        const lo = op === 'ReduceLogSum' ? 0.1 : op === 'ReduceProd' ? 0.5 : -4;
        const x = randomTensor(r, 'float32', dims, lo, op === 'ReduceProd' ? 1.5 : 4);
        const c: OneNode = {
          op,
          opset,
          inputs: [
            ['x', x],
            ...(asInput ? ([['axes', int64Tensor([axes.length], axes)]] as [string, Tensor][]) : []),
          ],
          constants: ['axes'],
          outputs: [{ name: 'y', dtype: 'float32' }],
          attrs: { keepdims: pick(r, [0, 1]), ...(asInput || axes.length === 0 ? {} : { axes }) },
        };
        await compareOnGpu(
          c,
          op === 'ReduceMax' || op === 'ReduceMin',
          `${op}-${opset} [${dims}] axes [${axes}]`,
        );
      }
    }
    for (const opset of [11, 13]) {
      const dims = randomDims(r, 2, 4, 5);
      const c: OneNode = {
        op: 'LogSoftmax',
        opset,
        inputs: [['x', randomTensor(r, 'float32', dims, -20, 20)]],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs: { axis: randInt(r, 0, dims.length - 1) },
      };
      await compareOnGpu(c, false, `LogSoftmax-${opset} [${dims}]`);
    }
  });
});
