// Quantizes a FloatGraph (realistic-models.ts) the way onnxruntime.quantization.quantize_static
// writes its two formats, from MinMax calibration ranges:
//   QOperator: QuantizeLinear -> QLinearConv / QLinearAdd / QLinearMul / QLinearGlobalAveragePool /
//     QLinearAveragePool / QLinearConcat / QLinearSigmoid / QLinearLeakyRelu / QGemm or
//     QLinearMatMul (com.microsoft where onnxruntime puts them); MaxPool/Reshape/Transpose/Flatten/Pad
//     run on the 8-bit tensor with the input's parameters; ops it does not quantize (HardSigmoid,
//     HardSwish, ReduceMean, Softmax, Shape) read a DequantizeLinear; uint8 activations.
//   QDQ: a Q/DQ pair on every activation a quantizable op reads or writes, weights int8 behind a
//     DQ (per channel: axis 0 for Conv and transB Gemm, axis 1 for MatMul), int32 bias DQ with scale
//     sx*sw; int8 activations by default.
// Both remove a Relu/Clip that follows a quantized op (its output range becomes the op's).
// Scale/zero point: kernels/quant-math computeScaleZeroPoint; weights symmetric int8 [-127, 127]
// or asymmetric uint8; bias int32 = round(b / f32(sx * sw)).
import { computeScaleZeroPoint, quantizeValue, roundHalfEven } from '../../kernels/quant-math/quant-math.js';
import { type DType, makeTensor, type Tensor } from '../../kernels/tensor.js';
import { buildModel, type NodeSpec } from './onnx-builder.js';
import type { FloatGraph } from './realistic-models.js';

export type Ranges = Map<string, [number, number]>;

export interface QuantConfig {
  format: 'qoperator' | 'qdq';
  activation: 'uint8' | 'int8';
  /** int8 weights are symmetric ([-127, 127], zero point 0), uint8 ones asymmetric. */
  weights: 'int8-per-channel' | 'int8-per-tensor' | 'uint8-per-tensor';
  /** ActivationSymmetric=True: zero point at the middle of the range; QDQ then keeps Relu/Clip. */
  activationSymmetric?: boolean;
  /** QOperator only: Softmax as com.microsoft QLinearSoftmax (else it reads a DequantizeLinear). */
  quantizeSoftmax?: boolean;
  /** Also output the 8-bit logits (QOperator: the QGemm/QLinearAdd output; QDQ: the Q output). */
  quantizedLogitsOutput?: boolean;
}

/** Ops the quantizer handles (others stay float and read a DequantizeLinear). */
const QUANTIZED = new Set([
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'GlobalAveragePool',
  'AveragePool',
  'MaxPool',
  'Concat',
  'Sigmoid',
  'LeakyRelu',
  'Reshape',
  'Transpose',
  'Flatten',
  'Pad',
  'Softmax',
]);
/** Ops whose output keeps the input's quantization parameters. */
const SAME_AS_INPUT = new Set(['MaxPool', 'Reshape', 'Transpose', 'Flatten', 'Pad']);
/** Activation inputs of each quantized op (the rest are weights, bias, shapes, pads). */
function activationInputs(n: NodeSpec): number[] {
  if (n.op === 'Add' || n.op === 'Mul' || n.op === 'Concat') return n.inputs.map((_, i) => i);
  return [0];
}

function isQuantized(g: FloatGraph, n: NodeSpec, cfg: QuantConfig): boolean {
  // Kept float, as with op_types_to_quantize without it.
  if (cfg.format === 'qoperator' && n.op === 'Softmax' && !cfg.quantizeSoftmax) return false;
  return QUANTIZED.has(n.op) && g.dtypes.get(n.outputs[0]) === 'float32';
}

/** Relu/Clip after a quantized op whose output feeds only it: removed, its range kept. */
function removeActivations(g: FloatGraph, cfg: QuantConfig): NodeSpec[] {
  const consumers = (t: string) => g.nodes.filter((n) => n.inputs.includes(t)).length;
  const removable = !(cfg.format === 'qdq' && cfg.activationSymmetric);
  const rename = new Map<string, string>();
  const kept: NodeSpec[] = [];
  for (const n of g.nodes) {
    const producer = g.nodes.find((p) => p.outputs[0] === n.inputs[0]);
    if (
      removable &&
      (n.op === 'Relu' || n.op === 'Clip') &&
      producer &&
      isQuantized(g, producer, cfg) &&
      consumers(n.inputs[0]) === 1 &&
      n.inputs[0] !== g.output
    ) {
      rename.set(n.inputs[0], n.outputs[0]);
      continue;
    }
    kept.push(n);
  }
  const used = new Set(kept.flatMap((n) => n.inputs));
  return kept
    .map((n) => ({ ...n, outputs: n.outputs.map((o) => rename.get(o) ?? o) }))
    .filter((n) => n.op !== 'Constant' || used.has(n.outputs[0]));
}

