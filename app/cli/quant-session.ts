// What the quantization commands share: loading a model for quantization, reading a session
// document against it, and turning it into the engine's parameter set.
import { readFileSync, writeFileSync } from 'node:fs';
import type { Model } from '../model/ir.js';
import type { QuantConfig } from '../quant/config.js';
import { prepareModel } from '../quant/prepare-model.js';
import { planQuantization, type QuantPlan } from '../quant/quant-plan.js';
import { paramSetFromEntries } from '../quant/session-params.js';
import type { ParamSet } from '../quant/simulated-model.js';
import { checkSessionAgainstModel, parseSession, type SessionDocument } from '../session/session.js';
import { CliError } from './cli-errors.js';

export interface LoadedSession {
  readonly doc: SessionDocument;
  /** The float model with constants materialized (what the plan names). */
  readonly model: Model;
  readonly plan: QuantPlan;
  readonly params: ParamSet;
  readonly config: QuantConfig;
}

export function readSessionFile(path: string): SessionDocument {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CliError(
      `cannot read session '${path}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`,
    );
  }
  return parseSession(text, path);
}

/** A session document on its model: checked, planned, parameters resolved. */
export function loadSession(
  model: Model,
  doc: SessionDocument,
  passthrough: readonly string[] = [],
  where?: string,
): LoadedSession {
  const config = doc.config;
  const materialized = prepareModel(model, config).model;
  checkSessionAgainstModel(doc, materialized, where);
  const plan = planQuantization(materialized, config);
  const known = new Set([...plan.activations.keys(), ...plan.weights.keys(), ...plan.biases.keys()]);
  const unknown = passthrough.filter((t) => !known.has(t));
  if (unknown.length > 0) {
    throw new CliError(
      `--passthrough: ${unknown.map((t) => `'${t}'`).join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a quantized tensor of this model`,
    );
  }
  const params = paramSetFromEntries(materialized, plan, config, doc.tensors, doc.weights, passthrough);
  return { doc, model: materialized, plan, params, config };
}

export function writeTextFile(path: string, text: string, what: string): void {
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new CliError(`cannot write ${what} '${path}': ${(e as Error).message}`);
  }
}
