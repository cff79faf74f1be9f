import type { OpSchema } from '../op-schema.js';

export const nnSchemas: readonly OpSchema[] = [];
