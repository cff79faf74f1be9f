import type { OpSchema } from '../op-schema.js';

export const mathSchemas: readonly OpSchema[] = [];
