import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** ../shared beside the checkout: PyTorch's fixtures, presets and the reference peer. */
export const SHARED = resolve(ROOT, '..', 'shared');
export const SHARED_FIXTURES = join(SHARED, 'fixtures');
export const SHARED_PRESETS = join(SHARED, 'presets');
