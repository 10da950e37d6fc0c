import http from 'node:http';
import https from 'node:https';

// golive's answers to Slack's Web API and to the Bot Connector go through node's own HTTP client,
// not fetch. fetch wraps every body in web streams (it copies a request's body, and tees it when
// redirects may be followed), and reads answers with a WebAssembly HTTP parser that V8 spent
// 35 MiB optimising a moment after each start: for a status golive works out in about a
// millisecond, fetch was a sixth of the CPU. Connections are kept alive, as fetch's were, and a
// redirect is never followed (a 3xx is an answer like any other).

const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
} as const;

export interface HttpAnswer {
  status: number;
  statusText: string;
  /** Names in lower case, as node gives them. */
  headers: http.IncomingHttpHeaders;
  text: string;
}

/** No whole answer within the request's time: named as fetch's timeout is, so callers treat both alike. */
export class RequestTimeout extends Error {
  override readonly name = 'TimeoutError';
}

/**
 * Sends `body` to `url`; resolves with the answer, whatever its status. Rejects with node's error
 * when the connection fails (its `code` says how: ECONNREFUSED, ECONNRESET …), or RequestTimeout
 * when the whole answer has not come within `timeoutMs`.
 */
export function send(url: string, method: 'POST' | 'PUT', headers: Readonly<Record<string, string>>, body: Buffer | string, timeoutMs: number): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return reject(new TypeError(`not an address: ${url}`));
    }
    const agent = target.protocol === 'http:' || target.protocol === 'https:' ? agents[target.protocol] : undefined;
    if (!agent) return reject(new TypeError(`${url}: only http and https addresses are called`));
    const request = (target.protocol === 'https:' ? https : http).request(target, { method, agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } });
    const timer = setTimeout(() => request.destroy(new RequestTimeout(`${target.host} did not answer within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      clearTimeout(timer);
      reject(error);
    };
    request.on('error', fail);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', fail);
      response.on('end', () => {
        clearTimeout(timer);
        resolve({ status: response.statusCode ?? 0, statusText: response.statusMessage ?? '', headers: response.headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      // Closed before its end (the connection dropped, or the timeout above): the answer is not whole.
      response.on('close', () => {
        if (!response.complete) fail(Object.assign(new Error(`the answer from ${target.host} was cut short`), { code: 'ECONNRESET' }));
      });
    });
    request.end(body);
  });
}

/** One header's value as text (several of the same name joined, as fetch's Headers does). */
export function headerText(headers: http.IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}
