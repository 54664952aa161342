import { UsageError } from './args.ts';

/** A subcommand: its one-line usage and its entry point (returns the exit code). */
export interface Command {
  usage: string;
  run(argv: string[]): Promise<number>;
}

// Each command lives in its own module, loaded only when called, so `latent-lab data list` never pays for
// the engine and `fixtures` never opens SQLite.
const commands: Record<string, () => Promise<Command>> = {
  fixtures: async () => (await import('./commands/fixtures.ts')).command,
  data: async () => (await import('./commands/data.ts')).command,
  train: async () => (await import('./commands/train.ts')).command,
  resume: async () => (await import('./commands/train.ts')).resumeCommand,
  runs: async () => (await import('./commands/runs.ts')).command,
  serve: async () => (await import('./commands/serve.ts')).command,
  eval: async () => (await import('./commands/eval.ts')).command,
  export: async () => (await import('./commands/export.ts')).command,
  compare: async () => (await import('./commands/compare.ts')).command,
};

function usage(): string {
  return ['usage: latent-lab <command> [options]', '', 'commands:', ...Object.keys(commands).sort().map((c) => `  ${c}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`latent-lab: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  const command = await load();
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      console.error(`latent-lab ${name}: ${e.message}\nusage: ${command.usage}`);
      return 2;
    }
    // Known failures (bad input, bad files) carry a message meant for the user: no stack trace.
    console.error(`latent-lab ${name}: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.LATENT_LAB_DEBUG) console.error(e);
    return 1;
  }
}
