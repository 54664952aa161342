import { RunStore } from '../../main/runs/store.ts';
import { parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

export const command: Command = {
  usage: 'latent-lab runs [--json]',
  async run(argv) {
    const args = parseArgs(argv, { booleans: ['json'] });
    if (args.positional.length) throw new UsageError(`unexpected argument '${args.positional[0]}'`);
    const store = new RunStore();
    store.markInterrupted();
    const runs = store.list();
    if (args.flags.has('json')) {
      console.log(JSON.stringify(runs.map(({ spec: _spec, ...r }) => r), null, 1));
      return 0;
    }
    if (!runs.length) {
      console.log('no runs yet: try `latent-lab train --preset mnist-cvae`');
      return 0;
    }
    const rows = runs.map((r) => [r.id, r.status, r.preset ?? 'custom', r.dataset, r.backend, String(r.epochsDone), r.lastTestLoss?.toFixed(3) ?? '-', r.bestTestLoss?.toFixed(3) ?? '-', r.createdAt.slice(0, 16).replace('T', ' ')]);
    printTable(['run', 'status', 'preset', 'data', 'backend', 'epochs', 'test loss', 'best', 'started'], rows);
    return 0;
  },
};

export function printTable(head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  console.log(line(head));
  for (const r of rows) console.log(line(r));
}
