import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Slack Web API on 127.0.0.1, answering the methods golive uses the way
 * @slack/web-api 8 (the version Bolt 5.1 installs) calls them, and recording every request.
 *
 * Wire facts it relies on (from node_modules/@slack/web-api/dist/WebClient.js):
 * - every method is a POST to `<slackApiUrl><method>`, form-encoded, with the token in
 *   `Authorization: Bearer …` (and also as a `token` field when passed per call);
 * - non-scalar arguments (`blocks`, `view`, `files`, …) travel as JSON strings inside the form;
 * - scalars travel as strings (`unfurl_links=false`, `length=12`), and are recorded as such;
 * - `filesUploadV2` uploads the bytes as multipart/form-data, one part named `body` (filename
 *   `Untitled`), to the `upload_url` that files.getUploadURLExternal returned;
 * - Socket Mode's client calls `apps.connections.open` with the app-level token (`xapp-…`) in
 *   `Authorization: Bearer …` and no arguments, then connects to the `url` it answers with.
 *
 * It keeps what was posted (chat.postMessage, edited by chat.update) per conversation, and answers
 * conversations.history from it as Slack documents the method (docs.slack.dev/reference/methods/
 * conversations.history): messages newest first, after `oldest` and before `latest` (Unix
 * timestamps; the bounds themselves only with `inclusive`), at most `limit` (default 100, at most
 * 999) a page, `has_more` and `response_metadata.next_cursor` while more remain, and a message's
 * `metadata` ({event_type, event_payload}) only with `include_all_metadata`.
 */

export type FailMode = { status: 429; retryAfter: number } | { status: 500 } | { error: string };

export interface RecordedCall {
  /** A Web API method name, `upload` for the byte upload, or `response_url`. */
  method: string;
  /** Decoded arguments, without `token`. */
  body: Record<string, unknown>;
  /** From `Authorization: Bearer` or a `token` argument. */
  token?: string;
  /** The request's Content-Type: form-encoded (WebClient) or JSON (golive's chat calls). */
  contentType?: string;
  /** Date.now() when the request arrived. */
  at: number;
  /** Set when failNext refused the call: it was not delivered. */
  failed?: true;
  /** The uploaded bytes as UTF-8 (method `upload` only). */
  content?: string;
  /** The JSON the fake answered with (e.g. the `ts` chat.postMessage handed out). */
  response?: Record<string, unknown>;
}

export interface RecordedUpload {
  fileId: string;
  filename: string;
  title: string;
  channel_id?: string;
  initial_comment?: string;
  content: string;
}

/** A message the fake holds, as conversations.history answers with it (metadata aside). */
export interface HeldMessage {
  type: 'message';
  ts: string;
  text: string;
  blocks: unknown[];
  user: string;
  bot_id: string;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
}

export interface FakeSlackOptions {
  /** Gives each posted message its `ts` (made unique and increasing); default: a counter from 2023-11-14. */
  clock?: () => Date;
}

export interface FakeSlack {
  /** Base for `slackApiUrl`, ending with `/api/`. */
  readonly url: string;
  /** `http://127.0.0.1:PORT`, for the upload and response URLs it hands out. */
  readonly origin: string;
  readonly calls: RecordedCall[];
  /** Completed files.uploadV2 uploads, joined across their three requests. */
  readonly uploads: RecordedUpload[];
  callsTo(method: string): RecordedCall[];
  /** The next `times` calls of `method` are refused this way (recorded with `failed: true`). */
  failNext(method: string, mode: FailMode, times?: number): void;
  setUsergroup(id: string, userIds: string[]): void;
  /** What the conversation holds now (DMs under their D… id), oldest first. */
  messagesIn(channel: string): HeldMessage[];
  setChannel(id: string, name: string): void;
  /**
   * The WebSocket URL apps.connections.open answers with (see fake-socket-mode.ts); until one is
   * set, that method answers `unknown_method` like any other the fake does not know.
   */
  setSocketModeUrl(url: string | undefined): void;
  /** A URL that records what is POSTed to it as method `response_url`, for Bolt's `respond()`. */
  responseUrl(): string;
  /** Forgets calls and pending failures; keeps usergroups, channels, posted messages and the socket-mode URL, and never reuses a ts or id. */
  reset(): void;
  close(): Promise<void>;
}

export const FAKE_TEAM = { id: 'T0GOLIVE', domain: 'golive-test' } as const;
export const FAKE_BOT = { userId: 'U0GOLIVEBOT', botId: 'B0GOLIVE', name: 'golive' } as const;

// Arguments WebClient sends JSON-encoded; decoding only these keeps a `text` such as "[1]" a string.
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'unfurls', 'user_auth_blocks']);

