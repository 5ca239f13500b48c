#!/usr/bin/env node
// Trellis runs its TypeScript sources directly through tsx's loader: `npm install && npm start` needs no build
// step, and stack traces point at the .ts files users read.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
