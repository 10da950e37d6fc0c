import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel, type BlockAction, type ButtonAction, type Logger } from '@slack/bolt';
import { ErrorCode, WebClient } from '@slack/web-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_BOT, startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { appHomeOpened, blockAction, event, FORM, sendRaw, signSlack, slashCommand, unixSeconds, viewSubmission } from './support/slack-requests.js';

const TOKEN = 'xoxb-test-token';
const SECRET = 'test-signing-secret';

function silentLogger(lines: string[] = []): Logger {
  let level = LogLevel.ERROR;
  const keep = (...msg: unknown[]) => void lines.push(msg.map(String).join(' '));
  return { debug: () => {}, info: () => {}, warn: keep, error: keep, setLevel: (l) => void (level = l), getLevel: () => level, setName: () => {} };
}

// Retries off and 429s rejected at once: otherwise WebClient waits out Retry-After in real time.
function client(fake: FakeSlack): WebClient {
  return new WebClient(TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true, logger: silentLogger() });
}

let fake: FakeSlack;
beforeEach(async () => {
  fake = await startFakeSlack();
});
afterEach(async () => {
  await fake.close();
});

describe('fake Slack Web API, driven by the real WebClient', () => {
  it('records chat.postMessage with its blocks decoded, and answers with a fresh ts', async () => {
    const web = client(fake);
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: '*1.4* is ready' } }];
    const first = await web.chat.postMessage({ channel: 'C1', text: '1.4 is ready', blocks, unfurl_links: false });
    const second = await web.chat.postMessage({ channel: 'C1', text: 'again' });

    expect(first.ok).toBe(true);
    expect(first.channel).toBe('C1');
    expect(first.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(Number(second.ts)).toBeGreaterThan(Number(first.ts));
    expect(first.message?.text).toBe('1.4 is ready');
    expect(fake.callsTo('chat.postMessage')[0]?.response).toMatchObject({ ok: true, ts: first.ts });

    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.token).toBe(TOKEN);
    expect(call?.body.blocks).toEqual(blocks);
    expect(call?.body).toMatchObject({ channel: 'C1', text: '1.4 is ready', unfurl_links: 'false' });
    expect(call?.failed).toBeUndefined();
  });

  it('answers a post to a user id with the DM channel, as Slack does', async () => {
    const posted = await client(fake).chat.postMessage({ channel: 'U42', text: 'hi' });
    expect(posted.channel).toBe('D42');
  });

  it('records chat.update and echoes channel and ts', async () => {
    const web = client(fake);
    const { ts } = await web.chat.postMessage({ channel: 'C1', text: 'v1' });
    const updated = await web.chat.update({ channel: 'C1', ts: ts!, text: 'v2', blocks: [{ type: 'divider' }] });
    expect(updated).toMatchObject({ ok: true, channel: 'C1', ts });
    expect(fake.callsTo('chat.update')[0]?.body).toMatchObject({ channel: 'C1', ts, text: 'v2', blocks: [{ type: 'divider' }] });
  });

  it('surfaces a 429 with Retry-After as a rate-limited error, and records the call as refused', async () => {
    const web = client(fake);
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 7 });

    const error = await web.chat.postMessage({ channel: 'C1', text: 'x' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.RateLimitedError, retryAfter: 7 });

    await web.chat.postMessage({ channel: 'C1', text: 'x' });
    expect(fake.callsTo('chat.postMessage').map((c) => c.failed ?? false)).toEqual([true, false]);
  });

  it('without rejectRateLimitedCalls, waits out Retry-After and then fails as a request error', async () => {
    // Retry-After 0 keeps this instant; a real value would stall the whole client queue that long.
    const web = new WebClient(TOKEN, { slackApiUrl: fake.url, retryConfig: { retries: 0 }, logger: silentLogger() });
    fake.failNext('chat.postMessage', { status: 429, retryAfter: 0 });
    await expect(web.chat.postMessage({ channel: 'C1', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.RequestError });
  });

  it('surfaces a 500 as an HTTP error, and an ok:false answer as a platform error', async () => {
    const web = client(fake);
    fake.failNext('chat.update', { status: 500 });
    fake.failNext('chat.postMessage', { error: 'channel_not_found' }, 2);

    await expect(web.chat.update({ channel: 'C1', ts: '1.2', text: 'x' })).rejects.toMatchObject({ code: ErrorCode.HTTPError, statusCode: 500 });
    for (let i = 0; i < 2; i += 1) {
      await expect(web.chat.postMessage({ channel: 'C9', text: 'x' })).rejects.toMatchObject({
        code: ErrorCode.PlatformError,
        data: { ok: false, error: 'channel_not_found' },
      });
    }
    await expect(web.chat.postMessage({ channel: 'C9', text: 'x' })).resolves.toMatchObject({ ok: true });
  });

  it('captures filesUploadV2 across its three requests, with the uploaded content', async () => {
    const web = client(fake);
    await web.filesUploadV2({ channel_id: 'C1', file: Buffer.from('line 1\nline 2\n'), filename: 'audit.csv', title: 'Audit 1.4', initial_comment: 'Audit trail' });
    await web.filesUploadV2({ channel_id: 'C2', content: 'plain text', filename: 'notes.txt' });

    expect(fake.calls.map((c) => c.method)).toEqual(['files.getUploadURLExternal', 'upload', 'files.completeUploadExternal', 'files.getUploadURLExternal', 'upload', 'files.completeUploadExternal']);
    expect(fake.callsTo('files.getUploadURLExternal')[0]?.body).toMatchObject({ filename: 'audit.csv', length: '14' });
    expect(fake.uploads).toEqual([
      { fileId: expect.stringMatching(/^F/), filename: 'audit.csv', title: 'Audit 1.4', channel_id: 'C1', initial_comment: 'Audit trail', content: 'line 1\nline 2\n' },
      { fileId: expect.stringMatching(/^F/), filename: 'notes.txt', title: 'notes.txt', channel_id: 'C2', content: 'plain text' },
    ]);
  });

  it('keeps what was posted and answers conversations.history newest first, within oldest and latest, a page at a time, with metadata only when asked', async () => {
    let now = Date.parse('2019-11-07T09:00:00Z');
    const clocked = await startFakeSlack({ clock: () => new Date(now) });
    try {
      const web = client(clocked);
      const posted: string[] = [];
      for (let n = 1; n <= 5; n++) {
        const result = await web.chat.postMessage({ channel: 'C1', text: `m${n}`, metadata: { event_type: 'golive_outbox_message', event_payload: { key: `k${n}` } } });
        posted.push(result.ts!);
        now += 60_000;
      }
      // Two posts in one instant still get two timestamps, in order.
      const same = [(await web.chat.postMessage({ channel: 'C2', text: 'a' })).ts!, (await web.chat.postMessage({ channel: 'C2', text: 'b' })).ts!];
      expect(same[1]! > same[0]!).toBe(true);
      expect(posted[0]).toBe('1573117200.000000');
      await web.chat.update({ channel: 'C1', ts: posted[1]!, text: 'm2 edited' });
      expect(clocked.messagesIn('C1').map((m) => m.text)).toEqual(['m1', 'm2 edited', 'm3', 'm4', 'm5']);

      const plain = await web.conversations.history({ channel: 'C1' });
      expect(plain.messages?.map((m) => m.text)).toEqual(['m5', 'm4', 'm3', 'm2 edited', 'm1']);
      expect(plain.messages?.some((m) => m.metadata)).toBe(false);
      expect(plain.has_more).toBe(false);

      const window = await web.conversations.history({ channel: 'C1', oldest: posted[1], latest: posted[3], include_all_metadata: true });
      expect(window.messages?.map((m) => m.text)).toEqual(['m3']);
      expect(window.messages?.[0]?.metadata).toEqual({ event_type: 'golive_outbox_message', event_payload: { key: 'k3' } });
      const inclusive = await web.conversations.history({ channel: 'C1', oldest: posted[1], latest: posted[3], inclusive: true });
      expect(inclusive.messages?.map((m) => m.text)).toEqual(['m4', 'm3', 'm2 edited']);

      const first = await web.conversations.history({ channel: 'C1', limit: 2 });
      expect(first.messages?.map((m) => m.text)).toEqual(['m5', 'm4']);
      expect(first.has_more).toBe(true);
      const cursor = first.response_metadata?.next_cursor;
      expect(cursor).toBeTruthy();
      const second = await web.conversations.history({ channel: 'C1', limit: 2, cursor });
      expect(second.messages?.map((m) => m.text)).toEqual(['m3', 'm2 edited']);
      const last = await web.conversations.history({ channel: 'C1', limit: 2, cursor: second.response_metadata?.next_cursor });
      expect(last.messages?.map((m) => m.text)).toEqual(['m1']);
      expect(last.has_more).toBe(false);

      expect((await web.conversations.history({ channel: 'C-empty' })).messages).toEqual([]);
      await expect(web.conversations.history({ channel: 'C1', limit: 1000 })).rejects.toMatchObject({ code: ErrorCode.PlatformError, data: { error: 'invalid_limit' } });
    } finally {
      await clocked.close();
    }
  });

  it('answers usergroups.users.list from the table the test sets', async () => {
    const web = client(fake);
    fake.setUsergroup('S123', ['U1', 'U2']);
    await expect(web.usergroups.users.list({ usergroup: 'S123' })).resolves.toMatchObject({ ok: true, users: ['U1', 'U2'] });
    await expect(web.usergroups.users.list({ usergroup: 'S999' })).rejects.toMatchObject({ data: { error: 'no_such_subteam' } });
  });

  it('answers views, conversations and unknown methods', async () => {
    const web = client(fake);
    fake.setChannel('C1', 'releases');
    const opened = await web.views.open({ trigger_id: '1.2.3', view: { type: 'modal', callback_id: 'cb', title: { type: 'plain_text', text: 'T' }, blocks: [] } });
    expect(opened.view?.id).toMatch(/^V/);
    expect(opened.view?.callback_id).toBe('cb');
    await expect(web.views.publish({ user_id: 'U1', view: { type: 'home', blocks: [] } })).resolves.toMatchObject({ ok: true });
    await expect(web.chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'psst' })).resolves.toMatchObject({ message_ts: expect.any(String) });
    await expect(web.conversations.info({ channel: 'C1' })).resolves.toMatchObject({ channel: { id: 'C1', name: 'releases' } });
    await expect(web.conversations.open({ users: 'U7' })).resolves.toMatchObject({ channel: { id: 'D7' } });
    await expect(web.apiCall('bogus.method')).rejects.toMatchObject({ data: { error: 'unknown_method' } });
    expect(fake.callsTo('views.open')[0]?.body.view).toMatchObject({ type: 'modal', callback_id: 'cb' });
    expect(fake.callsTo('bogus.method')).toHaveLength(1);

    fake.reset();
    expect(fake.calls).toEqual([]);
  });
});

