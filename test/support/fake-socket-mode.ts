import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { FAKE_BOT, FAKE_TEAM } from './fake-slack.js';
import { APP_ID, VERIFICATION_TOKEN } from './slack-requests.js';

/**
 * A stand-in for Slack's Socket Mode WebSocket endpoint on 127.0.0.1 (a `ws` server).
 *
 * Wire facts it follows (docs.slack.dev "Using Socket Mode", and
 * node_modules/@slack/socket-mode/dist/src/SocketModeClient.js, the client Bolt 5.1 uses):
 * - the client connects to the `url` apps.connections.open returned (`wss://…/link/?ticket=…&app_id=…`);
 * - Slack then sends `hello`; the client reports itself connected (and Bolt's `start()` resolves)
 *   only when that arrives;
 * - every payload comes in an envelope `{ envelope_id, type, payload, accepts_response_payload }`
 *   with `type` one of `slash_commands`, `interactive`, `events_api` (events also carry
 *   `retry_attempt` and `retry_reason`);
 * - the client acknowledges with `{ envelope_id, payload }` (SocketModeClient always sends a
 *   `payload`, `{}` when ack() carried nothing);
 * - `{ type: 'disconnect', reason }` asks the client to close this connection and open another;
 * - an app may hold up to 10 connections at once (each replica its own): Slack sends each envelope
 *   to one of them, and one not acknowledged in time again, possibly on another connection (the
 *   same envelope; events say so with `retry_attempt` and `retry_reason`).
 */

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface Ack {
  envelope_id: string;
  payload?: Record<string, unknown>;
}

export interface FakeConnection {
  /** 1 for the first connection the fake accepted, and so on. */
  readonly serial: number;
  /** The request path and query the client connected with. */
  readonly path: string;
  /** True once `hello` has gone out on it. */
  helloSent: boolean;
  /** The envelope ids acknowledged on this connection, in order. */
  readonly acked: string[];
  /** Set once the connection has closed: the close code and reason the fake saw (1006: no close frame). */
  closed?: { code: number; reason: string };
  readonly socket: WebSocket;
}

export interface SendOptions {
  envelopeId?: string;
  /** Defaults to true for slash commands and interactivity, false for events, as Slack sends them. */
  acceptsResponsePayload?: boolean;
  /** events_api only: Slack's redelivery count and reason. */
  retryAttempt?: number;
  retryReason?: string;
  /** How long to wait for the ack; 5 s unless told. */
  timeoutMs?: number;
  /**
   * Where the envelope goes: a given connection, `'next'` for the open connections in turn (as
   * Slack spreads envelopes over an app's connections), or the newest open one unless told.
   */
  to?: FakeConnection | 'next';
}

export interface FakeSocketMode {
  /** A WebSocket URL shaped like Slack's, for apps.connections.open to hand out. */
  readonly url: string;
  readonly appId: string;
  /** Every connection accepted, oldest first, open or closed. */
  readonly connections: FakeConnection[];
  /** Every acknowledgement received, in order. */
  readonly acks: Ack[];
  /** Every message a client sent that is not an ack (kept as parsed JSON, or the raw text). */
  readonly other: unknown[];
  /** Connections the fake can still send on (neither side has started closing them). */
  open(): FakeConnection[];
  /**
   * Resolves once the `count`th connection has been accepted and sent `hello` (the client may not
   * have read it yet: a round trip with send() proves it has).
   */
  connected(count?: number, timeoutMs?: number): Promise<FakeConnection>;
  /** Resolves once the `count`th connection has been accepted, greeted or not. */
  accepted(count?: number, timeoutMs?: number): Promise<FakeConnection>;
  /** While true, new connections get no `hello`: the client stays "connecting". */
  withholdHello: boolean;
  /** Resolves once every connection has closed on the fake's side too (its `closed` is set). */
  allClosed(timeoutMs?: number): Promise<void>;
  /** Sends an envelope (on the newest open connection unless told); resolves with its ack, rejects after the timeout. */
  send(type: EnvelopeType, payload: Record<string, unknown>, options?: SendOptions): Promise<Ack>;
  /** Sends any JSON message (or text) on the newest open connection, with no ack expected. */
  sendRaw(message: unknown): void;
  /** Slack's `disconnect` message (e.g. `refresh_requested`, `warning`, `link_disabled`). */
  requestDisconnect(reason?: string): void;
  /**
   * Ends every open connection from the server side: a close frame with `code` (the client
   * answers it), or with `abrupt` the TCP connection is destroyed without one.
   */
  dropConnections(options?: { code?: number; abrupt?: boolean }): void;
  close(): Promise<void>;
}

