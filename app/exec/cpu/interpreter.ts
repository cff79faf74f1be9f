// The CPU reference interpreter: runs a model node by node with the pure-TS reference ops.
// It is the oracle the WebGPU executor is tested against, so it favours clarity over speed.
import { isNarrowDType, type Tensor } from '../../../kernels/tensor.js';
import { ModelError } from '../../model/errors.js';
import { type Model, opsetVersion } from '../../model/ir.js';
import type { Executor, RunOptions } from '../executor.js';
import { planExecution } from '../plan.js';
import { assertSupported } from '../support.js';
import { validateFeeds } from '../validate-feeds.js';
import { DEFAULT_SETTINGS, type ExecSettings } from './op-types.js';
import { findCpuOp } from './registry.js';

export function isCpuSupported(domain: string, opType: string): boolean {
  return findCpuOp(domain, opType) !== undefined;
}

export class CpuInterpreter implements Executor {
  readonly backend = 'cpu' as const;

  constructor(
    private readonly model: Model,
    private readonly settings: ExecSettings = DEFAULT_SETTINGS,
  ) {
    assertSupported(model, isCpuSupported);
  }

  async run(feeds: ReadonlyMap<string, Tensor>, options: RunOptions = {}): Promise<Map<string, Tensor>> {
    return this.runSync(feeds, options);
  }

  runSync(feeds: ReadonlyMap<string, Tensor>, options: RunOptions = {}): Map<string, Tensor> {
    const graph = this.model.graph;
    validateFeeds(graph, feeds);
    const wanted = options.outputs ?? graph.outputs.map((o) => o.name);
    const plan = planExecution(graph, wanted);
    const values = new Map<string, Tensor>(graph.initializers);
    for (const [k, v] of feeds) values.set(k, v);
    plan.order.forEach((node, step) => {
      if (options.signal?.aborted) throw new DOMException('run cancelled', 'AbortError');
      const op = findCpuOp(node.domain, node.opType)!;
      const inputs = node.inputs.map((name) => (name ? values.get(name) : undefined));
      const opset = opsetVersion(this.model, node.domain) ?? 1;
      let outputs: Tensor[];
      try {
        const constantInputs = node.inputs.map((name) => graph.initializers.has(name));
        outputs = op({ node, inputs, opset, settings: this.settings, constantInputs });
      } catch (e) {
        if (e instanceof ModelError) throw e;
        // An op that has no path for a narrow type (bfloat16, float8, int4 ...) declines it in one
        // line: only Cast, Q/DQ and data movement handle those codes.
        const narrow = inputs.find((t) => t && isNarrowDType(t.dtype));
        if (narrow)
          throw new ModelError(
            `node '${node.name}' (${node.opType}): ${narrow.dtype} tensors are not supported by this op`,
          );
        throw new ModelError(`node '${node.name}' (${node.opType}): ${(e as Error).message}`);
      }
      node.outputs.forEach((name, i) => {
        if (name && outputs[i]) values.set(name, outputs[i]);
      });
      for (const name of node.inputs) {
        if (name && plan.lastUse.get(name) === step && !graph.initializers.has(name)) values.delete(name);
      }
      options.onProgress?.(step + 1, plan.order.length);
    });
    const result = new Map<string, Tensor>();
    for (const name of wanted) {
      const v = values.get(name);
      if (!v) throw new ModelError(`value '${name}' was not computed`);
      result.set(name, v);
    }
    return result;
  }

  dispose(): void {}
}
