// `qplay inspect MODEL [--json]`: what a model is, what it needs and whether we can run it.
// The facts come from app/model/summary.ts (the same ones the page shows); this file adds shape
// inference (for outputs whose declared shape is missing or symbolic) and the text layout.
import { isCpuSupported } from '../exec/cpu/interpreter.js';
import { cpuConstantEvaluator } from '../exec/cpu/constant-evaluator.js';
import { ModelError } from '../model/errors.js';
import type { Model } from '../model/ir.js';
import { opsetProblems } from '../model/opset-range.js';
import { inferShapes, type ShapeResult, symbolicInputDims } from '../model/shape-inference.js';
import { type ModelSummary, summarizeModel, type ValueSummary } from '../model/summary.js';

export interface ModelFacts extends ModelSummary {
  /** Why shape inference stopped (a ModelError's message), or null when it ran through. */
  readonly shapeInferenceNote: string | null;
  /** Why `run` would refuse the model before looking at its ops (opsets outside our range). */
  readonly warnings: readonly string[];
}

export function modelFacts(model: Model): ModelFacts {
  let shapes: ShapeResult | undefined;
  let shapeInferenceNote: string | null = null;
  try {
    shapes = inferShapes(model, { evaluate: cpuConstantEvaluator(model) });
    if (shapes.warnings.length) shapeInferenceNote = shapes.warnings[0];
  } catch (e) {
    // A model we cannot infer is still worth describing: report why and keep the declared shapes.
    // Symbolic dims were taken as 1 here (no input exists): say so, it is often the reason.
    if (!(e instanceof ModelError)) throw e;
    const symbols = symbolicInputDims(model.graph);
    const guess = symbols.length ? ` (symbolic dims ${symbols.join(', ')} taken as 1)` : '';
    shapeInferenceNote = `stopped${guess}: ${e.message}`;
  }
  return {
    ...summarizeModel(model, shapes, isCpuSupported),
    shapeInferenceNote,
    warnings: opsetProblems(model),
  };
}

function opName(domain: string, opType: string): string {
  return domain && domain !== 'ai.onnx' ? `${domain}.${opType}` : opType;
}

function describeValue(v: ValueSummary): string {
  const declared = v.shape ? `[${v.shape.join(', ')}]` : '[rank unknown]';
  const inferred = v.inferredShape ? `[${v.inferredShape.join(', ')}]` : undefined;
  const shape = inferred && inferred !== declared ? `${declared} (inferred ${inferred})` : declared;
  return `${v.name}  ${v.dtype ?? '(type not declared)'} ${shape}`;
}

/** The human-readable report: one fact per line, aligned labels. */
export function formatFacts(path: string, f: ModelFacts): string {
  const lines: string[] = [];
  const row = (label: string, value: string): void => {
    lines.push(`${label.padEnd(12)}${value}`);
  };
  const rows = (label: string, values: readonly string[], none: string): void => {
    if (values.length === 0) row(label, none);
    values.forEach((v, i) => {
      row(i === 0 ? label : '', v);
    });
  };
  row('model', path);
  row('format', `${f.format}, ir_version ${f.irVersion}`);
  row('opsets', f.opsets.map((o) => `${o.domain} ${o.version}`).join(', ') || '(none)');
  // Next to the opsets it is about: `run` refuses such a model.
  for (const w of f.warnings) row('warning', w);
  row('producer', [f.producer.name, f.producer.version].filter(Boolean).join(' ') || '(not recorded)');
  rows('inputs', f.inputs.map(describeValue), '(none)');
  rows('outputs', f.outputs.map(describeValue), '(none)');
  if (f.symbolicDims.length) row('symbols', f.symbolicDims.join(', '));
  row(
    'parameters',
    `${f.parameterCount.toLocaleString('en-US')} in ${f.initializerCount} initializers${f.constantCount ? ` and ${f.constantCount} Constant nodes` : ''} (${(f.initializerBytes + f.constantBytes).toLocaleString('en-US')} bytes)`,
  );
  const ops = f.opCounts.map((o) => `${opName(o.domain, o.opType)} x${o.count}`);
  row('ops', `${f.nodeCount} nodes: ${ops.join(', ') || '(none)'}`);
  rows(
    'unsupported',
    f.unsupported.map((u) => `${opName(u.domain, u.opType)} (nodes: ${u.nodes.join(', ')})`),
    'none (the CPU interpreter can run every node)',
  );
  if (f.shapeInferenceNote) row('shapes', f.shapeInferenceNote);
  return `${lines.join('\n')}\n`;
}
