// Serve mode: the app's renderer and API over HTTP on 127.0.0.1, for a lab on a remote machine (through an
// SSH tunnel) and for the end-to-end tests. POST /api/<channel> runs the same handler table, with the same
// validation, as Electron's IPC; a WebSocket at /api/events carries the same events.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiEvents, EventName } from '../shared/api.ts';
import { createHandlers, dispatch } from './api/handlers.ts';
import { CONTENT_SECURITY_POLICY } from './csp.ts';

export interface ServeOptions {
  port: number;
  home: string;
  rendererDir: string;
  version: string;
}

export interface Served {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json', '.woff2': 'font/woff2', '.ico': 'image/x-icon', '.wasm': 'application/wasm',
};

/** Requests up to this size: a data set uploaded from the browser travels as base64 JSON. */
const MAX_BODY = 720 * 1024 * 1024;

const SECURITY_HEADERS = {
  'Content-Security-Policy': `${CONTENT_SECURITY_POLICY}; frame-ancestors 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export async function startServe(o: ServeOptions): Promise<Served> {
  if (!existsSync(join(o.rendererDir, 'index.html'))) throw new Error(`no built renderer in ${o.rendererDir} (run npm run build:renderer)`);
  const sockets = new Set<WebSocket>();
  const emit = <E extends EventName>(event: E, payload: ApiEvents[E]) => {
    const text = JSON.stringify({ event, payload });
    for (const s of sockets) if (s.readyState === s.OPEN) s.send(text);
  };
  const handlers = createHandlers({ home: o.home, mode: 'serve', version: o.version, emit });
  let origins: string[] = [];

  // Only pages we served may call the API: a cross-site page cannot (Origin check, JSON content type).
  const originAllowed = (req: IncomingMessage) => {
    const origin = req.headers.origin;
    return origin === undefined || origins.includes(origin);
  };

  const server = createServer((req, res) => {
    void handle(req, res).catch((e) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(String(e instanceof Error ? e.message : e));
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith('/api/')) {
      if (req.method !== 'POST') return void res.writeHead(405, { Allow: 'POST' }).end();
      if (!originAllowed(req)) return void res.writeHead(403).end('cross-origin requests are refused');
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) return void res.writeHead(415).end('send application/json');
      const body = await readBody(req);
      let raw: unknown;
      try {
        raw = body.length ? JSON.parse(body.toString('utf8')) : {};
      } catch {
        return void sendJson(res, { ok: false, error: 'the request body is not valid JSON' });
      }
      const result = await dispatch(handlers, decodeURIComponent(url.pathname.slice(5)), raw);
      return void sendJson(res, result);
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405).end();
    const root = resolve(o.rendererDir);
    const path = url.pathname === '/' ? '/index.html' : decodeURIComponent(url.pathname);
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache', ...SECURITY_HEADERS });
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  }

  function readBody(req: IncomingMessage): Promise<Buffer> {
    return new Promise((resolveBody, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      req.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_BODY) {
          reject(new Error('request too large'));
          req.destroy();
        } else chunks.push(c);
      });
      req.on('end', () => resolveBody(Buffer.concat(chunks)));
      req.on('error', reject);
    });
  }

  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/api/events' || !originAllowed(req)) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws);
      ws.on('close', () => sockets.delete(ws));
    });
  });

  await new Promise<void>((r, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => r());
  });
  const port = (server.address() as AddressInfo).port;
  origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async close() {
      await handlers.training.stopAll();
      for (const s of sockets) s.close();
      wss.close();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

function sendJson(res: ServerResponse, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...SECURITY_HEADERS });
  res.end(body);
}
