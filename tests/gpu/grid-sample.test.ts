// GridSample on the GPU (kernels/grid-sample/grid-sample.wgsl) vs the reference
// (grid-sample.ref.ts) within 1e-4 relative (+1e-5 absolute): 1-D to 3-D spatial inputs, every
// mode, padding and align_corners, grid points well past [-1, 1], size-1 dims.
import { describe, it } from 'vitest';
import { prepareGridSample } from '../../kernels/grid-sample/grid-sample.js';
import {
  type GridSampleMode,
  type GridSamplePadding,
  gridSampleRef,
} from '../../kernels/grid-sample/grid-sample.ref.js';
import { makeTensor } from '../../kernels/tensor.js';
import { expectClose, randomFloats, runOnGpu } from './float-kernel-helpers.js';
import { rng, sharedGpu } from './gpu-test-helpers.js';

const gpu = sharedGpu();
const MODES: GridSampleMode[] = ['linear', 'nearest', 'cubic'];
const PADDINGS: GridSamplePadding[] = ['zeros', 'border', 'reflection'];

describe('GridSample on the GPU vs the reference', () => {
  for (const k of [1, 2, 3]) {
    it(`${k} spatial dim(s): every mode, padding and align_corners`, async () => {
      const ctx = await gpu();
      const r = rng(70 + k);
      for (const mode of MODES) {
        for (const padding of PADDINGS) {
          for (const alignCorners of [false, true]) {
            const n = 1 + Math.floor(r() * 2);
            const c = 1 + Math.floor(r() * 3);
            const inDims = Array.from({ length: k }, () => 1 + Math.floor(r() * 5));
            const outDims = Array.from({ length: k }, () => 1 + Math.floor(r() * 4));
            const xDims = [n, c, ...inDims];
            const gDims = [n, ...outDims, k];
            const x = makeTensor(
              'float32',
              xDims,
              randomFloats(
                r,
                xDims.reduce((a, b) => a * b, 1),
                -4,
                4,
              ),
            );
            const g = makeTensor(
              'float32',
              gDims,
              randomFloats(
                r,
                gDims.reduce((a, b) => a * b, 1),
                -2.5,
                2.5,
              ),
            );
            const opts = { mode, padding, alignCorners };
            const want = gridSampleRef(x, g, opts);
            const out = await runOnGpu(
              ctx,
              [x.data, g.data],
              Math.max(4, want.data.length * 4),
              ([gx, gg], o) => prepareGridSample(ctx, gx, gg, o, xDims, gDims, opts),
            );
            expectClose(new Float32Array(out, 0, want.data.length), want.data as Float32Array, 1e-4, 1e-5);
          }
        }
      }
    });
  }

  it('nearest rounds exact halves to even, as the reference', async () => {
    const ctx = await gpu();
    // 4 columns, align_corners 0: x = ((g + 1) * 4 - 1) / 2 gives 0.5, 1.5, 2.5 -> 0, 2, 2.
    const x = makeTensor('float32', [1, 1, 1, 4], [10, 20, 30, 40]);
    const g = makeTensor('float32', [1, 1, 3, 2], [-0.5, 0, 0, 0, 0.5, 0]);
    const opts = { mode: 'nearest', padding: 'zeros', alignCorners: false } as const;
    const out = await runOnGpu(ctx, [x.data, g.data], 12, ([gx, gg], o) =>
      prepareGridSample(ctx, gx, gg, o, x.dims, g.dims, opts),
    );
    expectClose(new Float32Array(out, 0, 3), [10, 30, 30], 0);
    expectClose(new Float32Array(out, 0, 3), gridSampleRef(x, g, opts).data as Float32Array, 0);
  });
});
