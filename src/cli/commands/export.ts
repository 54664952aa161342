import { closeAnalysis, exportRun } from '../../main/runs/analysis.ts';
import { flagInt, flagString, parseArgs, UsageError } from '../args.ts';
import type { Command } from '../main.ts';

export const command: Command = {
  usage: 'latent-lab export RUN [--grid FILE.png] [--grid-rows N] [--grid-seed S] [--recon-grid FILE.png] [--checkpoint FILE.safetensors] [--pytorch FILE.py] [--csv FILE.csv] [--json]',
  async run(argv) {
    const args = parseArgs(argv, { flags: ['grid', 'grid-rows', 'grid-seed', 'recon-grid', 'checkpoint', 'pytorch', 'csv'], booleans: ['json'] });
    const [id] = args.positional;
    if (!id || args.positional.length > 1) throw new UsageError('give one run id (see `latent-lab runs`)');
    const o = {
      grid: flagString(args, 'grid'), reconGrid: flagString(args, 'recon-grid'), checkpoint: flagString(args, 'checkpoint'),
      pytorch: flagString(args, 'pytorch'), csv: flagString(args, 'csv'),
      gridRows: flagInt(args, 'grid-rows', 1), gridSeed: flagInt(args, 'grid-seed', 0),
    };
    if (!o.grid && !o.reconGrid && !o.checkpoint && !o.pytorch && !o.csv) throw new UsageError('nothing to export: give at least one of --grid, --recon-grid, --checkpoint, --pytorch, --csv');
    if (o.gridRows !== undefined && o.gridRows > 64) throw new UsageError(`--grid-rows must be at most 64, got ${o.gridRows}`);
    try {
      const written = await exportRun(id, o);
      if (args.flags.has('json')) console.log(JSON.stringify({ run: id, written }));
      else for (const p of written) console.log(`wrote ${p}`);
      return 0;
    } finally {
      closeAnalysis();
    }
  },
};
