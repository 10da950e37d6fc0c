import { createServer, type RequestListener, type Server } from 'node:http';

export interface Mounts {
  /** POST /slack/events: slash commands, interactivity and events on the one URL. */
  slack?: RequestListener;
  /** POST /hooks/switch and /hooks/facts (adapters/hooks), present only with GOLIVE_HOOK_SECRET. */
  hooks?: RequestListener;
}

/** One server and port for every platform, plus GET /healthz for whoever runs golive. */
export function createHttpServer(mounts: Mounts): Server {
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ ok: true }));
      return;
    }
    if (path === '/slack/events' && mounts.slack) {
      if (req.method !== 'POST') {
        res.writeHead(405, { allow: 'POST' });
        res.end();
        return;
      }
      try {
        mounts.slack(req, res);
      } catch {
        if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
        res.end('Bad request');
      }
      return;
    }
    if (path?.startsWith('/hooks/') && mounts.hooks) {
      mounts.hooks(req, res);
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Not found');
  });
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