export const FAKE_SOCKET_HOST = 'applink-golive-test-1';

export async function startFakeSocketMode(options: { appId?: string } = {}): Promise<FakeSocketMode> {
  const appId = options.appId ?? APP_ID;
  const connections: FakeConnection[] = [];
  const acks: Ack[] = [];
  const other: unknown[] = [];
  const ackWaiters = new Map<string, { resolve: (ack: Ack) => void; reject: (error: Error) => void }>();
  // Re-checked after every connection, hello and close.
  const watchers = new Set<() => void>();
  const changed = () => {
    for (const check of [...watchers]) check();
  };

  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve, reject) => {
    wss.once('error', reject);
    wss.once('listening', () => {
      wss.off('error', reject);
      resolve();
    });
  });
  // A client that goes away mid-frame must not take the test process with it.
  wss.on('error', () => undefined);
  const port = (wss.address() as AddressInfo).port;

  wss.on('connection', (socket: WebSocket, request: IncomingMessage) => {
    const connection: FakeConnection = { serial: connections.length + 1, path: request.url ?? '/', helloSent: false, acked: [], socket };
    connections.push(connection);
    socket.on('error', () => undefined);
    socket.on('message', (data: RawData, isBinary: boolean) => {
      const text = isBinary ? undefined : rawText(data);
      const message = text === undefined ? data : parseJson(text);
      if (isAck(message)) {
        acks.push(message);
        connection.acked.push(message.envelope_id);
        const waiter = ackWaiters.get(message.envelope_id);
        ackWaiters.delete(message.envelope_id);
        waiter?.resolve(message);
      } else {
        other.push(message ?? text);
      }
    });
    socket.on('close', (code: number, reason: Buffer) => {
      connection.closed = { code, reason: reason.toString('utf8') };
      changed();
    });
    const hello = {
      type: 'hello',
      num_connections: connections.filter((c) => !c.closed).length,
      debug_info: { host: FAKE_SOCKET_HOST, started: new Date().toISOString().replace('T', ' ').replace('Z', ''), build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: appId },
    };
    if (!fakeSocketMode.withholdHello) {
      socket.send(JSON.stringify(hello), () => {
        connection.helloSent = true;
        changed();
      });
    }
    changed();
  });

  const open = () => connections.filter((c) => !c.closed && c.socket.readyState === c.socket.OPEN);
  const newest = () => {
    const current = open().at(-1);
    if (!current) throw new Error('fake socket mode: no open connection');
    return current;
  };
  let turn = 0;
  const target = (to: SendOptions['to']): FakeConnection => {
    if (to === undefined) return newest();
    if (to !== 'next') return to;
    const candidates = open();
    if (candidates.length === 0) throw new Error('fake socket mode: no open connection');
    const chosen = candidates[turn % candidates.length]!;
    turn += 1;
    return chosen;
  };

  function until<T>(check: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        stop();
        resolve(value);
      };
      const timer = setTimeout(() => {
        stop();
        reject(new Error(`fake socket mode: timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const stop = () => {
        clearTimeout(timer);
        watchers.delete(attempt);
      };
      watchers.add(attempt);
      attempt();
    });
  }

  const fakeSocketMode: FakeSocketMode = {
    withholdHello: false,
    url: `ws://127.0.0.1:${port}/link/?ticket=${randomUUID()}&app_id=${appId}`,
    appId,
    connections,
    acks,
    other,
    open,
    connected(count = 1, timeoutMs = 5000) {
      return until(() => (connections[count - 1]?.helloSent ? connections[count - 1] : undefined), timeoutMs, `connection ${count} to be greeted`);
    },
    accepted(count = 1, timeoutMs = 5000) {
      return until(() => connections[count - 1], timeoutMs, `connection ${count} to be accepted`);
    },
    async allClosed(timeoutMs = 5000) {
      await until(() => (connections.every((c) => c.closed) ? true : undefined), timeoutMs, 'every connection to close');
    },
    send(type, payload, sendOptions = {}) {
      const envelopeId = sendOptions.envelopeId ?? randomUUID();
      const timeoutMs = sendOptions.timeoutMs ?? 5000;
      const envelope = {
        envelope_id: envelopeId,
        type,
        payload,
        accepts_response_payload: sendOptions.acceptsResponsePayload ?? type !== 'events_api',
        ...(type === 'events_api' && { retry_attempt: sendOptions.retryAttempt ?? 0, retry_reason: sendOptions.retryReason ?? '' }),
      };
      return new Promise<Ack>((resolve, reject) => {
        const timer = setTimeout(() => {
          ackWaiters.delete(envelopeId);
          reject(new Error(`fake socket mode: no ack for ${type} envelope ${envelopeId} within ${timeoutMs} ms`));
        }, timeoutMs);
        ackWaiters.set(envelopeId, {
          resolve: (ack) => {
            clearTimeout(timer);
            resolve(ack);
          },
          reject: (error) => {
            clearTimeout(timer);
            reject(error);
          },
        });
        try {
          target(sendOptions.to).socket.send(JSON.stringify(envelope));
        } catch (error) {
          clearTimeout(timer);
          ackWaiters.delete(envelopeId);
          reject(error as Error);
        }
      });
    },
    sendRaw(message) {
      newest().socket.send(typeof message === 'string' ? message : JSON.stringify(message));
    },
    requestDisconnect(reason = 'refresh_requested') {
      newest().socket.send(JSON.stringify({ type: 'disconnect', reason, debug_info: { host: FAKE_SOCKET_HOST } }));
    },
    dropConnections({ code = 1001, abrupt = false } = {}) {
      for (const connection of open()) {
        if (abrupt) connection.socket.terminate();
        else connection.socket.close(code, 'fake socket mode going away');
      }
    },
    async close() {
      for (const connection of connections) connection.socket.terminate();
      for (const [envelopeId, waiter] of ackWaiters) waiter.reject(new Error(`fake socket mode: closed before envelope ${envelopeId} was acknowledged`));
      ackWaiters.clear();
      watchers.clear();
      await new Promise<void>((resolve, reject) => wss.close((error) => (error ? reject(error) : resolve())));
    },
  };
  return fakeSocketMode;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isAck(message: unknown): message is Ack {
  return typeof message === 'object' && message !== null && typeof (message as { envelope_id?: unknown }).envelope_id === 'string';
}

/** A `/release` slash command as Slack puts it in a `slash_commands` envelope: the HTTP form's fields, all strings. */
export function slashCommandPayload(args: { text: string; userId: string; channelId: string; command?: string; channelName?: string; teamId?: string; triggerId?: string }): Record<string, unknown> {
  const teamId = args.teamId ?? FAKE_TEAM.id;
  const n = nextSerial();
  return {
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: FAKE_TEAM.domain,
    channel_id: args.channelId,
    channel_name: args.channelName ?? args.channelId.toLowerCase(),
    user_id: args.userId,
    user_name: args.userId.toLowerCase(),
    command: args.command ?? '/release',
    text: args.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: `https://hooks.slack.com/commands/${teamId}/${n}/socketmode${n}`,
    trigger_id: args.triggerId ?? `${1_000_000_000 + n}.${200_000_000 + n}.socketmode${n}`,
  };
}

/** A button click on a message, as Slack puts it in an `interactive` envelope (the parsed JSON, not a form). */
export function blockActionPayload(args: { userId: string; channelId: string; actionId: string; value: string; messageTs?: string; triggerId?: string }): Record<string, unknown> {
  const n = nextSerial();
  const messageTs = args.messageTs ?? `1700000000.${String(n).padStart(6, '0')}`;
  return {
    type: 'block_actions',
    user: { id: args.userId, username: args.userId.toLowerCase(), name: args.userId.toLowerCase(), team_id: FAKE_TEAM.id },
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: { type: 'message', message_ts: messageTs, channel_id: args.channelId, is_ephemeral: false },
    trigger_id: args.triggerId ?? `${1_000_000_000 + n}.${200_000_000 + n}.socketmode${n}`,
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    channel: { id: args.channelId, name: args.channelId.toLowerCase() },
    message: { type: 'message', user: FAKE_BOT.userId, bot_id: FAKE_BOT.botId, ts: messageTs, text: 'golive', blocks: [] },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${FAKE_TEAM.id}/${n}/socketmode${n}`,
    actions: [
      {
        action_id: args.actionId,
        block_id: `b-${args.actionId}`,
        value: args.value,
        type: 'button',
        action_ts: `1700000000.${String(n).padStart(6, '0')}`,
        text: { type: 'plain_text', text: args.value, emoji: true },
      },
    ],
  };
}

let serial = 0;
function nextSerial(): number {
  serial += 1;
  return serial;
}