describe('signed Slack requests', () => {
  it('signs as Slack documents: v0= + hex HMAC-SHA256 of v0:timestamp:body', () => {
    const body = 'token=x&team_id=T1&command=%2Frelease&text=status';
    const expected = `v0=${createHmac('sha256', 'secret').update(`v0:1531420618:${body}`).digest('hex')}`;
    expect(signSlack('secret', 1531420618, body)).toBe(expected);
    expect(unixSeconds(new Date('2023-11-14T22:13:20Z'))).toBe(1_700_000_000);
  });
});

describe('a real Bolt App behind a mounted HTTPReceiver', () => {
  let server: Server;
  let base: string;
  let app: App;
  const logs: string[] = [];

  beforeEach(async () => {
    logs.length = 0;
    const logger = silentLogger(logs);
    const receiver = new HTTPReceiver({ signingSecret: SECRET, logger });
    app = new App({ token: TOKEN, receiver, logger, clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 }, rejectRateLimitedCalls: true } });
    server = createServer((req, res) => {
      // requestListener throws (synchronously) for paths it does not own.
      try {
        receiver.requestListener(req, res);
      } catch {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterEach(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('accepts a signed slash command, after checking the token with auth.test', async () => {
    const seen: string[] = [];
    app.command('/release', async ({ command, ack, context }) => {
      seen.push(`${command.text}|${command.user_id}|${command.channel_id}|${context.botUserId}`);
      await ack({ response_type: 'ephemeral', text: 'on it' });
    });

    const res = await slashCommand(base, SECRET, { text: 'status 1.4', userId: 'U1', channelId: 'C1' });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({ response_type: 'ephemeral', text: 'on it' });
    expect(seen).toEqual([`status 1.4|U1|C1|${FAKE_BOT.userId}`]);
    expect(fake.callsTo('auth.test')).toMatchObject([{ token: TOKEN }]);
  });

  it('refuses a bad signature, a stale timestamp and a missing signature with 401', async () => {
    let handled = 0;
    app.command('/release', async ({ ack }) => {
      handled += 1;
      await ack();
    });

    expect((await slashCommand(base, 'wrong-secret', { text: 'x', userId: 'U1', channelId: 'C1' })).status).toBe(401);
    const sixMinutesAgo = unixSeconds() - 6 * 60;
    expect((await slashCommand(base, SECRET, { text: 'x', userId: 'U1', channelId: 'C1', now: sixMinutesAgo })).status).toBe(401);
    expect((await sendRaw(base, { body: 'command=%2Frelease&text=x', contentType: FORM })).status).toBe(401);
    expect(handled).toBe(0);
    expect(logs.join('\n')).toContain('signature mismatch');
  });

  it('checks only that a timestamp is not stale: one an hour ahead passes', async () => {
    app.command('/release', async ({ ack }) => ack());
    const anHourAhead = unixSeconds() + 3600;
    expect((await slashCommand(base, SECRET, { text: 'x', userId: 'U1', channelId: 'C1', now: anHourAhead })).status).toBe(200);
  });

  it('answers 400 to a signed body that does not parse, including a form sent with a charset', async () => {
    expect((await sendRaw(base, { body: '{not json', contentType: 'application/json', secret: SECRET })).status).toBe(400);
    const form = 'command=%2Frelease&text=x';
    expect((await sendRaw(base, { body: form, contentType: `${FORM}; charset=utf-8`, secret: SECRET })).status).toBe(400);
    expect((await sendRaw(base, { body: form, contentType: FORM, secret: SECRET, path: '/elsewhere' })).status).toBe(404);
  });

  it('routes a block action from a message and from the App Home', async () => {
    const seen: unknown[] = [];
    app.action<BlockAction<ButtonAction>>('approve', async ({ ack, body, action }) => {
      await ack();
      seen.push({ container: body.container, value: action.value, channel: body.channel?.id, view: body.view?.type });
    });

    expect((await blockAction(base, SECRET, { userId: 'U1', channelId: 'C1', messageTs: '1700000000.000100', actionId: 'approve', value: 'rel-1' })).status).toBe(200);
    expect((await blockAction(base, SECRET, { userId: 'U1', channelId: 'C1', actionId: 'approve', value: 'rel-2', container: 'view', viewId: 'VHOME', viewType: 'home' })).status).toBe(200);
    expect(seen).toEqual([
      { container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C1', is_ephemeral: false }, value: 'rel-1', channel: 'C1', view: undefined },
      { container: { type: 'view', view_id: 'VHOME' }, value: 'rel-2', channel: undefined, view: 'home' },
    ]);
  });

  it('routes a view submission, and returns the errors ack() carries', async () => {
    let submitted: unknown;
    app.view('waive', async ({ ack, view }) => {
      submitted = { metadata: view.private_metadata, reason: view.state.values.reason?.text?.value };
      await ack({ response_action: 'errors', errors: { reason: 'Too short' } });
    });

    const res = await viewSubmission(base, SECRET, { userId: 'U1', callbackId: 'waive', privateMetadata: '{"release":"1.4"}', values: { reason: { text: 'no' } } });
    expect(res.json).toEqual({ response_action: 'errors', errors: { reason: 'Too short' } });
    expect(submitted).toEqual({ metadata: '{"release":"1.4"}', reason: 'no' });
  });

  it('acknowledges an event at once and hands its retry number to the listener', async () => {
    let done!: (value: unknown) => void;
    const handled = new Promise((resolve) => (done = resolve));
    app.event('app_home_opened', async ({ event: e, context }) => {
      done({ user: e.user, tab: e.tab, retryNum: context.retryNum, retryReason: context.retryReason });
    });

    const res = await event(base, SECRET, appHomeOpened('U1'), { retryNum: 1, retryReason: 'http_timeout' });
    expect(res.status).toBe(200);
    expect(await handled).toEqual({ user: 'U1', tab: 'home', retryNum: 1, retryReason: 'http_timeout' });
  });
});
