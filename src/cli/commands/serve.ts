import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { closeAnalysis } from '../../main/runs/analysis.ts';
import { labHome } from '../../main/paths.ts';
import { ensureRenderer, ROOT } from '../../main/renderer-build.ts';
import { startServe } from '../../main/serve.ts';
import { flagInt, parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

export const DEFAULT_PORT = 5217;

export const command: Command = {
  usage: 'latent-lab serve [--port N]   (N = 0 picks a free port; listens on 127.0.0.1 only)',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['port'] });
    if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const port = flagInt(args, 'port', 0) ?? DEFAULT_PORT;
    if (port > 65535) throw new UsageError(`--port must be at most 65535, got ${port}`);
    const rendererDir = await ensureRenderer((line) => console.error(line));
    const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
    const home = labHome();
    const served = await startServe({ port, home, rendererDir, version });
    console.log(`Latent Lab is serving at ${served.url}  (lab: ${home}; Ctrl+C to stop)`);
    await new Promise<void>((resolve) => {
      const stop = () => {
        console.error('stopping: finishing the current training steps...');
        void served.close().then(() => {
          closeAnalysis();
          resolve();
        });
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    return 0;
  },
};
