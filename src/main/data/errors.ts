/** A problem with a user's data (a file, a folder, a name): its message names the thing and the problem. */
export class DataError extends Error {
  override name = 'DataError';
}

/** Runs `fn`, prefixing any error with `what` (usually a file path) unless the message already names it. */
export async function naming<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw rename(what, e);
  }
}

export function rename(what: string, e: unknown): DataError {
  const message = e instanceof Error ? e.message : String(e);
  return new DataError(message.includes(what) ? message : `${what}: ${message}`);
}
