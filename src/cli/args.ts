/** A tiny, strict argument parser: unknown flags are errors, never ignored. */
export class UsageError extends Error {}

export interface ParsedArgs {
  positional: string[];
  flags: Map<string, string | true>;
}

export function parseArgs(argv: readonly string[], spec: { flags?: readonly string[]; booleans?: readonly string[] }): ParsedArgs {
  const valueFlags = new Set(spec.flags ?? []);
  const boolFlags = new Set(spec.booleans ?? []);
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
      if (boolFlags.has(name)) {
        if (eq > 0) throw new UsageError(`--${name} takes no value`);
        flags.set(name, true);
      } else if (valueFlags.has(name)) {
        const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
        if (value === undefined || (eq < 0 && value.startsWith('--'))) throw new UsageError(`--${name} needs a value`);
        flags.set(name, value);
      } else {
        throw new UsageError(`unknown option --${name}`);
      }
    } else positional.push(a);
  }
  return { positional, flags };
}

export function flagString(p: ParsedArgs, name: string): string | undefined {
  const v = p.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function flagInt(p: ParsedArgs, name: string, min = 0): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw new UsageError(`--${name} must be an integer ≥ ${min}, got '${v}'`);
  return n;
}

export function flagNumber(p: ParsedArgs, name: string): number | undefined {
  const v = flagString(p, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got '${v}'`);
  return n;
}
