import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { Mount } from './app/adapter.js';

export interface Routes {
  /** Each platform's paths (Slack's /slack/events, Teams' /api/messages): POST only, matched exactly. */
  mounts: readonly Mount[];
  /** POST /hooks/switch and /hooks/facts (adapters/hooks), present only with GOLIVE_HOOK_SECRET. */
  hooks?: RequestListener;
  /** Where a listener's failure is reported; the request itself is answered 500 if nothing was sent yet. */
  log?: (message: string) => void;
}

/** One server and port for every platform, plus GET /healthz for whoever runs golive. */
export function createHttpServer(routes: Routes): Server {
  const byPath = new Map<string, RequestListener>();
  for (const mount of routes.mounts) {
    if (mount.path === '/healthz' || mount.path.startsWith('/hooks/') || byPath.has(mount.path)) throw new Error(`Two listeners for ${mount.path}: each path is served once.`);
    byPath.set(mount.path, mount.listener);
  }
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: true }));
      return;
    }
    const listener = byPath.get(path);
    if (listener) {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' });
        res.end();
        return;
      }
      run(listener, req, res, routes.log);
      return;
    }
    if (path.startsWith('/hooks/') && routes.hooks) {
      run(routes.hooks, req, res, routes.log);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found');
  });
}

/** A listener that throws, or returns a promise that rejects, answers this request with an error and nothing more. */
function run(listener: RequestListener, req: IncomingMessage, res: ServerResponse, log?: (message: string) => void): void {
  const fail = (status: number, text: string) => (error: unknown) => {
    log?.(`http: ${req.method} ${req.url} failed: ${error instanceof Error ? error.message : String(error)}`);
    if (!res.headersSent) res.writeHead(status, { 'content-type': 'text/plain' });
    res.end(text);
  };
  try {
    const result: unknown = listener(req, res);
    if (result instanceof Promise) result.catch(fail(500, 'Internal error'));
  } catch (error) {
    fail(400, 'Bad request')(error);
  }
}

export function listen(server: Server, port: number, host?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}
