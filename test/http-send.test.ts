import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RequestTimeout, send } from '../adapters/http-send.js';

// The HTTP client golive answers Slack and Teams through: what it sends, what it gives back, and
// how it fails, against a real server on 127.0.0.1.

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('send', () => {
  it('sends the method, headers and body as given, and gives back the status, headers and text, over one kept-alive connection', async () => {
    const seen: Array<{ method?: string; url?: string; type?: string; length?: string; body: string; port?: number }> = [];
    const url = await serve((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        seen.push({
          method: request.method,
          url: request.url,
          type: request.headers['content-type'],
          length: request.headers['content-length'],
          body: Buffer.concat(chunks).toString(),
          port: request.socket.remotePort,
        });
        response.writeHead(201, 'Made', { 'x-one': 'a', 'content-type': 'application/json' }).end('{"id":"1:é"}');
      });
    });
    const body = Buffer.from('{"text":"é ✓"}');
    const first = await send(`${url}/v3/a?b=1`, 'POST', { 'content-type': 'application/json' }, body, 5_000);
    const second = await send(`${url}/v3/a/1`, 'PUT', { 'content-type': 'text/plain' }, 'plain é', 5_000);
    expect(first).toMatchObject({ status: 201, statusText: 'Made', text: '{"id":"1:é"}' });
    expect(first.headers['x-one']).toBe('a');
    expect(second.status).toBe(201);
    expect(seen.map(({ port: _port, ...rest }) => rest)).toEqual([
      { method: 'POST', url: '/v3/a?b=1', type: 'application/json', length: String(body.length), body: '{"text":"é ✓"}' },
      { method: 'PUT', url: '/v3/a/1', type: 'text/plain', length: String(Buffer.byteLength('plain é')), body: 'plain é' },
    ]);
    expect(seen[1]!.port).toBe(seen[0]!.port);
  });

  it('gives a 3xx back as it is, without following it', async () => {
    const url = await serve((_request, response) => response.writeHead(302, { location: 'http://127.0.0.1:9/elsewhere' }).end());
    expect((await send(`${url}/x`, 'POST', {}, '{}', 5_000)).status).toBe(302);
  });

  it('fails with the connection error, a timeout, or an answer cut short', async () => {
    const closed = await serve(() => undefined);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    await expect(send(`${closed}/x`, 'POST', {}, '{}', 5_000)).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    // The request's time runs on a fake clock: moved past it once the server holds the request.
    let arrived!: () => void;
    const held = new Promise<void>((resolve) => {
      arrived = resolve;
    });
    const silent = await serve(() => arrived());
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const waiting = send(`${silent}/x`, 'POST', {}, '{}', 10_000).catch((error: unknown) => error);
      void waiting.then(() => {
        settled = true;
      });
      await held;
      vi.advanceTimersByTime(9_999);
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      vi.advanceTimersByTime(1);
      const timeout = await waiting;
      expect(timeout).toBeInstanceOf(RequestTimeout);
      expect(timeout).toMatchObject({ name: 'TimeoutError' });
    } finally {
      vi.useRealTimers();
    }

    const cut = await serve((_request, response) => {
      response.writeHead(200, { 'content-length': '100' });
      response.write('{"ok":');
      setTimeout(() => response.socket?.destroy(), 10);
    });
    await expect(send(`${cut}/x`, 'POST', {}, '{}', 5_000)).rejects.toThrow(/cut short|aborted|socket hang up/);
    await expect(send('ftp://127.0.0.1/x', 'POST', {}, '{}', 5_000)).rejects.toThrow(TypeError);
  });
});
