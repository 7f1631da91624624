import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

// Stands in for the site: serves the built app at `/` and DICOMweb at `/dicomweb` on one origin
// (proxied to Orthanc), and, like the site, refuses DICOMweb requests without the bearer token.

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

export interface AppServer {
  url: string;
  /** Counts of DICOMweb requests that arrived with / without the expected token. */
  seen: { authorized: number; refused: number };
  close(): Promise<void>;
}

export async function startAppServer(opts: {
  distDir: string;
  dicomwebUpstream: string;
  /** The bearer token DICOMweb requires, or a check (e.g. against an issuer) for each one. */
  token?: string | ((token: string) => Promise<boolean>);
  config?: unknown;
  /** Extra routes (e.g. a fake tasks API); return true when handled. */
  extra?: (req: IncomingMessage, res: import('node:http').ServerResponse) => boolean;
}): Promise<AppServer> {
  const seen = { authorized: 0, refused: 0 };
  const upstream = new URL(opts.dicomwebUpstream);
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (opts.extra?.(req, res)) return;
    if (url.pathname.startsWith('/dicomweb/')) {
      if (opts.token) {
        const got = req.headers.authorization?.match(/^Bearer (.+)$/)?.[1] ?? '';
        const ok = typeof opts.token === 'string' ? got === opts.token : await opts.token(got);
        if (!ok) {
          seen.refused++;
          res.writeHead(401, { 'WWW-Authenticate': 'Bearer' }).end();
          return;
        }
      }
      seen.authorized++;
      const path = `${upstream.pathname.replace(/\/$/, '')}/${url.pathname.slice('/dicomweb/'.length)}${url.search}`;
      const headers = { ...req.headers, host: upstream.host };
      delete headers.authorization;
      const up = httpRequest(
        { host: upstream.hostname, port: upstream.port, path, method: req.method, headers },
        (ur) => {
          res.writeHead(ur.statusCode ?? 502, ur.headers);
          ur.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
      return;
    }
    if (url.pathname === '/config.json' && opts.config !== undefined) {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(opts.config));
      return;
    }
    const rel = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(opts.distDir, rel === '/' ? 'index.html' : rel);
    try {
      if (!(await stat(file)).isFile()) file = join(opts.distDir, 'index.html');
    } catch {
      if (url.pathname === '/config.json') {
        res.writeHead(404).end();
        return;
      }
      file = join(opts.distDir, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': file.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    createReadStream(file).pipe(res);
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
