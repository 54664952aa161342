// A tiny static server for the browser harness on 127.0.0.1 (ephemeral port). Every response carries
// COOP same-origin + COEP require-corp: the page and its workers are then cross-origin isolated, which is
// what makes SharedArrayBuffer (the CPU backend's threads) available.
import { createReadStream, readdirSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.map': 'application/json',
  '.css': 'text/css',
};

const ISOLATION = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Cache-Control': 'no-store',
};

export interface HarnessServer {
  url: string;
  /** Paths requested (with their status), to tell "not requested" from "not found" when a test fails. */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves `mounts` (URL prefix -> folder; '/' for the built harness) and /fixtures/index.json, the op and
 * model fixture names found in `fixturesDir`.
 */
export async function startHarnessServer(mounts: Record<string, string>, fixturesDir: string): Promise<HarnessServer> {
  const jsonNames = (sub: string) => readdirSync(join(fixturesDir, sub)).filter((f) => f.endsWith('.json')).sort();
  const index = JSON.stringify({ ops: jsonNames('ops'), models: jsonNames('models').map((f) => f.slice(0, -5)) });
  const prefixes = Object.keys(mounts).sort((a, b) => b.length - a.length);
  const requests: string[] = [];

  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const reply = (status: number, type: string, body: string | null, file?: string) => {
      requests.push(`${status} ${path}`);
      res.writeHead(status, { ...ISOLATION, 'Content-Type': type });
      if (file) createReadStream(file).pipe(res);
      else res.end(body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return reply(405, 'text/plain', 'GET only');
    if (path === '/fixtures/index.json') return reply(200, TYPES['.json'], index);
    const prefix = prefixes.find((p) => path.startsWith(p));
    if (!prefix) return reply(404, 'text/plain', 'not found');
    const root = resolve(mounts[prefix]);
    let file = resolve(root, '.' + sep + path.slice(prefix.length));
    if (file !== root && !file.startsWith(root + sep)) return reply(403, 'text/plain', 'outside the served folder');
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      if (!statSync(file).isFile()) throw new Error('not a file');
    } catch {
      return reply(404, 'text/plain', 'not found');
    }
    reply(200, TYPES[extname(file)] ?? 'application/octet-stream', null, file);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
