import type { OpSchema } from '../op-schema.js';

export const quantSchemas: readonly OpSchema[] = [];
