// float32 ConvTranspose against onnxruntime-node bit for bit (rtol = atol = 0): the reference
// replays onnxruntime's GEMM + col2im order (kernels/conv-transpose/conv-transpose-mlas.ts), which
// a quantized decoder needs (onnxruntime keeps DQ -> ConvTranspose -> Q in float). W both as an
// initializer (prepacked by onnxruntime: untransposed GEMM) and as a graph input (transposed GEMM),
// with channel counts past MLAS's K blocks and N thread splits.
import { describe, expect, it } from 'vitest';
import type { AttrInput } from '../helpers/onnx-builder.js';
import { expectClose, randInt, randomFloats, rng, runOrt, runOurs } from './nn-oracle.helper.js';

describe('ConvTranspose float32 in onnxruntime order (bit-exact)', () => {
  it('a hand case: two taps landing on one output sum in kernel order', async () => {
    const c = {
      op: 'ConvTranspose',
      opset: 13,
      inputs: [
        ['X', randomFloats(rng(1), [1, 1, 3])],
        ['W', randomFloats(rng(2), [1, 1, 3])],
      ] as [string, ReturnType<typeof randomFloats>][],
      attrs: {},
    };
    const y = runOurs(c).values().next().value!;
    expect(y.dims).toEqual([1, 1, 5]);
    expectClose(y, (await runOrt(c)).values().next().value!, 0, 0);
  });

  const r = rng(2024);
  for (let t = 0; t < 24; t++) {
    const rank = t < 4 ? 1 : t < 20 ? 2 : 3;
    const group = [1, 1, 2, 3][t % 4];
    const big = t % 5 === 0;
    const cin = group * (big ? randInt(r, 60, 160) : randInt(r, 1, 6));
    const coutPerGroup = big ? randInt(r, 1, 4) : randInt(r, 1, 5);
    const kernel = Array.from({ length: rank }, () => randInt(r, 1, 4));
    const strides = Array.from({ length: rank }, () => randInt(r, 1, 3));
    const dilations = Array.from({ length: rank }, () => (t % 3 === 0 ? randInt(r, 1, 2) : 1));
    const spatial = Array.from({ length: rank }, () => randInt(r, 1, rank === 3 ? 4 : 9));
    const attrs: Record<string, AttrInput> = { strides, dilations, group };
    if (t % 2 === 0)
      attrs.pads = Array.from({ length: 2 * rank }, (_, i) =>
        randInt(r, 0, Math.floor((kernel[i % rank] - 1) / 2)),
      );
    if (t % 4 === 1) attrs.output_padding = strides.map((s) => randInt(r, 0, s - 1));
    const constantW = t % 3 !== 2;
    const withBias = t % 2 === 1 || t % 7 === 0;
    it(`x=[2,${cin},${spatial}] w=[${cin},${coutPerGroup},${kernel}] ${JSON.stringify(attrs)} ${constantW ? 'constant' : 'input'} W${withBias ? ' + B' : ''}`, async () => {
      const c = {
        op: 'ConvTranspose',
        opset: 13,
        inputs: [
          ['X', randomFloats(r, [2, cin, ...spatial])],
          ['W', randomFloats(r, [cin, coutPerGroup, ...kernel])],
          ['B', withBias ? randomFloats(r, [coutPerGroup * group]) : undefined],
        ] as [string, ReturnType<typeof randomFloats> | undefined][],
        constants: constantW ? ['W', 'B'] : ['B'],
        attrs,
      };
      const theirs = await runOrt(c);
      const ours = runOurs(c);
      for (const [name, y] of theirs) expectClose(ours.get(name)!, y, 0, 0, name);
    });
  }
});
