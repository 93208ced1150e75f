#!/usr/bin/env node
// `npx probity …` in a checkout: run the TypeScript CLI through tsx's loader, no build step needed.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/main.ts');
runCli();