type Json = Record<string, unknown>;
type Answer = { status: number; body: Json | string; headers?: Record<string, string>; call?: RecordedCall };

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const held = new Map<string, HeldMessage[]>();
  let lastMicros = 0n;
  const failures = new Map<string, Array<{ mode: FailMode; left: number }>>();
  const usergroups = new Map<string, string[]>();
  const channels = new Map<string, string>();
  const fileNames = new Map<string, string>();
  let socketModeUrl: string | undefined;
  let serial = 0;
  let origin = '';
  // Slack timestamps are seconds.microseconds; one counter keeps them unique and increasing.
  const nextTs = () => {
    serial += 1;
    const wanted = options.clock ? BigInt(options.clock().getTime()) * 1000n : 1_700_000_000_000_000n + BigInt(serial) * 100n;
    lastMicros = wanted > lastMicros ? wanted : lastMicros + 1n;
    return tsOf(lastMicros);
  };
  const nextId = (prefix: string) => {
    serial += 1;
    return `${prefix}${String(serial).padStart(8, '0')}`;
  };
  // Posting to a user id opens (or reuses) the DM, and Slack answers with the D… channel.
  const dmFor = (id: string) => (/^[UW]/.test(id) ? `D${id.slice(1)}` : id);

  const methods: Record<string, (body: Json) => Json> = {
    'apps.connections.open': () => (socketModeUrl ? { url: socketModeUrl } : { ok: false, error: 'unknown_method' }),
    'auth.test': () => ({
      url: `https://${FAKE_TEAM.domain}.slack.com/`,
      team: 'golive test',
      user: FAKE_BOT.name,
      team_id: FAKE_TEAM.id,
      user_id: FAKE_BOT.userId,
      bot_id: FAKE_BOT.botId,
      is_enterprise_install: false,
    }),
    'chat.postMessage': (b) => {
      const ts = nextTs();
      const channel = dmFor(str(b.channel));
      const message: HeldMessage = {
        type: 'message',
        ts,
        text: str(b.text),
        blocks: Array.isArray(b.blocks) ? b.blocks : [],
        user: FAKE_BOT.userId,
        bot_id: FAKE_BOT.botId,
        ...metadataOf(b.metadata),
      };
      held.set(channel, [...(held.get(channel) ?? []), message]);
      return { channel, ts, message: { ...structuredClone(message), subtype: 'bot_message' } };
    },
    'chat.update': (b) => {
      const message = held.get(str(b.channel))?.find((m) => m.ts === str(b.ts));
      if (message) {
        message.text = str(b.text);
        message.blocks = Array.isArray(b.blocks) ? b.blocks : [];
      }
      return { channel: str(b.channel), ts: str(b.ts), text: b.text ?? '', message: { text: b.text ?? '', blocks: b.blocks ?? [] } };
    },
    'conversations.history': (b) => history(held.get(str(b.channel)) ?? [], b),
    'chat.postEphemeral': () => ({ message_ts: nextTs() }),
    'views.open': (b) => ({ view: viewAnswer(b.view, nextId('V')) }),
    'views.update': (b) => ({ view: viewAnswer(b.view, typeof b.view_id === 'string' ? b.view_id : nextId('V')) }),
    'views.publish': (b) => ({ view: viewAnswer(b.view, nextId('V')) }),
    'usergroups.users.list': (b) => {
      const users = usergroups.get(str(b.usergroup));
      return users ? { users: [...users] } : { ok: false, error: 'no_such_subteam' };
    },
    'conversations.info': (b) => {
      const id = str(b.channel);
      return { channel: { id, name: channels.get(id) ?? id.toLowerCase(), is_channel: id.startsWith('C'), is_private: id.startsWith('G'), is_im: id.startsWith('D') } };
    },
    'conversations.open': (b) => {
      const first = str(b.users).split(',')[0] ?? '';
      return { channel: { id: dmFor(first) } };
    },
    'files.getUploadURLExternal': (b) => {
      const fileId = nextId('F');
      fileNames.set(fileId, str(b.filename));
      return { upload_url: `${origin}/upload/${fileId}`, file_id: fileId };
    },
    'files.completeUploadExternal': (b) => {
      const files = Array.isArray(b.files) ? (b.files as Json[]) : [];
      return { files: files.map((f) => ({ id: f.id, title: f.title ?? fileNames.get(str(f.id)) ?? '', name: fileNames.get(str(f.id)) ?? '' })) };
    },
  };

  function takeFailure(method: string): FailMode | undefined {
    const queue = failures.get(method);
    const head = queue?.[0];
    if (!queue || !head) return undefined;
    head.left -= 1;
    if (head.left <= 0) queue.shift();
    return head.mode;
  }

  function failureAnswer(mode: FailMode): Answer {
    if ('error' in mode) return { status: 200, body: { ok: false, error: mode.error } };
    if (mode.status === 429) return { status: 429, body: { ok: false, error: 'ratelimited' }, headers: { 'retry-after': String(mode.retryAfter) } };
    return { status: 500, body: { ok: false, error: 'internal_error' } };
  }

  async function handle(req: IncomingMessage): Promise<Answer> {
    const raw = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const call: RecordedCall = { method: '', body: {}, at: Date.now(), ...(req.headers['content-type'] && { contentType: req.headers['content-type'] }) };
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];

    const upload = /^\/upload\/([^/]+)$/.exec(path);
    if (upload) {
      call.method = 'upload';
      const part = decodeUpload(req.headers['content-type'] ?? '', raw);
      call.body = { file_id: upload[1], ...(part.filename !== undefined && { filename: part.filename }) };
      call.content = part.content.toString('utf8');
    } else if (path.startsWith('/response/')) {
      call.method = 'response_url';
      call.body = decodeBody(req.headers['content-type'] ?? '', raw);
    } else if (path.startsWith('/api/')) {
      call.method = decodeURIComponent(path.slice('/api/'.length));
      call.body = decodeBody(req.headers['content-type'] ?? '', raw);
    } else {
      return { status: 404, body: 'not found' };
    }
    const { token, ...rest } = call.body;
    call.body = rest;
    const callToken = bearer ?? (typeof token === 'string' ? token : undefined);
    if (callToken !== undefined) call.token = callToken;
    calls.push(call);

    const failure = takeFailure(call.method);
    if (failure) {
      call.failed = true;
      return { ...failureAnswer(failure), call };
    }
    if (call.method === 'upload') return { status: 200, body: `OK - ${Buffer.byteLength(call.content ?? '')}` };
    if (call.method === 'response_url') return { status: 200, body: 'ok' };
    const answer = methods[call.method];
    if (!answer) return { status: 200, body: { ok: false, error: 'unknown_method' }, call };
    return { status: 200, body: { ok: true, ...answer(call.body) }, call };
  }

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    handle(req).then(
      ({ status, body, headers, call }) => {
        if (call && typeof body !== 'string') call.response = body;
        const text = typeof body === 'string' ? body : JSON.stringify(body);
        const type = typeof body === 'string' ? 'text/plain' : 'application/json; charset=utf-8';
        res.writeHead(status, { 'content-type': type, ...headers });
        res.end(text);
      },
      (error: unknown) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`fake-slack: ${String(error)}`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const callsTo = (method: string) => calls.filter((c) => c.method === method);

  return {
    url: `${origin}/api/`,
    origin,
    calls,
    get uploads(): RecordedUpload[] {
      const delivered = (m: string) => callsTo(m).filter((c) => !c.failed);
      const uploaded = new Map(delivered('upload').map((c) => [str(c.body.file_id), c.content ?? '']));
      return delivered('files.completeUploadExternal').flatMap((c) =>
        (Array.isArray(c.body.files) ? (c.body.files as Json[]) : []).map((f) => {
          const fileId = str(f.id);
          const filename = fileNames.get(fileId) ?? '';
          return {
            fileId,
            filename,
            title: typeof f.title === 'string' ? f.title : filename,
            ...(typeof c.body.channel_id === 'string' && { channel_id: c.body.channel_id }),
            ...(typeof c.body.initial_comment === 'string' && { initial_comment: c.body.initial_comment }),
            content: uploaded.get(fileId) ?? '',
          };
        }),
      );
    },
    callsTo,
    failNext(method, mode, times = 1) {
      const queue = failures.get(method) ?? [];
      queue.push({ mode, left: times });
      failures.set(method, queue);
    },
    messagesIn(channel) {
      return structuredClone(held.get(channel) ?? []);
    },
    setUsergroup(id, userIds) {
      usergroups.set(id, [...userIds]);
    },
    setChannel(id, name) {
      channels.set(id, name);
    },
    setSocketModeUrl(url) {
      socketModeUrl = url;
    },
    responseUrl() {
      return `${origin}/response/${nextId('R')}`;
    },
    reset() {
      calls.length = 0;
      failures.clear();
    },
    close() {
      // WebClient's fetch keeps connections alive; without this close() waits for them to time out.
      server.closeAllConnections();
      return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
    },
  };
}

