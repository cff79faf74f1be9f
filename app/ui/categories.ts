// Muted fills per op category (Netron-like), so the accent colour stays free for selection.
// The category comes from the op-schema table; ops it does not know are drawn neutral grey.
import { findSchema } from '../model/op-schema.js';

const fills: Record<string, string> = {
  conv: '#cfe0f3',
  matmul: '#d9d4f0',
  elementwise: '#e4e8dc',
  activation: '#f6dfc8',
  pool: '#d3eadf',
  normalization: '#efd8e4',
  shape: '#e8e4d8',
  reduce: '#dce9ec',
  quantize: '#f3d6d1',
  'quantized-op': '#ead0f0',
  constant: '#ececec',
  control: '#e0e0e0',
  unknown: '#f1f1f1',
};

export function opCategory(domain: string, opType: string): string {
  return findSchema(domain, opType)?.category ?? 'unknown';
}

export function categoryFill(category: string): string {
  return fills[category] ?? fills.unknown;
}

export const categoryNames = Object.keys(fills);
