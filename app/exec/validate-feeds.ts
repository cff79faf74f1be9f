// Checks user-supplied inputs against the model's declared inputs before anything runs.
import type { Tensor } from '../../kernels/tensor.js';
import { InputError } from '../model/errors.js';
import type { Graph } from '../model/ir.js';

export function validateFeeds(graph: Graph, feeds: ReadonlyMap<string, Tensor>): void {
  for (const input of graph.inputs) {
    const t = feeds.get(input.name);
    if (!t) throw new InputError(`missing input '${input.name}'`);
    if (input.dtype && t.dtype !== input.dtype) {
      throw new InputError(`input '${input.name}' is ${t.dtype}, the model expects ${input.dtype}`);
    }
    if (input.dims) {
      const ok =
        input.dims.length === t.dims.length && input.dims.every((d, i) => typeof d === 'string' || d === t.dims[i]);
      if (!ok) {
        throw new InputError(
          `input '${input.name}' has shape [${t.dims.join(',')}], the model expects [${input.dims.join(',')}]`,
        );
      }
    }
  }
  for (const name of feeds.keys()) {
    if (!graph.inputs.some((i) => i.name === name)) throw new InputError(`the model has no input named '${name}'`);
  }
}