function tsOf(micros: bigint): string {
  return `${micros / 1_000_000n}.${String(micros % 1_000_000n).padStart(6, '0')}`;
}

/** A Slack timestamp ("1700000000.000100", or whole seconds) in microseconds; undefined when it is none. */
function microsOf(ts: unknown): bigint | undefined {
  const match = /^(\d+)(?:\.(\d{1,6}))?$/.exec(str(ts));
  if (!match) return undefined;
  return BigInt(match[1]!) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'));
}

function metadataOf(value: unknown): Pick<HeldMessage, 'metadata'> {
  if (typeof value !== 'object' || value === null) return {};
  const { event_type, event_payload } = value as Json;
  if (typeof event_type !== 'string') return {};
  return { metadata: { event_type, event_payload: typeof event_payload === 'object' && event_payload !== null ? (event_payload as Record<string, unknown>) : {} } };
}

/** conversations.history over what a conversation holds; see the header for the rules it follows. */
function history(messages: readonly HeldMessage[], b: Json): Json {
  const limit = b.limit === undefined ? 100 : Number(b.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 999) return { ok: false, error: 'invalid_limit' };
  const oldest = b.oldest === undefined ? undefined : microsOf(b.oldest);
  const latest = b.latest === undefined ? undefined : microsOf(b.latest);
  if ((b.oldest !== undefined && oldest === undefined) || (b.latest !== undefined && latest === undefined)) return { ok: false, error: 'invalid_ts_oldest' };
  const inclusive = str(b.inclusive) === 'true' || str(b.inclusive) === '1';
  const withMetadata = str(b.include_all_metadata) === 'true' || str(b.include_all_metadata) === '1';
  let before: bigint | undefined;
  if (b.cursor !== undefined) {
    before = microsOf(
      Buffer.from(str(b.cursor), 'base64')
        .toString('utf8')
        .replace(/^before:/, ''),
    );
    if (before === undefined) return { ok: false, error: 'invalid_cursor' };
  }
  const inRange = messages
    .filter((m) => {
      const at = microsOf(m.ts)!;
      if (oldest !== undefined && (inclusive ? at < oldest : at <= oldest)) return false;
      if (latest !== undefined && (inclusive ? at > latest : at >= latest)) return false;
      return before === undefined || at < before;
    })
    .reverse();
  const page = inRange.slice(0, limit).map((m) => {
    const { metadata, ...rest } = structuredClone(m);
    return withMetadata && metadata ? { ...rest, metadata } : rest;
  });
  const hasMore = inRange.length > limit;
  return {
    messages: page,
    has_more: hasMore,
    pin_count: 0,
    ...(hasMore && { response_metadata: { next_cursor: Buffer.from(`before:${page.at(-1)!.ts}`).toString('base64') } }),
  };
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
}

