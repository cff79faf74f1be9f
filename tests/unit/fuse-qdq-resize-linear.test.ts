// A QDQ model with a bilinear Resize after a quantized Conv, at the Conv's scale and zero point:
// onnxruntime 1.30 keeps the linear Resize float between its Q/DQ pair (only nearest runs on 8
// bits), and so does the --integer fusion; with the float32 bilinear sums in onnxruntime's order
// the requantized output equals onnxruntime-node ('all') bit for bit, for uint8 and int8
// activations and several coordinate modes. (The fusion used to drop the Q/DQ pair and then fail
// on an 8-bit linear Resize.)
import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuInterpreter } from '../../app/exec/cpu/interpreter.js';
import { hostIntegerAccumulation } from '../../app/exec/host-integer-accumulation.js';
import { decodeModel } from '../../app/model/decode.js';
import { fuseQdqForIntegerExecution } from '../../app/quant/fuse-qdq.js';
import { makeTensor } from '../../kernels/tensor.js';
import { type Act, QdqBuilder, randomInput, rng, runOrt, weightScales } from './fuse-qdq-cases.js';

// The QLinearConv before the Resize sums as onnxruntime does on this host (pairwise u8s8 or not).
const HOST = hostIntegerAccumulation(
  existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : undefined,
);

function resizeNet(act: Act, ctm: string, scales: number[], seed: number) {
  const b = new QdqBuilder(act, rng(seed));
  const sx = 4 / 255;
  const x = b.qdq('x', sx, b.zp());
  const w = b.weight([4, 3, 3, 3], true);
  const bias = b.bias(
    4,
    weightScales(b, w).map((s) => Math.fround(sx * s)),
  );
  const zc = b.zp();
  const conv = b.qdq(b.op('Conv', [x.dq, w, bias], { pads: [1, 1, 1, 1] }), 0.05, zc);
  const up = b.qdq(
    b.op('Resize', [conv.dq, '', b.const('scales', makeTensor('float32', [4], scales))], {
      mode: 'linear',
      coordinate_transformation_mode: ctm,
    }),
    0.05,
    zc,
  );
  b.nodes.push({ op: 'Identity', inputs: [up.dq], outputs: ['y'] });
  const bytes = b.model(
    [{ name: 'x', dtype: 'float32', dims: [1, 3, 9, 11] }],
    [{ name: 'y', dtype: 'float32' }],
  );
  return { bytes, x: randomInput(rng(seed * 7), [1, 3, 9, 11], 2) };
}

describe('QDQ bilinear Resize under --integer = onnxruntime', () => {
  for (const act of ['uint8', 'int8'] as const)
    for (const [ctm, scales] of [
      ['half_pixel', [1, 1, 2, 2]],
      ['align_corners', [1, 1, 1.5, 0.7]],
      ['asymmetric', [1, 1, 3, 2.5]],
    ] as const)
      it(`${act}, ${ctm}, scales [${scales}]`, async () => {
        const net = resizeNet(act, ctm, [...scales], act.length + ctm.length);
        const model = fuseQdqForIntegerExecution(decodeModel(net.bytes));
        const resize = model.graph.nodes.find((n) => n.opType === 'Resize')!;
        const cpu = new CpuInterpreter(model, { integerAccumulation: HOST }).runSync(
          new Map([['x', net.x]]),
          {
            outputs: ['y', resize.outputs[0]],
          },
        );
        expect(cpu.get(resize.outputs[0])!.dtype).toBe('float32');
        const ort = await runOrt(net.bytes, { x: net.x }, 'all');
        expect(Array.from(cpu.get('y')!.data as Float32Array)).toEqual(
          Array.from(ort.y.data as Float32Array),
        );
      });
});
