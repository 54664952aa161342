// Bootstrap of the training worker when running from source (tsx): a worker thread does not inherit the
// loader that bin/latent-lab.mjs registered, so it registers tsx itself before loading the TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('./train-worker.ts');