class Emitter {
  readonly nodes: NodeSpec[] = [];
  /** float value -> its 8-bit form (QuantizeLinear output, or the QOperator op's output). */
  readonly quantized = new Map<string, string>();
  readonly initializers: Record<string, Tensor> = {};
  private k = 0;
  constructor(
    readonly g: FloatGraph,
    readonly ranges: Ranges,
    readonly cfg: QuantConfig,
  ) {
    Object.assign(this.initializers, g.initializers);
  }

  name(base: string): string {
    return `${base}__q${this.k++}`;
  }

  init(base: string, t: Tensor): string {
    const name = this.name(base);
    this.initializers[name] = t;
    return name;
  }

  node(op: string, inputs: string[], outputs: string[], attrs?: NodeSpec['attrs'], domain?: string): void {
    this.nodes.push({ op, inputs, outputs, attrs, domain, name: this.name(op) });
  }

  private params = new Map<string, { s: string; z: string; scale: number; zp: number }>();

  /** An activation's (scale, zero point) initializers from its calibration range. */
  actParams(t: string) {
    let p = this.params.get(t);
    if (!p) {
      const [lo, hi] = this.ranges.get(t) ?? fail(`no range for ${t}`);
      const sym = this.cfg.activationSymmetric === true;
      const [qmin, qmax] = this.cfg.activation === 'uint8' ? [0, 255] : [sym ? -127 : -128, 127];
      const { scale, zeroPoint } = computeScaleZeroPoint(lo, hi, qmin, qmax, sym);
      p = {
        s: this.init(`${t}_scale`, makeTensor('float32', [], [scale])),
        z: this.init(`${t}_zp`, makeTensor(this.cfg.activation, [], [zeroPoint])),
        scale,
        zp: zeroPoint,
      };
      this.params.set(t, p);
    }
    return p;
  }

  shareParams(out: string, input: string): void {
    this.params.set(out, this.actParams(input));
  }

  /** A float weight quantized per channel along `axis` (symmetric int8) or per tensor. */
  weight(name: string, axis: number, perChannel = this.cfg.weights === 'int8-per-channel') {
    const w = this.g.initializers[name];
    const data = w.data as Float32Array;
    const channels = perChannel ? w.dims[axis] : 1;
    const inner = perChannel ? w.dims.slice(axis + 1).reduce((a, b) => a * b, 1) : data.length;
    const int8 = this.cfg.weights !== 'uint8-per-tensor';
    const [qmin, qmax] = int8 ? [-127, 127] : [0, 255];
    const scales: number[] = [];
    const zps: number[] = [];
    const q = new Array<number>(data.length);
    for (let c = 0; c < channels; c++) {
      let lo = 0;
      let hi = 0;
      const idx: number[] = [];
      for (let i = 0; i < data.length; i++) if (Math.floor(i / inner) % channels === c) idx.push(i);
      for (const i of idx) {
        lo = Math.min(lo, data[i]);
        hi = Math.max(hi, data[i]);
      }
      const { scale, zeroPoint } = computeScaleZeroPoint(lo, hi, qmin, qmax, int8);
      for (const i of idx) q[i] = quantizeValue(data[i], scale, zeroPoint, qmin, qmax);
      scales.push(scale);
      zps.push(zeroPoint);
    }
    const dtype: DType = int8 ? 'int8' : 'uint8';
    const sDims = perChannel ? [channels] : [];
    return {
      q: this.init(`${name}_q`, makeTensor(dtype, [...w.dims], q)),
      s: this.init(`${name}_scale`, makeTensor('float32', sDims, scales)),
      z: this.init(`${name}_zp`, makeTensor(dtype, sDims, zps)),
      scales,
      perChannel,
    };
  }

  /** int32 bias = round(b / f32(sx * sw[c])), as quantize_bias_static does. */
  bias(name: string, sx: number, sw: number[]) {
    const b = this.g.initializers[name].data as Float32Array;
    const scales = Array.from(b, (_, i) => Math.fround(sx * sw[sw.length === 1 ? 0 : i]));
    const q = Array.from(b, (v, i) => roundHalfEven(Math.fround(v / scales[i])));
    return { q: this.init(`${name}_q`, makeTensor('int32', [b.length], q)), scales };
  }
}

function fail(msg: string): never {
  throw new Error(msg);
}

