// Realistic CNNs like the ones users bring: a MobileNet v2/v3-like float32 network written the way
// PyTorch's exporter writes it (BatchNormalization not folded, Clip bounds as Constant nodes at
// opset 11+ or attributes at opset 10, Shape->Gather->Unsqueeze->Concat->Reshape chains for
// view()/flatten, HardSigmoid+Mul or the HardSwish op, channel shuffle through a 5-D Transpose),
// with seeded weights of realistic magnitude (He init) and running statistics that are not 0/1.
// The quantized forms (QOperator, QDQ) come from realistic-quantize.ts, built from the same network
// with BatchNorm folded (as quantize_static's pre-processing does) and MinMax calibration ranges.
import * as ort from 'onnxruntime-node';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from './onnx-builder.js';
import { QUIET } from './ort-quiet.js';

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Approximately standard normal (Irwin-Hall with 4 terms, scaled to unit variance). */
export function gauss(r: () => number): number {
  return (r() + r() + r() + r() - 2) * Math.sqrt(3);
}

/** A float graph in topological order, with the element type of every value it names. */
export interface FloatGraph {
  readonly opset: number;
  readonly input: { name: string; dims: number[] };
  readonly output: string;
  /** The classifier's logits (the output itself when there is no Softmax). */
  readonly logits: string;
  readonly nodes: NodeSpec[];
  readonly initializers: Record<string, Tensor>;
  readonly dtypes: Map<string, DType>;
}

export interface NetConfig {
  /** 10: Clip/Pad/Unsqueeze/Softmax in their attribute forms; 11-17: inputs. */
  opset: number;
  /** The HardSwish op (opset 14+) in the second inverted-residual block instead of HardSigmoid+Mul. */
  hardSwishOp?: boolean;
  /** BatchNorm folded into the convs (quantize_static's pre-processing); the float form keeps it. */
  foldBatchNorm?: boolean;
  /** 'gemm': Gemm after PyTorch's x.view(x.size(0), -1) chain; 'matmul': Flatten, MatMul, Add. */
  head?: 'gemm' | 'matmul';
  /** Input height = width (at least 32). */
  size?: number;
  classes?: number;
  /** Softmax at the end (default); without it the logits are the output. */
  softmax?: boolean;
  batch?: number;
  seed?: number;
}

class NetBuilder {
  readonly nodes: NodeSpec[] = [];
  readonly initializers: Record<string, Tensor> = {};
  readonly dtypes = new Map<string, DType>();
  private n = 0;
  constructor(
    readonly cfg: NetConfig,
    readonly r: () => number,
  ) {}

  private fresh(base: string): string {
    return `${base}_${this.n++}`;
  }

  node(op: string, inputs: string[], attrs?: NodeSpec['attrs'], dtype: DType = 'float32'): string {
    const out = this.fresh(op.toLowerCase());
    this.nodes.push({ op, inputs, outputs: [out], attrs, name: `${op}_${this.n}` });
    this.dtypes.set(out, dtype);
    return out;
  }

  init(base: string, t: Tensor): string {
    const name = this.fresh(base);
    this.initializers[name] = t;
    this.dtypes.set(name, t.dtype);
    return name;
  }

  /** A Constant node, as PyTorch emits for literals in forward(). */
  constant(t: Tensor): string {
    return this.node('Constant', [], { value: t }, t.dtype);
  }

  ints(values: number[], scalar = false): string {
    return this.constant(
      makeTensor('int64', scalar ? [] : [values.length], BigInt64Array.from(values.map(BigInt))),
    );
  }

  randn(dims: number[], std: number, mean = 0): Float32Array {
    const n = dims.reduce((a, b) => a * b, 1);
    return Float32Array.from({ length: n }, () => mean + std * gauss(this.r));
  }

