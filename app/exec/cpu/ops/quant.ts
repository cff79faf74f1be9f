import type { OpTable } from '../op-types.js';

export const quantOps: OpTable = {};
