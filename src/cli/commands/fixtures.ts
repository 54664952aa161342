import { relative } from 'node:path';
import { backendNames, createBackend, type BackendName } from '../../engine/backends.ts';
// Installs Dawn (the `webgpu` package) as the WebGPU provider, so createBackend('webgpu') works in Node.
import '../../experiments/backendSelect.ts';
import { Engine } from '../../engine/tensor.ts';
import { findFixtures, runFixtureFile } from '../../experiments/fixtures/run.ts';
import { flagString, parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

export const command: Command = {
  usage: 'latent-lab fixtures DIR [--backend NAME|all]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['backend'] });
    const [dir] = args.positional;
    if (!dir || args.positional.length > 1) throw new UsageError('give one fixture folder');
    const choice = flagString(args, 'backend') ?? 'reference';
    const names: string[] = choice === 'all' ? backendNames() : [choice];
    const { ops, models } = findFixtures(dir);
    let passed = 0, failed = 0;
    for (const name of names) {
      const backend = await createBackend(name as BackendName);
      const engine = new Engine(backend);
      try {
        for (const [kind, files] of [['ops', ops], ['models', models]] as const) {
          for (const file of files) {
            const r = await runFixtureFile(engine, file, kind);
            const where = `${name} ${relative(dir, file)}`;
            if (r.error) {
              failed++;
              console.log(`FAIL ${where}: ${r.error}`);
            } else if (r.mismatches.length) {
              failed++;
              const worst = r.mismatches.reduce((a, b) => (b.worst > a.worst ? b : a));
              console.log(`FAIL ${where}: ${worst.tensor} ${worst.detail}${r.mismatches.length > 1 ? ` (+${r.mismatches.length - 1} more tensors)` : ''}`);
            } else passed++;
          }
        }
      } finally {
        backend.dispose();
      }
    }
    console.log(`${passed} passed, ${failed} failed`);
    return failed > 0 ? 1 : 0;
  },
};
