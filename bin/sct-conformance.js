#!/usr/bin/env node
// Entry point: loads TypeScript through tsx, then the CLI (src/cli.ts).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
