import { createHmac } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { FAKE_BOT, FAKE_TEAM } from './fake-slack.js';

/**
 * Requests shaped and signed the way Slack sends them to `/slack/events`.
 *
 * Bolt's HTTPReceiver parses a body as a form only when Content-Type is exactly
 * `application/x-www-form-urlencoded` (a `; charset=…` suffix makes it try JSON and answer 400),
 * so these helpers send exactly Slack's content types.
 */

export const APP_ID = 'A0GOLIVE';
// The legacy verification token Slack still puts in every payload; Bolt ignores it.
export const VERIFICATION_TOKEN = 'legacyverificationtoken0';
export const FORM = 'application/x-www-form-urlencoded';

/** A Date, or Unix seconds. Bolt refuses a timestamp more than five minutes old (by its own Date.now()). */
export type Now = Date | number;

export interface SlackResponse {
  status: number;
  text: string;
  json?: unknown;
  headers: IncomingHttpHeaders;
}

export function signSlack(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export function unixSeconds(now?: Now): number {
  if (now instanceof Date) return Math.floor(now.getTime() / 1000);
  return now ?? Math.floor(Date.now() / 1000);
}

export interface RawRequest {
  body: string;
  contentType: string;
  /** Signs the body with it unless `signature` is given; with neither, no signature header is sent. */
  secret?: string;
  /** Unix seconds; defaults to now. */
  timestamp?: number;
  signature?: string;
  /** Sent last, so they override the Slack headers. */
  headers?: Record<string, string>;
  path?: string;
}

/** POSTs exactly `body`, for forged, stale and malformed requests as well as the helpers below. */
export function sendRaw(baseUrl: string, options: RawRequest): Promise<SlackResponse> {
  const timestamp = options.timestamp ?? unixSeconds();
  const signature = options.signature ?? (options.secret !== undefined ? signSlack(options.secret, timestamp, options.body) : undefined);
  const headers: Record<string, string> = {
    'content-type': options.contentType,
    'content-length': String(Buffer.byteLength(options.body)),
    'x-slack-request-timestamp': String(timestamp),
    ...(signature !== undefined && { 'x-slack-signature': signature }),
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...options.headers,
  };
  const url = new URL(options.path ?? '/slack/events', baseUrl);
  return new Promise((resolve, reject) => {
    // agent: false closes the connection after the answer, so the server under test can close at once.
    const req = request(url, { method: 'POST', headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const json = parseJson(text);
        resolve({ status: res.statusCode ?? 0, text, ...(json !== undefined && { json }), headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export interface SlashCommandArgs {
  text: string;
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  teamId?: string;
  triggerId?: string;
  responseUrl?: string;
  command?: string;
  headers?: Record<string, string>;
  now?: Now;
}

export function slashCommand(baseUrl: string, secret: string, args: SlashCommandArgs): Promise<SlackResponse> {
  return sendRaw(baseUrl, slashCommandRequest(secret, args));
}

/** A slash command built and signed once, so the very same bytes can be sent more than once (a retry, perhaps to another replica). */
export function slashCommandRequest(secret: string, args: SlashCommandArgs): RawRequest {
  const teamId = args.teamId ?? FAKE_TEAM.id;
  // Slack's field order, so a captured body reads like a real one.
  const form = new URLSearchParams({
    token: VERIFICATION_TOKEN,
    team_id: teamId,
    team_domain: FAKE_TEAM.domain,
    channel_id: args.channelId,
    channel_name: args.channelName ?? defaultChannelName(args.channelId),
    user_id: args.userId,
    user_name: args.userName ?? args.userId.toLowerCase(),
    command: args.command ?? '/release',
    text: args.text,
    api_app_id: APP_ID,
    is_enterprise_install: 'false',
    response_url: args.responseUrl ?? `https://hooks.slack.com/commands/${teamId}/${nextSerial()}/${hex(24)}`,
    trigger_id: args.triggerId ?? triggerId(),
  });
  return { body: form.toString(), contentType: FORM, secret, timestamp: unixSeconds(args.now), ...(args.headers && { headers: args.headers }) };
}

export interface BlockActionArgs {
  userId: string;
  userName?: string;
  channelId: string;
  channelName?: string;
  messageTs?: string;
  actionId: string;
  value: string;
  blockId?: string;
  triggerId?: string;
  container?: 'message' | 'view';
  viewId?: string;
  /** For a view container: a button on the App Home tab, or in a modal. */
  viewType?: 'home' | 'modal';
  privateMetadata?: string;
  responseUrl?: string;
  headers?: Record<string, string>;
  now?: Now;
}

export function blockAction(baseUrl: string, secret: string, args: BlockActionArgs): Promise<SlackResponse> {
  const now = args.now;
  const inView = args.container === 'view';
  const messageTs = args.messageTs ?? `${unixSeconds(now)}.000100`;
  const viewId = args.viewId ?? `V${String(nextSerial()).padStart(10, '0')}`;
  const payload: Record<string, unknown> = {
    type: 'block_actions',
    user: user(args.userId, args.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    container: inView ? { type: 'view', view_id: viewId } : { type: 'message', message_ts: messageTs, channel_id: args.channelId, is_ephemeral: false },
    trigger_id: args.triggerId ?? triggerId(),
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    enterprise: null,
    is_enterprise_install: false,
    ...(inView
      ? { view: view(viewId, { type: args.viewType ?? 'modal', private_metadata: args.privateMetadata ?? '' }) }
      : {
          channel: { id: args.channelId, name: args.channelName ?? defaultChannelName(args.channelId) },
          message: { type: 'message', user: FAKE_BOT.userId, ts: messageTs, text: 'golive', blocks: [] },
          state: { values: {} },
          response_url: args.responseUrl ?? `https://hooks.slack.com/actions/${FAKE_TEAM.id}/${nextSerial()}/${hex(24)}`,
        }),
    actions: [
      {
        action_id: args.actionId,
        block_id: args.blockId ?? `b-${args.actionId}`,
        value: args.value,
        type: 'button',
        action_ts: actionTs(now),
        text: { type: 'plain_text', text: args.value, emoji: true },
      },
    ],
  };
  return sendPayload(baseUrl, secret, payload, now, args.headers);
}

export interface ViewSubmissionArgs {
  userId: string;
  userName?: string;
  callbackId: string;
  privateMetadata: string;
  /** blockId → actionId → the text typed into that plain_text_input. */
  values: Record<string, Record<string, string>>;
  viewId?: string;
  triggerId?: string;
  headers?: Record<string, string>;
  now?: Now;
}

export function viewSubmission(baseUrl: string, secret: string, args: ViewSubmissionArgs): Promise<SlackResponse> {
  const values = Object.fromEntries(
    Object.entries(args.values).map(([blockId, actions]) => [blockId, Object.fromEntries(Object.entries(actions).map(([actionId, value]) => [actionId, { type: 'plain_text_input', value }]))]),
  );
  const viewId = args.viewId ?? `V${String(nextSerial()).padStart(10, '0')}`;
  const payload = {
    type: 'view_submission',
    team: { id: FAKE_TEAM.id, domain: FAKE_TEAM.domain },
    user: user(args.userId, args.userName),
    api_app_id: APP_ID,
    token: VERIFICATION_TOKEN,
    trigger_id: args.triggerId ?? triggerId(),
    view: view(viewId, { type: 'modal', callback_id: args.callbackId, private_metadata: args.privateMetadata, state: { values } }),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return sendPayload(baseUrl, secret, payload, args.now, args.headers);
}

export interface EventOptions {
  retryNum?: number;
  retryReason?: string;
  /** Slack keeps the event_id across retries: pass the first delivery's id to retry it. */
  eventId?: string;
  headers?: Record<string, string>;
  now?: Now;
}

export function event(baseUrl: string, secret: string, eventBody: Record<string, unknown>, options: EventOptions = {}): Promise<SlackResponse> {
  const body = {
    token: VERIFICATION_TOKEN,
    team_id: FAKE_TEAM.id,
    api_app_id: APP_ID,
    event: eventBody,
    type: 'event_callback',
    event_id: options.eventId ?? `Ev${String(nextSerial()).padStart(10, '0')}`,
    event_time: unixSeconds(options.now),
    authorizations: [{ enterprise_id: null, team_id: FAKE_TEAM.id, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
    is_ext_shared_channel: false,
  };
  const headers = {
    ...(options.retryNum !== undefined && { 'x-slack-retry-num': String(options.retryNum) }),
    ...(options.retryReason !== undefined && { 'x-slack-retry-reason': options.retryReason }),
    ...options.headers,
  };
  return sendSigned(baseUrl, secret, JSON.stringify(body), 'application/json', options.now, headers);
}

export function appHomeOpened(userId: string, now?: Now): Record<string, unknown> {
  return { type: 'app_home_opened', user: userId, channel: `D${userId.replace(/^[UW]/, '')}`, tab: 'home', event_ts: actionTs(now) };
}

function sendPayload(baseUrl: string, secret: string, payload: unknown, now: Now | undefined, headers?: Record<string, string>): Promise<SlackResponse> {
  const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
  return sendSigned(baseUrl, secret, body, FORM, now, headers);
}

function sendSigned(baseUrl: string, secret: string, body: string, contentType: string, now: Now | undefined, headers?: Record<string, string>): Promise<SlackResponse> {
  return sendRaw(baseUrl, { body, contentType, secret, timestamp: unixSeconds(now), ...(headers && { headers }) });
}

function user(id: string, name?: string) {
  const handle = name ?? id.toLowerCase();
  return { id, username: handle, name: handle, team_id: FAKE_TEAM.id };
}

function view(id: string, fields: Record<string, unknown>) {
  return {
    id,
    team_id: FAKE_TEAM.id,
    type: 'modal',
    callback_id: '',
    private_metadata: '',
    state: { values: {} },
    hash: `${id}.${hex(8)}`,
    title: { type: 'plain_text', text: 'golive', emoji: true },
    blocks: [],
    app_id: APP_ID,
    bot_id: FAKE_BOT.botId,
    ...fields,
  };
}

function defaultChannelName(channelId: string): string {
  return channelId.startsWith('D') ? 'directmessage' : channelId.toLowerCase();
}

let serial = 0;
function nextSerial(): number {
  serial += 1;
  return serial;
}

function triggerId(): string {
  return `${1_000_000_000 + nextSerial()}.${200_000_000 + nextSerial()}.${hex(32)}`;
}

function actionTs(now?: Now): string {
  return `${unixSeconds(now)}.${String(nextSerial() % 1e6).padStart(6, '0')}`;
}

// Deterministic hex, so runs are repeatable; Slack's are random, and nothing checks them.
function hex(length: number): string {
  const seed = createHmac('sha256', 'golive-test').update(String(nextSerial())).digest('hex');
  return seed.repeat(Math.ceil(length / seed.length)).slice(0, length);
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