/** QOperator format. */
function quantizeQOperator(g: FloatGraph, ranges: Ranges, cfg: QuantConfig): Emitter {
  const e = new Emitter(g, ranges, cfg);
  const quant = e.quantized;
  const float = new Map<string, string>([[g.input.name, g.input.name]]);
  const q = (t: string) => {
    let name = quant.get(t);
    if (!name) {
      const p = e.actParams(t);
      name = e.name(`${t}_quantized`);
      e.node('QuantizeLinear', [float.get(t) ?? fail(`no float ${t}`), p.s, p.z], [name]);
      quant.set(t, name);
    }
    const p = e.actParams(t);
    return [name, p.s, p.z];
  };
  const f = (t: string, as?: string) => {
    let name = float.get(t);
    if (!name) {
      const p = e.actParams(t);
      name = as ?? e.name(`${t}_dequantized`);
      e.node('DequantizeLinear', [quant.get(t) ?? fail(`no value ${t}`), p.s, p.z], [name]);
      float.set(t, name);
    }
    return name;
  };
  const isInit = (t: string) => t in g.initializers;
  for (const n of removeActivations(g, cfg)) {
    const out = n.outputs[0];
    const yq = e.name(`${out}_quantized`);
    if (!isQuantized(g, n, cfg)) {
      const inputs = n.inputs.map((t) => (g.dtypes.get(t) === 'float32' && !isInit(t) ? f(t) : t));
      e.node(n.op, inputs, n.outputs, n.attrs, n.domain);
      for (const o of n.outputs) float.set(o, o);
      continue;
    }
    if (SAME_AS_INPUT.has(n.op)) e.shareParams(out, n.inputs[0]);
    const y = () => [e.actParams(out).s, e.actParams(out).z];
    const ms = 'com.microsoft';
    const x = q(n.inputs[0]);
    const sx = e.actParams(n.inputs[0]).scale;
    if (n.op === 'Conv' || n.op === 'Gemm') {
      const w = e.weight(n.inputs[1], 0);
      const b = e.bias(n.inputs[2], sx, w.scales);
      if (n.op === 'Conv') e.node('QLinearConv', [...x, w.q, w.s, w.z, ...y(), b.q], [yq], n.attrs);
      else e.node('QGemm', [...x, w.q, w.s, w.z, b.q, ...y()], [yq], { alpha: { float: 1 }, transB: 1 }, ms);
    } else if (n.op === 'MatMul') {
      const w = e.weight(n.inputs[1], 1, false);
      e.node('QLinearMatMul', [...x, w.q, w.s, w.z, ...y()], [yq]);
    } else if (n.op === 'Add' || n.op === 'Mul') {
      const other = isInit(n.inputs[1]) ? activationInitializer(e, n.inputs[1]) : q(n.inputs[1]);
      e.node(`QLinear${n.op}`, [...x, ...other, ...y()], [yq], undefined, ms);
    } else if (n.op === 'GlobalAveragePool') {
      e.node('QLinearGlobalAveragePool', [...x, ...y()], [yq], { channels_last: 0 }, ms);
    } else if (n.op === 'Softmax') {
      e.node('QLinearSoftmax', [...x, ...y()], [yq], { axis: 1, opset: g.opset }, ms);
    } else if (n.op === 'AveragePool' || n.op === 'Sigmoid' || n.op === 'LeakyRelu') {
      e.node(`QLinear${n.op}`, [...x, ...y()], [yq], n.attrs, ms);
    } else if (n.op === 'Concat') {
      e.node('QLinearConcat', [...y(), ...x, ...n.inputs.slice(1).flatMap(q)], [yq], n.attrs, ms);
    } else if (n.op === 'Pad') {
      // Constant padding pads with the zero point (the quantized 0.0).
      const zp = e.actParams(n.inputs[0]).z;
      if (g.opset < 11)
        e.node('Pad', [x[0]], [yq], { ...n.attrs, value: { float: e.actParams(n.inputs[0]).zp } });
      else e.node('Pad', [x[0], n.inputs[1], zp], [yq], n.attrs);
    } else {
      e.node(n.op, [x[0], ...n.inputs.slice(1)], [yq], n.attrs); // MaxPool, Reshape, Transpose, Flatten
    }
    quant.set(out, yq);
  }
  if (!float.has(g.output)) f(g.output, g.output);
  return e;
}

