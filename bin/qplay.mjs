#!/usr/bin/env node
// `qplay` as an installed command: the CLI is TypeScript, so register tsx's loader and run it.
import { register } from 'tsx/esm/api';

register();
await import('../app/cli/main.ts');
