// The plain, readonly graph IR every other layer works on. Nothing here refers to protobuf:
// app/model/lower.ts turns the generated ONNX messages into these objects once.
import type { DType, Tensor } from '../../kernels/tensor.js';

export type { DType, Tensor } from '../../kernels/tensor.js';

export type AttrValue =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: Tensor }
  | { readonly kind: 'graph'; readonly value: Graph }
  | { readonly kind: 'unsupported'; readonly type: string };

/** A dimension: a number, or a symbolic name (bound to a number by bindShapes). */
export type Dim = number | string;

export interface ValueInfo {
  readonly name: string;
  readonly dtype: DType | undefined; // undefined: element type not declared (or not a tensor)
  readonly dims: readonly Dim[] | undefined; // undefined: rank unknown
  /** A declared element type we do not hold (its ONNX name, e.g. 'FLOAT8E4M3FN'); dtype is then undefined. */
  readonly unsupportedType?: string;
  /** A value that is not a tensor (ONNX sequence, optional, map or sparse tensor types). */
  readonly kind?: 'sequence' | 'optional' | 'map' | 'sparse tensor';
}

export interface GraphNode {
  readonly name: string; // never empty: lowering names anonymous nodes `<opType>_<index>`
  readonly opType: string;
  readonly domain: string; // '' for ai.onnx
  readonly inputs: readonly string[]; // '' marks an omitted optional input
  readonly outputs: readonly string[];
  readonly attributes: Readonly<Record<string, AttrValue>>;
}

export interface Graph {
  readonly name: string;
  readonly nodes: readonly GraphNode[];
  readonly inputs: readonly ValueInfo[]; // graph inputs that are not initializers
  readonly outputs: readonly ValueInfo[];
  readonly initializers: ReadonlyMap<string, Tensor>;
  readonly valueInfo: ReadonlyMap<string, ValueInfo>; // declared value_info of intermediates
}

export interface OpsetImport {
  readonly domain: string; // '' for ai.onnx
  readonly version: number;
}

export interface Model {
  readonly irVersion: number;
  readonly producerName: string;
  readonly producerVersion: string;
  readonly domain: string;
  readonly modelVersion: number;
  readonly docString: string;
  readonly opsets: readonly OpsetImport[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly graph: Graph;
}

/** The opset version of a domain ('' and 'ai.onnx' are the same domain). */
export function opsetVersion(model: Model, domain: string): number | undefined {
  const d = domain === 'ai.onnx' ? '' : domain;
  return model.opsets.find((o) => (o.domain === 'ai.onnx' ? '' : o.domain) === d)?.version;
}