function viewAnswer(view: unknown, id: string): Json {
  const given = view && typeof view === 'object' ? (view as Json) : {};
  return { ...given, id, team_id: FAKE_TEAM.id, hash: `${id}.hash`, state: { values: {} } };
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function decodeBody(contentType: string, raw: Buffer): Json {
  const text = raw.toString('utf8');
  if (contentType.startsWith('application/json')) {
    return text ? (JSON.parse(text) as Json) : {};
  }
  const body: Json = {};
  for (const [key, value] of new URLSearchParams(text)) {
    body[key] = JSON_FIELDS.has(key) ? parseJsonOr(value) : value;
  }
  return body;
}

function parseJsonOr(value: string): unknown {
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

/** The file part of a multipart upload (WebClient's part is named `body`), or the raw bytes. */
function decodeUpload(contentType: string, raw: Buffer): { filename?: string; content: Buffer } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  if (!contentType.startsWith('multipart/form-data') || !boundary) return { content: raw };
  const parts = splitMultipart(raw, `--${boundary[1] ?? boundary[2]}`);
  const file = parts.find((p) => p.filename !== undefined) ?? parts.find((p) => p.name === 'body') ?? parts[0];
  return file ? { ...(file.filename !== undefined && { filename: file.filename }), content: file.content } : { content: Buffer.alloc(0) };
}

function splitMultipart(raw: Buffer, delimiter: string): Array<{ name?: string; filename?: string; content: Buffer }> {
  const parts: Array<{ name?: string; filename?: string; content: Buffer }> = [];
  let start = raw.indexOf(delimiter);
  while (start !== -1) {
    const headerStart = start + delimiter.length + 2; // past the delimiter's CRLF
    const next = raw.indexOf(`\r\n${delimiter}`, headerStart);
    if (next === -1) break;
    const headerEnd = raw.indexOf('\r\n\r\n', headerStart);
    if (headerEnd !== -1 && headerEnd < next) {
      const headers = raw.subarray(headerStart, headerEnd).toString('utf8');
      const name = /(?:^|[;\s])name="([^"]*)"/i.exec(headers)?.[1];
      const filename = /filename="([^"]*)"/i.exec(headers)?.[1];
      parts.push({ ...(name !== undefined && { name }), ...(filename !== undefined && { filename }), content: raw.subarray(headerEnd + 4, next) });
    }
    start = next + 2;
  }
  return parts;
}
