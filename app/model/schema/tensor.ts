import type { OpSchema } from '../op-schema.js';

export const tensorSchemas: readonly OpSchema[] = [];
