// Development entry of the hashing worker (tsx, vitest): register tsx's loader inside the worker
// thread, then load the TypeScript worker. Built hosts (Electron) use the bundled worker instead.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
