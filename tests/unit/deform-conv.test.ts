// DeformConv (kernels/spatial/deform-conv.ref.ts) on the CPU interpreter against onnxruntime-node
// within 1e-4 relative: random groups, offset groups, strides, pads, dilations, offsets reaching
// past the image, with and without bias and mask; and the one-line refusal of 3-D inputs.
import { describe, expect, it } from 'vitest';
import {
  expectNear,
  type OneNode,
  randInt,
  randomTensor,
  rng,
  runOrt,
  runOurs,
} from './tensor-oracle.helper.js';

describe('DeformConv vs onnxruntime-node (1e-4 relative)', () => {
  it('random convolutions', async () => {
    const r = rng(61);
    let ran = 0;
    for (let k = 0; k < 60 && ran < 30; k++) {
      const group = randInt(r, 1, 2);
      const offsetGroup = randInt(r, 1, 2);
      const ic = group * offsetGroup * randInt(r, 1, 2);
      const oc = group * randInt(r, 1, 2);
      const [kh, kw] = [randInt(r, 1, 3), randInt(r, 1, 3)];
      const [h, w] = [randInt(r, 2, 6), randInt(r, 2, 6)];
      const strides = [randInt(r, 1, 2), randInt(r, 1, 2)];
      const dilations = [randInt(r, 1, 2), randInt(r, 1, 2)];
      const pads = [0, 0, 0, 0].map(() => randInt(r, 0, 1));
      const oh = Math.floor((h + pads[0] + pads[2] - ((kh - 1) * dilations[0] + 1)) / strides[0]) + 1;
      const ow = Math.floor((w + pads[1] + pads[3] - ((kw - 1) * dilations[1] + 1)) / strides[1]) + 1;
      if (oh < 1 || ow < 1) continue;
      ran++;
      const n = randInt(r, 1, 2);
      const withBias = r() < 0.5;
      const withMask = r() < 0.5;
      const node: OneNode = {
        op: 'DeformConv',
        opset: 19,
        inputs: [
          ['x', randomTensor(r, 'float32', [n, ic, h, w], -2, 2)],
          ['w', randomTensor(r, 'float32', [oc, ic / group, kh, kw], -1, 1)],
          ['offset', randomTensor(r, 'float32', [n, offsetGroup * kh * kw * 2, oh, ow], -2.5, 2.5)],
          ['b', withBias ? randomTensor(r, 'float32', [oc], -1, 1) : undefined],
          [
            'mask',
            withMask ? randomTensor(r, 'float32', [n, offsetGroup * kh * kw, oh, ow], 0, 1) : undefined,
          ],
        ],
        outputs: [{ name: 'y', dtype: 'float32' }],
        attrs: { group, offset_group: offsetGroup, strides, dilations, pads, kernel_shape: [kh, kw] },
      };
      const what = `DeformConv g ${group} og ${offsetGroup} k ${kh}x${kw} s [${strides}] d [${dilations}] p [${pads}]`;
      expectNear(runOurs(node)[0], (await runOrt(node))[0], what, 1e-4, 1e-5);
    }
    expect(ran).toBeGreaterThan(20);
  });

  it('refuses a 3-D (1-D spatial) input in one line', () => {
    const r = rng(2);
    const node: OneNode = {
      op: 'DeformConv',
      opset: 19,
      inputs: [
        ['x', randomTensor(r, 'float32', [1, 1, 4])],
        ['w', randomTensor(r, 'float32', [1, 1, 2])],
        ['offset', randomTensor(r, 'float32', [1, 2, 3])],
      ],
      outputs: [{ name: 'y', dtype: 'float32' }],
    };
    expect(() => runOurs(node)).toThrow(/3-D input \(2-D only\) is not supported/);
  });
});