  /** Conv (+ BatchNorm, folded or not). He-initialised weights; BN stats like a trained net. */
  conv(
    x: string,
    cin: number,
    cout: number,
    k: number,
    opts: { stride?: number; group?: number; pad?: number; bn?: boolean } = {},
  ): string {
    const group = opts.group ?? 1;
    const stride = opts.stride ?? 1;
    const pad = opts.pad ?? (k - 1) / 2;
    const fanIn = (cin / group) * k * k;
    const wDims = [cout, cin / group, k, k];
    const w = this.randn(wDims, Math.sqrt(2 / fanIn));
    const bn = opts.bn ?? true;
    let b = bn ? undefined : this.randn([cout], 0.05);
    const attrs = {
      kernel_shape: [k, k],
      strides: [stride, stride],
      pads: [pad, pad, pad, pad],
      group,
      dilations: [1, 1],
    };
    if (!bn)
      return this.node(
        'Conv',
        [
          x,
          this.init('w', makeTensor('float32', wDims, w)),
          this.init('b', makeTensor('float32', [cout], b!)),
        ],
        attrs,
      );
    const gamma = this.randn([cout], 0.2, 1);
    const beta = this.randn([cout], 0.1);
    const mean = this.randn([cout], 0.3);
    const variance = Float32Array.from({ length: cout }, () => 0.2 + 1.5 * this.r() ** 2);
    const eps = 1e-5;
    if (this.cfg.foldBatchNorm) {
      const per = w.length / cout;
      b = new Float32Array(cout);
      for (let o = 0; o < cout; o++) {
        const f = gamma[o] / Math.sqrt(variance[o] + eps);
        for (let i = 0; i < per; i++) w[o * per + i] *= f;
        b[o] = beta[o] - mean[o] * f;
      }
      return this.node(
        'Conv',
        [
          x,
          this.init('w', makeTensor('float32', wDims, w)),
          this.init('b', makeTensor('float32', [cout], b)),
        ],
        attrs,
      );
    }
    const y = this.node('Conv', [x, this.init('w', makeTensor('float32', wDims, w))], attrs);
    const t = (name: string, v: Float32Array) => this.init(name, makeTensor('float32', [cout], v));
    return this.node(
      'BatchNormalization',
      [y, t('gamma', gamma), t('beta', beta), t('mean', mean), t('var', variance)],
      { epsilon: { float: eps }, momentum: { float: 0.9 } },
    );
  }

  /** ReLU6: Clip(0, 6), bounds as Constant-node inputs (opset 11+) or attributes (opset 10). */
  relu6(x: string): string {
    if (this.cfg.opset < 11) return this.node('Clip', [x], { min: { float: 0 }, max: { float: 6 } });
    const lo = this.constant(makeTensor('float32', [], [0]));
    const hi = this.constant(makeTensor('float32', [], [6]));
    return this.node('Clip', [x, lo, hi]);
  }

  hardSigmoid(x: string): string {
    return this.node('HardSigmoid', [x], { alpha: { float: 1 / 6 }, beta: { float: 0.5 } });
  }

  hardSwish(x: string, op: boolean): string {
    return op ? this.node('HardSwish', [x]) : this.node('Mul', [x, this.hardSigmoid(x)]);
  }

  unsqueeze0(x: string): string {
    if (this.cfg.opset < 13) return this.node('Unsqueeze', [x], { axes: [0] }, 'int64');
    return this.node('Unsqueeze', [x, this.ints([0])], undefined, 'int64');
  }

  /** x.size(i) as PyTorch traces it: Shape -> Gather(scalar index) -> Unsqueeze (1-D for Concat). */
  size(x: string, i: number): string {
    const shape = this.node('Shape', [x], undefined, 'int64');
    return this.unsqueeze0(this.node('Gather', [shape, this.ints([i], true)], { axis: 0 }, 'int64'));
  }

  /** x.view(parts...) where a part is a dim of x (number index) or a literal ({v}). */
  view(x: string, parts: Array<number | { v: number }>): string {
    const pieces = parts.map((p) => (typeof p === 'number' ? this.size(x, p) : this.ints([p.v])));
    const shape = this.node('Concat', pieces, { axis: 0 }, 'int64');
    return this.node('Reshape', [x, shape]);
  }

  /** ShuffleNet's channel shuffle: view(n, g, c/g, h, w) -> transpose(1, 2) -> view(n, -1, h, w). */
  channelShuffle(x: string, c: number, groups: number): string {
    const v = this.view(x, [0, { v: groups }, { v: c / groups }, 2, 3]);
    const t = this.node('Transpose', [v], { perm: [0, 2, 1, 3, 4] });
    return this.view(t, [0, { v: -1 }, 3, 4]);
  }

