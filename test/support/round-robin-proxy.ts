import { createServer, request as forward, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy passed on: where it went, and what came back. */
export interface Proxied {
  method: string;
  path: string;
  /** Index into the targets the proxy was started with. */
  target: number;
  status: number;
}

export interface RoundRobinProxy {
  readonly url: string;
  /** Every request passed on, in the order they arrived. */
  readonly log: Proxied[];
  close(): Promise<void>;
}

/**
 * A load balancer on 127.0.0.1 in front of several golive replicas: each request goes to the next
 * target in turn, its bytes and headers untouched (Slack's signature covers the raw body), and the
 * target's answer comes back as it was given. Nothing is sticky, as with any plain balancer.
 */
export async function startRoundRobinProxy(targets: readonly string[]): Promise<RoundRobinProxy> {
  if (targets.length === 0) throw new Error('round-robin proxy: no targets');
  const log: Proxied[] = [];
  let turn = 0;

  const server = createServer((incoming: IncomingMessage, outgoing: ServerResponse) => {
    const index = turn % targets.length;
    turn += 1;
    const entry: Proxied = { method: incoming.method ?? 'GET', path: incoming.url ?? '/', target: index, status: 0 };
    log.push(entry);
    const target = new URL(incoming.url ?? '/', targets[index]);
    const upstream = forward(target, { method: incoming.method, headers: { ...incoming.headers, host: target.host } }, (answer) => {
      entry.status = answer.statusCode ?? 0;
      outgoing.writeHead(entry.status, answer.headers);
      answer.pipe(outgoing);
    });
    upstream.on('error', (error) => {
      // A replica that is down answers as a balancer would: 502, and the next request goes on.
      entry.status = 502;
      if (!outgoing.headersSent) outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`bad gateway: ${error.message}`);
    });
    incoming.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
