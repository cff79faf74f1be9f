// A MobileNetV2-shaped float model for the benchmark, written with our own encoder: the torchvision
// layout (stem 3x3 s2, 17 inverted-residual blocks of 1x1 expand / 3x3 depthwise / 1x1 project with
// ReLU6 = Clip(0, 6) and residual Adds, a 1x1 to 1280, GlobalAveragePool, Flatten, Gemm to 1000),
// BatchNorm already folded as quantize_static's pre-processing leaves it: 52 convs, 17 depthwise.
// Weights are seeded He-initialised values, so activations keep a realistic scale through the net.
import { encodeModel } from '../app/model/encode.js';
import type { AttrValue, GraphNode, Model } from '../app/model/ir.js';
import { makeTensor, type Tensor } from '../kernels/tensor.js';

/** (expansion t, channels c, repeats n, first stride s), as in the MobileNetV2 paper. */
const BLOCKS: ReadonlyArray<readonly [number, number, number, number]> = [
  [1, 16, 1, 1],
  [6, 24, 2, 2],
  [6, 32, 3, 2],
  [6, 64, 4, 2],
  [6, 96, 3, 1],
  [6, 160, 3, 2],
  [6, 320, 1, 1],
];

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface BenchModel {
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly input: string;
  readonly dims: readonly number[];
  readonly convs: number;
}

export function mobilenetV2(size = 128, seed = 7): BenchModel {
  const r = rng(seed);
  const gauss = () => (r() + r() + r() + r() - 2) * Math.sqrt(3);
  const nodes: GraphNode[] = [];
  const initializers = new Map<string, Tensor>();
  let n = 0;
  let convs = 0;
  const ints = (value: number[]): AttrValue => ({ kind: 'ints', value });
  const init = (base: string, t: Tensor) => {
    const name = `${base}_${n++}`;
    initializers.set(name, t);
    return name;
  };
  const node = (opType: string, inputs: string[], attributes: Record<string, AttrValue> = {}) => {
    const out = `${opType.toLowerCase()}_${n++}`;
    nodes.push({ name: `${opType}_${n}`, opType, domain: '', inputs, outputs: [out], attributes });
    return out;
  };
  const lo = init('clip_min', makeTensor('float32', [], [0]));
  const hi = init('clip_max', makeTensor('float32', [], [6]));
  const relu6 = (x: string) => node('Clip', [x, lo, hi]);
  const conv = (x: string, cin: number, cout: number, k: number, stride = 1, group = 1) => {
    const fanIn = (cin / group) * k * k;
    const count = cout * fanIn;
    const w = Float32Array.from({ length: count }, () => gauss() * Math.sqrt(2 / fanIn));
    const b = Float32Array.from({ length: cout }, () => gauss() * 0.05);
    convs++;
    const pad = (k - 1) >> 1;
    return node(
      'Conv',
      [
        x,
        init('w', makeTensor('float32', [cout, cin / group, k, k], w)),
        init('b', makeTensor('float32', [cout], b)),
      ],
      {
        kernel_shape: ints([k, k]),
        strides: ints([stride, stride]),
        pads: ints([pad, pad, pad, pad]),
        group: { kind: 'int', value: group },
      },
    );
  };
  let x = relu6(conv('input', 3, 32, 3, 2));
  let cin = 32;
  for (const [t, c, repeats, s] of BLOCKS) {
    for (let i = 0; i < repeats; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      let y = t === 1 ? x : relu6(conv(x, cin, hidden, 1));
      y = relu6(conv(y, hidden, hidden, 3, stride, hidden));
      y = conv(y, hidden, c, 1);
      x = stride === 1 && cin === c ? node('Add', [y, x]) : y;
      cin = c;
    }
  }
  x = relu6(conv(x, cin, 1280, 1));
  const pooled = node('Flatten', [node('GlobalAveragePool', [x])], { axis: { kind: 'int', value: 1 } });
  const fc = Float32Array.from({ length: 1000 * 1280 }, () => gauss() * Math.sqrt(1 / 1280));
  const logits = node(
    'Gemm',
    [
      pooled,
      init('fc_w', makeTensor('float32', [1000, 1280], fc)),
      init('fc_b', makeTensor('float32', [1000], new Float32Array(1000))),
    ],
    { transB: { kind: 'int', value: 1 } },
  );
  const dims = [1, 3, size, size];
  const model: Model = {
    irVersion: 8,
    producerName: 'qplay-bench',
    producerVersion: '0.1.0',
    domain: '',
    modelVersion: 1,
    docString: '',
    opsets: [{ domain: '', version: 13 }],
    metadata: {},
    graph: {
      name: 'mobilenet_v2',
      nodes,
      inputs: [{ name: 'input', dtype: 'float32', dims }],
      outputs: [{ name: logits, dtype: 'float32', dims: [1, 1000] }],
      initializers,
      valueInfo: new Map(),
    },
  };
  return { name: `MobileNetV2-like ${size}x${size}`, bytes: encodeModel(model), input: 'input', dims, convs };
}