  /** Zero padding on the bottom/right (TF "same" for a stride-2 conv), Pad's form by opset. */
  padBottomRight(x: string): string {
    const pads = [0, 0, 0, 0, 0, 0, 1, 1];
    if (this.cfg.opset < 11) return this.node('Pad', [x], { pads, mode: 'constant', value: { float: 0 } });
    return this.node('Pad', [x, this.ints(pads)], { mode: 'constant' });
  }

  /** Squeeze-and-excitation (MobileNetV3): mean over H, W -> 1x1 -> Relu -> 1x1 -> HardSigmoid gate. */
  squeezeExcite(x: string, c: number, squeeze: number): string {
    const pooled = this.node('ReduceMean', [x], { axes: [2, 3], keepdims: 1 });
    const s = this.node('Relu', [this.conv(pooled, c, squeeze, 1, { bn: false })]);
    const gate = this.hardSigmoid(this.conv(s, squeeze, c, 1, { bn: false }));
    return this.node('Mul', [x, gate]);
  }

  linear(x: string, cin: number, cout: number): string {
    const bound = 1 / Math.sqrt(cin);
    const uniform = (n: number) => Float32Array.from({ length: n }, () => (this.r() * 2 - 1) * bound);
    if (this.cfg.head === 'matmul') {
      const w = this.init('fc_w', makeTensor('float32', [cin, cout], uniform(cin * cout)));
      const y = this.node('MatMul', [this.node('Flatten', [x], { axis: 1 }), w]);
      return this.node('Add', [y, this.init('fc_b', makeTensor('float32', [cout], uniform(cout)))]);
    }
    const flat = this.view(x, [0, { v: -1 }]);
    const w = this.init('fc_w', makeTensor('float32', [cout, cin], uniform(cin * cout)));
    const b = this.init('fc_b', makeTensor('float32', [cout], uniform(cout)));
    return this.node('Gemm', [flat, w, b], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  }
}

/**
 * The network (input 1x3xSxS):
 *   stem Conv 3x3 s2 + BN + ReLU6
 *   block 1: depthwise 3x3 + BN + ReLU6, 1x1 + BN, residual Add
 *   block 2: 1x1 expand + BN + ReLU6, Pad(bottom/right) + depthwise 3x3 s2 + BN + ReLU6, 1x1 + BN
 *   block 3 (V3): 1x1 + BN + hswish(HardSigmoid*x), depthwise + BN + hswish (op at opset 14+),
 *            SE (ReduceMean, 1x1, Relu, 1x1, HardSigmoid, Mul), 1x1 + BN, residual Add
 *   channel shuffle (Shape chains, 5-D Transpose)
 *   two branches concatenated: 1x1 + BN + LeakyRelu | AveragePool 3x3 + 1x1 + BN + x*Sigmoid(x)
 *   1x1 + BN + ReLU6, MaxPool 2x2, GlobalAveragePool, view/Gemm or Flatten/MatMul/Add, Softmax
 */
export function mobilenetLike(cfg: NetConfig): FloatGraph {
  const b = new NetBuilder(cfg, rng(cfg.seed ?? 1));
  const size = cfg.size ?? 96;
  const input = { name: 'input', dims: [cfg.batch ?? 1, 3, size, size] };
  b.dtypes.set('input', 'float32');
  const stem = b.relu6(b.conv('input', 3, 16, 3, { stride: 2 }));
  const dw1 = b.relu6(b.conv(stem, 16, 16, 3, { group: 16 }));
  const b1 = b.node('Add', [b.conv(dw1, 16, 16, 1), stem]);
  const ex2 = b.relu6(b.conv(b1, 16, 48, 1));
  const dw2 = b.relu6(b.conv(b.padBottomRight(ex2), 48, 48, 3, { stride: 2, group: 48, pad: 0 }));
  const b2 = b.conv(dw2, 48, 24, 1);
  const ex3 = b.hardSwish(b.conv(b2, 24, 72, 1), false);
  const dw3 = b.hardSwish(b.conv(ex3, 72, 72, 3, { group: 72 }), cfg.hardSwishOp === true);
  const b3 = b.node('Add', [b.conv(b.squeezeExcite(dw3, 72, 24), 72, 24, 1), b2]);
  const shuffled = b.channelShuffle(b3, 24, 2);
  const left = b.node('LeakyRelu', [b.conv(shuffled, 24, 16, 1)], { alpha: { float: 0.1 } });
  const avg = b.node('AveragePool', [shuffled], {
    kernel_shape: [3, 3],
    strides: [1, 1],
    pads: [1, 1, 1, 1],
    count_include_pad: 0,
  });
  const rightPre = b.conv(avg, 24, 16, 1);
  const right = b.node('Mul', [rightPre, b.node('Sigmoid', [rightPre])]);
  const cat = b.node('Concat', [left, right], { axis: 1 });
  const last = b.relu6(b.conv(cat, 32, 64, 1));
  const pooled = b.node('GlobalAveragePool', [
    b.node('MaxPool', [last], { kernel_shape: [2, 2], strides: [2, 2] }),
  ]);
  const logits = b.linear(pooled, 64, cfg.classes ?? 10);
  const output = cfg.softmax === false ? logits : b.node('Softmax', [logits], { axis: 1 });
  return {
    opset: cfg.opset,
    input,
    output,
    logits,
    nodes: b.nodes,
    initializers: b.initializers,
    dtypes: b.dtypes,
  };
}

export function floatModelBytes(g: FloatGraph, extraOutputs: string[] = []): Uint8Array {
  return buildModel({
    opset: g.opset,
    inputs: [{ name: g.input.name, dtype: 'float32', dims: g.input.dims }],
    outputs: [g.output, ...extraOutputs].map((name) => ({ name, dtype: g.dtypes.get(name)! })),
    nodes: g.nodes,
    initializers: g.initializers,
  });
}

/** A normalised image-like input: per-channel offsets, smooth structure plus noise. */
export function imageInput(dims: number[], seed: number): Tensor {
  const r = rng(seed);
  const [n, c, h, w] = dims;
  const data = new Float32Array(n * c * h * w);
  const fx = 1 + 4 * r();
  const fy = 1 + 4 * r();
  for (let i = 0; i < data.length; i++) {
    const ch = Math.floor(i / (h * w)) % c;
    const y = Math.floor(i / w) % h;
    const x = i % w;
    const smooth = Math.sin((fx * x) / w + ch) * Math.cos((fy * y) / h - ch);
    data[i] = 0.8 * smooth + 0.5 * gauss(r) + 0.2 * (ch - 1);
  }
  return makeTensor('float32', dims, data);
}

/**
 * MinMax calibration as onnxruntime's quantizer does it: every float value a node produces (and the
 * model input) becomes a model output, the model runs on each calibration input, and each value's
 * range is the min and max over all runs.
 */
export async function calibrate(g: FloatGraph, inputs: Tensor[]): Promise<Map<string, [number, number]>> {
  const values = [
    ...new Set(
      g.nodes
        .filter((n) => n.op !== 'Constant')
        .flatMap((n) => n.outputs)
        .filter((o) => g.dtypes.get(o) === 'float32' && o !== g.output),
    ),
  ];
  const session = await ort.InferenceSession.create(floatModelBytes(g, values), {
    ...QUIET,
    graphOptimizationLevel: 'disabled',
  });
  const ranges = new Map<string, [number, number]>();
  try {
    for (const x of inputs) {
      const out = await session.run({
        [g.input.name]: new ort.Tensor('float32', x.data as Float32Array, [...x.dims]),
      });
      const seen: Array<[string, ArrayLike<number>]> = [[g.input.name, x.data as Float32Array]];
      for (const [k, v] of Object.entries(out)) seen.push([k, v.data as Float32Array]);
      for (const [k, data] of seen) {
        let [lo, hi] = ranges.get(k) ?? [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
        for (let i = 0; i < data.length; i++) {
          if (data[i] < lo) lo = data[i];
          if (data[i] > hi) hi = data[i];
        }
        ranges.set(k, [lo, hi]);
      }
    }
  } finally {
    await session.release();
  }
  return ranges;
}
