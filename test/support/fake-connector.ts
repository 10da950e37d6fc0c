import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Bot Connector service Teams activities name as their `serviceUrl`, on
 * 127.0.0.1, recording every request golive makes. It answers the calls the Agents SDK's
 * ConnectorClient makes (node_modules/@microsoft/agents-hosting/src/connector-client/connectorClient.ts):
 * - POST   <serviceUrl>v3/conversations                                  create a conversation → { id }
 * - POST   <serviceUrl>v3/conversations/{conversationId}/activities      send                   → { id }
 * - POST   <serviceUrl>v3/conversations/{conversationId}/activities/{id} reply                  → { id }
 * - PUT    <serviceUrl>v3/conversations/{conversationId}/activities/{id} update in place        → { id }
 * The SDK puts conversation ids into the path as they are (`19:…@thread.tacv2;messageid=…`).
 * Like Teams, creating a personal chat with someone who has one gives the same conversation again.
 */

/** A refusal with a status, or `stall`: the request is read and never answered (until close). */
export type ConnectorFailure = { status: 429; retryAfter: number } | { status: 500 | 502 | 503 } | { status: 400 | 403 | 404 } | { stall: true };

export interface ConnectorCall {
  kind: 'create' | 'send' | 'reply' | 'update';
  method: string;
  /** The path after the service URL's own path, as received. */
  path: string;
  conversationId?: string;
  /** The activity replied to (reply) or replaced (update). */
  activityId?: string;
  body: Record<string, unknown>;
  /** The bearer token sent, if any (none in local mode). */
  token?: string;
  /** Set when a failure was asked for: the call was refused (its status, or 0 for a stall) and nothing delivered. */
  failed?: number;
  /** What the fake answered with. */
  response?: Record<string, unknown>;
}

/** Which calls a failure applies to: of a kind, in a conversation (its id up to any `;messageid=`). */
export interface CallMatch {
  kind?: ConnectorCall['kind'];
  conversationId?: string;
}

export interface FakeConnector {
  /** The `serviceUrl` to put in activities: with a path and a trailing slash, as Teams' are. */
  readonly serviceUrl: string;
  readonly calls: ConnectorCall[];
  /** Calls that went through (not refused on demand). */
  delivered(kind?: ConnectorCall['kind']): ConnectorCall[];
  /** Delivered messages (sent, replied or updated) in one conversation. */
  messagesIn(conversationId: string): ConnectorCall[];
  /** The next `times` calls (those that match, or any) are refused this way. */
  failNext(failure: ConnectorFailure, times?: number, match?: CallMatch): void;
  /** The personal chat the fake gives (or gave) a user. */
  personalChatOf(userId: string): string;
  reset(): void;
  close(): Promise<void>;
}

const PREFIX = '/teams/amer/';

export async function startFakeConnector(): Promise<FakeConnector> {
  const calls: ConnectorCall[] = [];
  const failures: Array<{ failure: ConnectorFailure; left: number; match: CallMatch }> = [];
  let serial = 0;
  const personalChatOf = (userId: string) => `a:1${createHash('sha256').update(userId).digest('hex').slice(0, 24)}`;

  function takeFailure(call: ConnectorCall): ConnectorFailure | undefined {
    const matches = ({ kind, conversationId }: CallMatch) => (kind === undefined || kind === call.kind) && (conversationId === undefined || call.conversationId?.split(';')[0] === conversationId);
    const index = failures.findIndex((f) => matches(f.match));
    const found = failures[index];
    if (!found) return undefined;
    found.left -= 1;
    if (found.left <= 0) failures.splice(index, 1);
    return found.failure;
  }

  function route(method: string, path: string): Pick<ConnectorCall, 'kind' | 'conversationId' | 'activityId'> | undefined {
    const parts = path.split('/').map((part) => decodeURIComponent(part));
    // v3 / conversations / {id} / activities / {activityId}
    if (parts[0] !== 'v3' || parts[1] !== 'conversations') return undefined;
    if (parts.length === 2 && method === 'POST') return { kind: 'create' };
    const conversationId = parts[2];
    if (!conversationId || parts[3] !== 'activities') return undefined;
    if (parts.length === 4 && method === 'POST') return { kind: 'send', conversationId };
    if (parts.length === 5 && parts[4] && method === 'POST') return { kind: 'reply', conversationId, activityId: parts[4] };
    if (parts.length === 5 && parts[4] && method === 'PUT') return { kind: 'update', conversationId, activityId: parts[4] };
    return undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (!url.pathname.startsWith(PREFIX)) return answer(res, 404, { error: { code: 'NotFound', message: 'not under the service URL' } });
    const path = url.pathname.slice(PREFIX.length);
    const routed = route(method, path);
    if (!routed) return answer(res, 404, { error: { code: 'NotFound', message: `${method} ${path} is not a Bot Connector call the fake knows` } });
    let body: Record<string, unknown>;
    try {
      body = raw.length > 0 ? (JSON.parse(raw.toString('utf8')) as Record<string, unknown>) : {};
    } catch {
      return answer(res, 400, { error: { code: 'BadArgument', message: 'body is not JSON' } });
    }
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    const call: ConnectorCall = { ...routed, method, path, body, ...(token && { token }) };
    calls.push(call);
    const failure = takeFailure(call);
    if (failure && 'stall' in failure) {
      call.failed = 0;
      return;
    }
    if (failure) {
      call.failed = failure.status;
      const headers: Record<string, string> = failure.status === 429 ? { 'retry-after': String(failure.retryAfter) } : {};
      return answer(res, failure.status, { error: { code: failure.status === 429 ? 'Throttled' : 'ServiceError', message: `refused on demand (${failure.status})` } }, headers);
    }
    serial += 1;
    let response: Record<string, unknown>;
    if (call.kind === 'create') {
      const member = (body.members as Array<{ id?: string }> | undefined)?.[0]?.id ?? `nobody-${serial}`;
      response = { id: personalChatOf(member), activityId: `created-${serial}` };
    } else if (call.kind === 'update') {
      response = { id: call.activityId };
    } else {
      response = { id: `1${String(700_000_000_000 + serial)}` };
    }
    call.response = response;
    answer(res, call.kind === 'create' ? 201 : 200, response);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => answer(res, 500, { error: { code: 'FakeBroken', message: String(error) } }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    serviceUrl: `${origin}${PREFIX}`,
    calls,
    delivered: (kind) => calls.filter((c) => c.failed === undefined && (kind === undefined || c.kind === kind)),
    messagesIn: (conversationId) => calls.filter((c) => c.failed === undefined && c.kind !== 'create' && c.conversationId === conversationId),
    failNext(failure, times = 1, match = {}) {
      failures.push({ failure, left: times, match });
    },
    personalChatOf,
    reset() {
      calls.length = 0;
      failures.length = 0;
    },
    close() {
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function answer(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
