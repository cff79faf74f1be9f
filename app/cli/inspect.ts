// `qplay inspect MODEL [--json]`: what a model is, what it needs and whether we can run it.
// MINIMAL: app/model/summary.ts (summarizeModel, with shape inference) is being written by
// another engineer; until it lands this file computes the few facts it prints itself.
import { sizeOf } from '../../kernels/tensor.js';
import { isCpuSupported } from '../exec/cpu/interpreter.js';
import { findUnsupported, type UnsupportedOp } from '../exec/support.js';
import type { Model, ValueInfo } from '../model/ir.js';

export interface TensorFacts {
  readonly name: string;
  readonly dtype: string | null; // null: not declared by the model
  readonly shape: ReadonlyArray<number | string> | null; // null: rank unknown
}

export interface ModelFacts {
  readonly format: 'onnx';
  readonly irVersion: number;
  readonly opsets: ReadonlyArray<{ domain: string; version: number }>;
  readonly producer: { name: string; version: string };
  readonly graphName: string;
  readonly inputs: readonly TensorFacts[];
  readonly outputs: readonly TensorFacts[];
  readonly nodeCount: number;
  readonly opCounts: Readonly<Record<string, number>>; // key: opType, or domain.opType off ai.onnx
  readonly initializerCount: number;
  readonly parameterCount: number; // elements in all initializers
  readonly unsupported: readonly UnsupportedOp[]; // what the CPU interpreter cannot run
}

function tensorFacts(v: ValueInfo): TensorFacts {
  return { name: v.name, dtype: v.dtype ?? null, shape: v.dims ? [...v.dims] : null };
}

export function modelFacts(model: Model): ModelFacts {
  const opCounts: Record<string, number> = {};
  for (const n of model.graph.nodes) {
    const key = n.domain && n.domain !== 'ai.onnx' ? `${n.domain}.${n.opType}` : n.opType;
    opCounts[key] = (opCounts[key] ?? 0) + 1;
  }
  let parameterCount = 0;
  for (const t of model.graph.initializers.values()) parameterCount += sizeOf(t.dims);
  return {
    format: 'onnx',
    irVersion: model.irVersion,
    opsets: model.opsets.map((o) => ({ domain: o.domain || 'ai.onnx', version: o.version })),
    producer: { name: model.producerName, version: model.producerVersion },
    graphName: model.graph.name,
    inputs: model.graph.inputs.map(tensorFacts),
    outputs: model.graph.outputs.map(tensorFacts),
    nodeCount: model.graph.nodes.length,
    opCounts,
    initializerCount: model.graph.initializers.size,
    parameterCount,
    unsupported: findUnsupported(model, isCpuSupported),
  };
}

function describeTensor(t: TensorFacts): string {
  const shape = t.shape ? `[${t.shape.join(', ')}]` : '[rank unknown]';
  return `${t.name}  ${t.dtype ?? '(type not declared)'} ${shape}`;
}

/** The human-readable report, one fact per line, aligned labels. */
export function formatFacts(path: string, f: ModelFacts): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padEnd(12)}${value}`);
  };
  row('model', path);
  row('format', `ONNX, ir_version ${f.irVersion}`);
  row('opsets', f.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || '(none)');
  row('producer', [f.producer.name, f.producer.version].filter(Boolean).join(' ') || '(not recorded)');
  f.inputs.forEach((t, i) => {
    row(i === 0 ? 'inputs' : '', describeTensor(t));
  });
  if (f.inputs.length === 0) row('inputs', '(none)');
  f.outputs.forEach((t, i) => {
    row(i === 0 ? 'outputs' : '', describeTensor(t));
  });
  row('parameters', `${f.parameterCount.toLocaleString('en-US')} in ${f.initializerCount} initializers`);
  const ops = Object.entries(f.opCounts).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  row('ops', `${f.nodeCount} nodes: ${ops.map(([op, n]) => `${op} x${n}`).join(', ') || '(none)'}`);
  if (f.unsupported.length === 0) row('unsupported', 'none (the CPU interpreter can run every node)');
  f.unsupported.forEach((u, i) => {
    const op = u.domain && u.domain !== 'ai.onnx' ? `${u.domain}.${u.opType}` : u.opType;
    row(i === 0 ? 'unsupported' : '', `${op} (nodes: ${u.nodes.join(', ')})`);
  });
  return `${lines.join('\n')}\n`;
}