/** An Add/Mul initializer operand: quantized like an activation (asymmetric, activation type). */
function activationInitializer(e: Emitter, name: string): string[] {
  const t = e.g.initializers[name];
  const data = t.data as Float32Array;
  e.ranges.set(name, [Math.min(0, ...data), Math.max(0, ...data)]);
  const p = e.actParams(name);
  const [qmin, qmax] = e.cfg.activation === 'uint8' ? [0, 255] : [-128, 127];
  const q = Array.from(data, (v) => quantizeValue(v, p.scale, p.zp, qmin, qmax));
  return [e.init(`${name}_q`, makeTensor(e.cfg.activation, [...t.dims], q)), p.s, p.z];
}

/** QDQ format. */
function quantizeQdq(g: FloatGraph, ranges: Ranges, cfg: QuantConfig): Emitter {
  const e = new Emitter(g, ranges, cfg);
  const nodes = removeActivations(g, cfg);
  const qdqTensors = new Set<string>();
  for (const n of nodes) {
    if (!isQuantized(g, n, cfg)) continue;
    for (const i of activationInputs(n)) if (!(n.inputs[i] in g.initializers)) qdqTensors.add(n.inputs[i]);
    qdqTensors.add(n.outputs[0]);
    if (SAME_AS_INPUT.has(n.op)) e.shareParams(n.outputs[0], n.inputs[0]);
  }
  const dq = new Map<string, string>();
  const addQdq = (t: string, produced: string) => {
    const p = e.actParams(t);
    const qName = e.name(`${t}_QuantizeLinear_Output`);
    const dqName = t === g.output ? t : e.name(`${t}_DequantizeLinear_Output`);
    e.node('QuantizeLinear', [produced, p.s, p.z], [qName]);
    e.quantized.set(t, qName);
    e.node('DequantizeLinear', [qName, p.s, p.z], [dqName]);
    dq.set(t, dqName);
  };
  const wdq = (w: ReturnType<Emitter['weight']>, axis: number) => {
    const out = e.name('weight_dq');
    e.node('DequantizeLinear', [w.q, w.s, w.z], [out], w.perChannel ? { axis } : undefined);
    return out;
  };
  if (qdqTensors.has(g.input.name)) addQdq(g.input.name, g.input.name);
  for (const n of nodes) {
    const inputs = n.inputs.map((t) => dq.get(t) ?? t);
    if (isQuantized(g, n, cfg)) {
      const sx = e.actParams(n.inputs[0]).scale;
      if (n.op === 'Conv' || n.op === 'Gemm' || n.op === 'MatMul') {
        const axis = n.op === 'MatMul' ? 1 : 0;
        const w = e.weight(n.inputs[1], axis);
        inputs[1] = wdq(w, axis);
        if (n.inputs[2]) {
          const b = e.bias(n.inputs[2], sx, w.scales);
          const bs = e.init(
            'bias_scale',
            makeTensor(
              'float32',
              b.scales.length > 1 && w.perChannel ? [b.scales.length] : [],
              w.perChannel ? b.scales : [b.scales[0]],
            ),
          );
          inputs[2] = e.name('bias_dq');
          e.node('DequantizeLinear', [b.q, bs], [inputs[2]], w.perChannel ? { axis: 0 } : undefined);
        }
      } else if ((n.op === 'Add' || n.op === 'Mul') && n.inputs[1] in g.initializers) {
        // A constant operand is a weight to quantize_static: symmetric int8 per tensor.
        inputs[1] = wdq(e.weight(n.inputs[1], 0, false), 0);
      }
    }
    const out = n.outputs[0];
    const produced = qdqTensors.has(out) && out === g.output ? `${out}_float` : out;
    e.node(n.op, inputs, [produced, ...n.outputs.slice(1)], n.attrs, n.domain);
    if (qdqTensors.has(out)) addQdq(out, produced);
  }
  return e;
}

/** The quantized model's bytes. */
export function quantizeModel(g: FloatGraph, ranges: Ranges, cfg: QuantConfig): Uint8Array {
  const ranged: Ranges = new Map(ranges);
  const e = cfg.format === 'qdq' ? quantizeQdq(g, ranged, cfg) : quantizeQOperator(g, ranged, cfg);
  // Drop float initializers nothing reads any more (the quantized weights replaced them).
  const used = new Set(e.nodes.flatMap((n) => n.inputs));
  const initializers = Object.fromEntries(Object.entries(e.initializers).filter(([k]) => used.has(k)));
  return buildModel({
    opset: g.opset,
    msOpset: 1,
    inputs: [{ name: g.input.name, dtype: 'float32', dims: g.input.dims }],
    outputs: [
      { name: g.output, dtype: 'float32' },
      ...(cfg.quantizedLogitsOutput
        ? [{ name: e.quantized.get(g.logits) ?? fail('logits not quantized'), dtype: cfg.activation }]
        : []),
    ],
    nodes: e.nodes,
    initializers,
  });
}
