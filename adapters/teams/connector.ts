import type { ConversationReference } from '@microsoft/agents-activity';
import { HttpError, type CloudAdapter, type ConnectorClient } from '@microsoft/agents-hosting';
import { RetryLater } from '../../src/app/delivery/chat-port.js';
import { headerText, send } from '../http-send.js';
import type { Clock } from '../../src/app/clock.js';

// Every call golive makes to the Bot Connector: through CloudAdapter.continueConversation, which
// gets the bot's token for the conversation's service URL, then the SDK's connector client (for
// opening a personal chat), or that client's address and headers (for messages, sent by
// http-send.ts). Neither retries, so a message is sent at most once per call; the outbox decides
// whether to try again, from the errors mapped here. The SDK's client has no timeout of its own
// (fetch would wait minutes for an answer): each request is given one, so a delivery (at most two
// requests: opening a personal chat, then the message) ends within DELIVERY_TIMEOUT_MS.

/** One Bot Connector request's longest wait. */
export const TEAMS_CALL_TIMEOUT_MS = 10_000;

/** Where a conversation lives: what a stored reference holds besides its id. */
export interface Place {
  serviceUrl: string;
  tenantId?: string;
  botId?: string;
}

/** The parts of an outgoing message activity golive sets. */
export interface Outgoing {
  text?: string;
  textFormat?: 'plain' | 'markdown' | 'xml';
  summary?: string;
  attachments?: Array<{ contentType: string; content: unknown }>;
}

/** The bot's app id, or an identity object (local mode: one without an app id). */
export type BotIdentity = Parameters<CloudAdapter['continueConversation']>[0];

/** The Bot Connector client the SDK made for an inbound activity, and the service URL it calls. */
export interface TurnClient {
  serviceUrl: string;
  client: ConnectorClient;
}

export class Connector {
  constructor(
    private readonly cloud: CloudAdapter,
    /** The bot's app id, or (local mode) an identity without one: the SDK then sends no token. */
    private readonly identity: BotIdentity,
    private readonly clock: Clock,
    private readonly timeoutMs: number = TEAMS_CALL_TIMEOUT_MS,
    private readonly turn?: TurnClient,
  ) {}

  /**
   * This connector, calling through the client of an inbound activity's turn wherever a call goes
   * to that activity's service URL: answering it then costs the one request, with no new client,
   * token look-up or middleware run per answer (continueConversation's). The client is the bot's
   * own for that service URL, made seconds ago, as continueConversation would make it.
   */
  within(turn: TurnClient | undefined): Connector {
    return turn ? new Connector(this.cloud, this.identity, this.clock, this.timeoutMs, turn) : this;
  }

  /** Posts a new message to the conversation; resolves with the id Teams gave it. */
  async send(place: Place, conversationId: string, message: Outgoing): Promise<string> {
    const sent = await this.withClient(place, conversationId, (client) =>
      sendActivity(client, 'POST', `v3/conversations/${conversationId}/activities`, activityBody(place, conversationId, message), this.timeoutMs),
    );
    return sent.id ?? '';
  }

  /** Replaces a message golive posted, for everyone who sees it. */
  async update(place: Place, conversationId: string, activityId: string, message: Outgoing): Promise<void> {
    await this.withClient(place, conversationId, (client) =>
      sendActivity(client, 'PUT', `v3/conversations/${conversationId}/activities/${encodeURIComponent(activityId)}`, activityBody(place, conversationId, message, activityId), this.timeoutMs),
    );
  }

  /** Opens (or finds: Teams answers with the existing one) golive's personal chat with a person. */
  async createPersonal(place: Place, userId: string): Promise<string> {
    const created = await this.withClient(place, undefined, (client) =>
      // The wire names the bot `bot`; the SDK's type calls it `agent`.
      client.createConversation({
        isGroup: false,
        bot: place.botId ? { id: place.botId } : undefined,
        members: [{ id: userId }],
        ...(place.tenantId && { tenantId: place.tenantId, channelData: { tenant: { id: place.tenantId } } }),
      } as unknown as Parameters<ConnectorClient['createConversation']>[0]),
    );
    if (!created.id) throw new Error(`Teams did not say which personal chat it opened with ${userId}`);
    return created.id;
  }

  private async withClient<T>(place: Place, conversationId: string | undefined, work: (client: ConnectorClient) => Promise<T>): Promise<T> {
    if (this.turn && this.turn.serviceUrl === place.serviceUrl) {
      withTimeout(this.turn.client, this.timeoutMs);
      try {
        return await work(this.turn.client);
      } catch (error) {
        throw deliveryError(error, this.clock.now());
      }
    }
    let result: { value: T } | undefined;
    try {
      await this.cloud.continueConversation(this.identity, reference(place, conversationId), async (context) => {
        const client = context.turnState.get<ConnectorClient>(this.cloud.ConnectorClientKey);
        withTimeout(client, this.timeoutMs);
        result = { value: await work(client) };
      });
    } catch (error) {
      throw deliveryError(error, this.clock.now());
    }
    if (!result) throw new Error('the Teams connector call did not run');
    return result.value;
  }
}

const timed = new WeakSet<ConnectorClient>();

