// A MobileNet-like block laid out the way onnxruntime's quantize_static (QDQ format) writes it,
// checked 4 ways against onnxruntime (defineOrtChecks: same quantized ops as its optimized graph,
// onnxruntime on our fused graph = onnxruntime 'all', our interpreter on the fused graph = 'all',
// our interpreter on the QDQ graph = 'disabled'):
//   Q/DQ on every activation including the model input and output; weights int8 behind a DQ (per
//   tensor, or per channel on axis 0 for Conv and transB=1 Gemm); int32 bias DQ with scale
//   x_scale * w_scale; Relu folded away by the quantizer (the Q zero point at the type's minimum);
//   one DQ shared by two consumers (the residual); BatchNorm already folded into the convs.
//   x -> Conv 3x3 s2 (+Relu) -> depthwise 3x3 -> Clip(0, 6) between Q/DQ groups -> Conv 1x1
//     -> Add(residual) -> HardSigmoid -> Mul(x, hardsigmoid(x)) -> Mul(per-channel constant)
//     -> MaxPool -> Transpose pair -> GlobalAveragePool -> Flatten -> Gemm -> y
// Activations uint8 or int8 (QInt8 is the quantizer's default), weights per tensor or per channel.
import { describe } from 'vitest';
import { makeTensor } from '../../kernels/tensor.js';
import {
  type Act,
  type Case,
  defineOrtChecks,
  QdqBuilder,
  randomInput,
  rng,
  weightScales,
} from './fuse-qdq-cases.js';

interface Config {
  act: Act;
  perChannel: boolean;
  seed: number;
}

/** Conv (weights DQ'd, int32 bias DQ with scale sx * sw) followed by its output Q/DQ. */
function conv(
  b: QdqBuilder,
  x: { dq: string; scale: number },
  wDims: number[],
  attrs: Parameters<QdqBuilder['op']>[2],
  perChannel: boolean,
  out: { scale: number; zp: number },
) {
  const w = b.weight(wDims, perChannel);
  const bias = b.bias(
    wDims[0],
    weightScales(b, w).map((s) => Math.fround(x.scale * s)),
  );
  const y = b.qdq(b.op('Conv', [x.dq, w, bias], attrs), out.scale, out.zp);
  return { ...y, scale: out.scale };
}

function mobilenetBlock(cfg: Config): Case {
  const r = rng(cfg.seed);
  const b = new QdqBuilder(cfg.act, r);
  const sx = 4 / 255;
  const x = { ...b.qdq('x', sx, b.zp()), scale: sx };
  // Conv 3x3 stride 2 with its Relu folded: output zero point at the minimum.
  const c1 = conv(b, x, [8, 3, 3, 3], { pads: [1, 1, 1, 1], strides: [2, 2] }, cfg.perChannel, {
    scale: 0.06,
    zp: b.zp(true),
  });
  const dw = conv(b, c1, [8, 1, 3, 3], { pads: [1, 1, 1, 1], group: 8 }, cfg.perChannel, {
    scale: 0.08,
    zp: b.zp(),
  });
  // Clip(0, 6) whose input and output are both quantized: stays float between two DQ/Q pairs.
  const lo = b.const('lo', makeTensor('float32', [], [0]));
  const hi = b.const('hi', makeTensor('float32', [], [6]));
  const clip = { ...b.qdq(b.op('Clip', [dw.dq, lo, hi]), 6 / 255, b.zp(true)), scale: 6 / 255 };
  const pw = conv(b, clip, [8, 8, 1, 1], {}, cfg.perChannel, { scale: 0.1, zp: b.zp() });
  // Residual: c1's DQ also feeds the depthwise conv (one DQ, two consumers).
  const add = b.qdq(b.op('Add', [pw.dq, c1.dq]), 0.12, b.zp());
  const hs = b.qdq(
    b.op('HardSigmoid', [add.dq], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } }),
    1 / 255,
    b.zp(true),
  );
  const swish = b.qdq(b.op('Mul', [add.dq, hs.dq]), 0.07, b.zp());
  const gain = b.qdq(b.const('gain', randomInput(r, [1, 8, 1, 1], 1.5)), 1.5 / 127, b.zp());
  const scaled = b.qdq(b.op('Mul', [swish.dq, gain.dq]), 0.08, b.zp());
  const zMove = b.zp();
  const pool = b.qdq(b.op('MaxPool', [scaled.dq], { kernel_shape: [2, 2], strides: [2, 2] }), 0.08, zMove);
  const nhwc = b.qdq(b.op('Transpose', [pool.dq], { perm: [0, 2, 3, 1] }), 0.08, zMove);
  const nchw = b.qdq(b.op('Transpose', [nhwc.dq], { perm: [0, 3, 1, 2] }), 0.08, zMove);
  const gapZp = b.zp();
  const gap = b.qdq(b.op('GlobalAveragePool', [nchw.dq]), 0.05, gapZp);
  const flat = { ...b.qdq(b.op('Flatten', [gap.dq], { axis: 1 }), 0.05, gapZp), scale: 0.05 };
  const fcW = b.weight([10, 8], cfg.perChannel, 0);
  const fcBias = b.bias(
    10,
    weightScales(b, fcW).map((s) => Math.fround(flat.scale * s)),
  );
  const fc = b.qdq(b.op('Gemm', [flat.dq, fcW, fcBias], { transB: 1 }), 0.1, b.zp());
  b.nodes.push({ op: 'Identity', inputs: [fc.dq], outputs: ['y'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 3, 16, 16] }],
    [{ name: 'y', dtype: 'float32' }],
  );
  return {
    bytes,
    feeds: [1, 2, 3].map((k) => ({ x: randomInput(rng(cfg.seed * 10 + k), [1, 3, 16, 16], 2) })),
  };
}

// The 'disabled' check is bit-exact because the float GlobalAveragePool reference reproduces MLAS's
// summation (4 float32 lanes, (l0 + l2) + (l1 + l3), the tail in order, / count in float32): one
// flipped rounding before the Q would show here. See tests/unit/ort-float-exact.test.ts.
describe('MobileNet-like QDQ block (quantize_static layout) vs onnxruntime', () => {
  let seed = 40;
  for (const act of ['int8', 'uint8'] as const) {
    for (const perChannel of [true, false]) {
      const name = `mobilenet block act=${act} weights=${perChannel ? 'per-channel' : 'per-tensor'}`;
      defineOrtChecks(name, mobilenetBlock({ act, perChannel, seed: seed++ }));
    }
  }
});
