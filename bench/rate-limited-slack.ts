import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * In front of the fake Slack Web API: chat.postMessage and chat.update are allowed once a second
 * per channel (Slack's "special" tier for posting), and the first such call to each channel in
 * `refuseOnce` is answered 429 with `Retry-After: 1` whatever the rate; everything else is passed
 * through. Counts what it refused, so a benchmark can say how often golive was told to wait.
 */
export interface RateLimitedSlack {
  /** Base for SLACK_API_URL, ending /api/. */
  url: string;
  refused: number;
  refuseOnce: Set<string>;
  close(): Promise<void>;
}

const LIMITED = new Set(['chat.postMessage', 'chat.update']);

export async function rateLimitedSlack(fakeOrigin: string): Promise<RateLimitedSlack> {
  const lastAllowed = new Map<string, number>();
  const state: RateLimitedSlack = { url: '', refused: 0, refuseOnce: new Set(), close: async () => {} };
  const server = createServer((req, res) => {
    void readAll(req).then((body) => {
      const method = decodeURIComponent((req.url ?? '').replace(/^\/api\//, ''));
      if (LIMITED.has(method)) {
        const channel = channelOf(req.headers['content-type'] ?? '', body);
        const now = Date.now();
        const tooSoon = now - (lastAllowed.get(channel) ?? Number.NEGATIVE_INFINITY) < 1000;
        if (tooSoon || state.refuseOnce.delete(channel)) {
          state.refused += 1;
          res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
          res.end(JSON.stringify({ ok: false, error: 'ratelimited' }));
          return;
        }
        lastAllowed.set(channel, now);
      }
      const forwarded = request(`${fakeOrigin}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forwarded.on('error', () => res.writeHead(502).end());
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/`;
  state.close = () => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(() => resolve()));
  };
  return state;
}

/** The channel a call names, from a JSON body (golive's chat calls) or a form-encoded one. */
function channelOf(contentType: string, body: Buffer): string {
  const text = body.toString('utf8');
  if (!contentType.startsWith('application/json')) return new URLSearchParams(text).get('channel') ?? '';
  try {
    const channel = (JSON.parse(text) as { channel?: unknown }).channel;
    return typeof channel === 'string' ? channel : '';
  } catch {
    return '';
  }
}

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