/** Gives every request of this client (one per call or turn: the SDK makes it) a timeout, unless it has its own. */
function withTimeout(client: ConnectorClient, timeoutMs: number): void {
  if (timed.has(client)) return;
  timed.add(client);
  const http = client.httpClient;
  const request = http.request.bind(http);
  http.request = (config) => request(config.timeout === undefined && config.signal === undefined ? { ...config, timeout: timeoutMs } : config);
}

function reference(place: Place, conversationId: string | undefined): ConversationReference {
  return {
    channelId: 'msteams',
    serviceUrl: place.serviceUrl,
    // Creating a conversation needs a client for the service URL, not a conversation yet.
    conversation: { id: conversationId ?? 'golive:new-conversation', ...(place.tenantId && { tenantId: place.tenantId }) },
    ...(place.botId && { agent: { id: place.botId } }),
  };
}

/**
 * The message activity as the JSON bytes the connector is sent. The SDK's sendToConversation and
 * updateActivity copy an activity through JSON.stringify and JSON.parse, then serialise it again:
 * for a status card of 14 KB, three passes over it per answer, and most of the CPU golive spent on
 * an answer beyond the bare SDK's. golive makes these activities itself, with nothing to rename
 * for the wire (no relatesTo), and sends them to the same address, with the same token and timeout.
 * A card shared by many answers (frozen) is serialised and encoded once, and the body is bytes
 * outside the JavaScript heap, not a new 14 KB string per answer.
 */
function activityBody(place: Place, conversationId: string, message: Outgoing, id?: string): Buffer {
  const { attachments, ...rest } = message;
  const head = JSON.stringify({
    type: 'message',
    ...(id && { id }),
    ...(place.botId && { from: { id: place.botId } }),
    conversation: { id: conversationId, ...(place.tenantId && { tenantId: place.tenantId }) },
    ...rest,
  });
  if (attachments === undefined) return Buffer.from(head);
  const parts: Buffer[] = [Buffer.from(`${head.slice(0, -1)},"attachments":[`)];
  attachments.forEach((a, i) => parts.push(Buffer.from(`${i > 0 ? ',' : ''}{"contentType":${JSON.stringify(a.contentType)},"content":`), contentBytes(a.content), CLOSE));
  parts.push(END);
  return Buffer.concat(parts);
}

const CLOSE = Buffer.from('}');
const END = Buffer.from(']}');
const encoded = new WeakMap<object, Buffer>();

function contentBytes(content: unknown): Buffer {
  if (typeof content !== 'object' || content === null || !Object.isFrozen(content)) return Buffer.from(JSON.stringify(content) ?? 'null');
  let bytes = encoded.get(content);
  if (bytes === undefined) encoded.set(content, (bytes = Buffer.from(JSON.stringify(content))));
  return bytes;
}

/**
 * One activity to the connector, at the SDK client's address with its headers (its token among
 * them), through node's HTTP client (http-send.ts); resolves with what it answered (the id Teams
 * gave it). A refusal is the SDK's own HttpError, so deliveryError reads it as it reads the SDK's.
 */
async function sendActivity(client: ConnectorClient, method: 'POST' | 'PUT', path: string, body: Buffer, timeoutMs: number): Promise<{ id?: string }> {
  const http = client.httpClient;
  const url = `${http.baseURL.replace(/\/$/, '')}/${path}`;
  const answer = await send(url, method, { ...http.defaultHeaders, 'content-type': 'application/json' }, body, timeoutMs);
  let data: unknown = answer.text;
  try {
    data = JSON.parse(answer.text);
  } catch {
    // Not JSON: kept as text, for the error below.
  }
  if (answer.status < 200 || answer.status > 299) {
    const headers = new Headers();
    for (const name of Object.keys(answer.headers)) headers.set(name, headerText(answer.headers, name) ?? '');
    const config = { method, url };
    throw new HttpError(`Request failed with status ${answer.status}`, { data, status: answer.status, statusText: answer.statusText, headers, config }, config);
  }
  const id = (data as { id?: unknown } | null)?.id;
  return typeof id === 'string' ? { id } : {};
}

const NETWORK = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Rate limited (429, with Retry-After) and server errors (5xx) may be tried again, after the wait
 * Teams asked for; so may a connection that failed. Anything else the connector refused is final.
 */
export function deliveryError(error: unknown, now: Date): Error {
  if (error instanceof HttpError) {
    const status = error.status;
    const detail = `Teams answered ${status}: ${String(error.message).slice(0, 500)}`;
    if (status === 429 || status >= 500) return new RetryLater(detail, retryAfterMs(error.response.headers?.get?.('retry-after') ?? null, now));
    return new Error(detail);
  }
  // fetch aborted by the request's timeout: Teams may or may not have the message.
  if (isTimeout(error)) return new RetryLater(`Teams did not answer within its time (${String((error as Error).message).slice(0, 200)})`);
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code ?? (error as { code?: unknown } | undefined)?.code;
  if ((error instanceof TypeError && error.message === 'fetch failed') || (typeof code === 'string' && NETWORK.has(code))) {
    return new RetryLater(`Teams could not be reached: ${typeof code === 'string' ? code : (error as Error).message}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}

function isTimeout(error: unknown): boolean {
  const named = (value: unknown) => (value as { name?: unknown } | undefined)?.name === 'TimeoutError';
  return named(error) || named((error as { cause?: unknown } | undefined)?.cause);
}

/** Retry-After in seconds, or as an HTTP date; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now.getTime());
}
