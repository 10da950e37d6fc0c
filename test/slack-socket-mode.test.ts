import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openInboxFile } from '../store/inbox-file.js';
import type { Inbox } from '../src/app/inbox.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { serve, type Serving } from '../src/serve.js';
import type { Store } from '../src/app/store-port.js';
import { createSlackAdapter, SlackStartError } from '../adapters/slack/bolt-app.js';
import { FAKE_BOT, FAKE_TEAM, startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { APP_ID, appHomeOpened, VERIFICATION_TOKEN } from './support/slack-requests.js';
import { blockActionPayload, slashCommandPayload, startFakeSocketMode, type FakeSocketMode } from './support/fake-socket-mode.js';
import { TestClock } from './support/test-clock.js';
import { readRaw } from './support/release-on-disk.js';

const BOT_TOKEN = 'xoxb-socket-mode-test';
const APP_TOKEN = 'xapp-1-A0GOLIVE-1234-socketmodetest';
const RITA = 'URITA';
const CHANNEL = 'C1';

/**
 * golive serving Slack over Socket Mode for real: Bolt's Socket Mode client (undici's WebSocket)
 * against a fake Socket Mode endpoint (a `ws` server) and a fake Web API, on loopback, with the
 * real store in a temp folder.
 *
 * Reconnecting is Slack's client's job, and it waits 5 s (its clientPingTimeout) before it tries:
 * the three tests that reconnect wait for that (about 5 s each), for real, with a timeout.
 */
describe('golive over Socket Mode', () => {
  let dir: string;
  let store: Store;
  let inbox: Inbox;
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  let serving: Serving | undefined;
  let logs: string[];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-socket-'));
    store = await openLowdbStore(dir);
    inbox = await openInboxFile(dir);
    fake = await startFakeSlack();
    socket = await startFakeSocketMode();
    fake.setSocketModeUrl(socket.url);
    logs = [];
    serving = undefined;
  });

  afterEach(async () => {
    await serving?.close();
    await inbox.close();
    await store.close();
    await socket.close();
    await fake.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(): Promise<Serving> {
    serving = await serve({
      adapters: [(deps) => createSlackAdapter({ botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: fake.url }, deps)],
      store,
      inbox,
      clock: new TestClock('2019-11-07T09:00:00Z'),
      port: 0,
      host: '127.0.0.1',
      log: (m) => logs.push(m),
    });
    return serving;
  }

  /** Waits for the work golive does after an ack, then for the outbox to go round. */
  async function settled(): Promise<void> {
    await serving!.idle();
    await serving!.outbox.kick();
  }

  const ephemeralsTo = (userId: string) => fake.callsTo('chat.postEphemeral').filter((c) => c.body.user === userId);
  const text = (call: { body: Record<string, unknown> }) => JSON.stringify(call.body.blocks ?? call.body.text);

  /** `/release <text>` as Rita in C1, over the socket; resolves once golive has acknowledged and answered it. */
  async function command(commandText: string) {
    const ack = await socket.send('slash_commands', slashCommandPayload({ text: commandText, userId: RITA, channelId: CHANNEL }));
    await settled();
    return ack;
  }

  describe('connected', () => {
    beforeEach(async () => {
      await start();
    });

    it('opens the connection with the app-level token, once Bolt has checked the bot token', async () => {
      expect(fake.calls.map((c) => c.method)).toEqual(['auth.test', 'apps.connections.open']);
      expect(fake.callsTo('auth.test')).toMatchObject([{ token: BOT_TOKEN }]);
      expect(fake.callsTo('apps.connections.open')).toMatchObject([{ token: APP_TOKEN, body: {}, response: { ok: true, url: socket.url } }]);
      // serve() resolves only once Slack has said hello, on the URL it was given.
      expect(socket.open()).toHaveLength(1);
      const { pathname, search } = new URL(socket.url);
      expect(socket.connections[0]!.path).toBe(pathname + search);
    });

    it('acknowledges a slash command, creates the release on disk, announces it and answers status privately', async () => {
      const ack = await command('create "R" 2019-11-29 --id r');
      expect(socket.acks.map((a) => a.envelope_id)).toEqual([ack.envelope_id]);
      // An empty ack: golive answers afterwards through the Web API.
      expect(ack.payload).toEqual({});

      const onDisk = (await readRaw(dir, 'r')) as { release: { id: string; name: string } };
      expect(onDisk.release).toMatchObject({ id: 'r', name: 'R' });
      // A new release is announced in the channel it was created in.
      expect(fake.callsTo('chat.postMessage')).toMatchObject([{ token: BOT_TOKEN, body: { channel: CHANNEL, text: 'Release created' } }]);
      expect(ephemeralsTo(RITA)).toHaveLength(0);

      expect((await command('status')).payload).toEqual({});
      const replies = ephemeralsTo(RITA);
      expect(replies).toMatchObject([{ token: BOT_TOKEN, body: { channel: CHANNEL, user: RITA } }]);
      expect(text(replies[0]!)).toContain('R: PENDING');
      expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    });

    it('gives a button it does not know a polite private error', async () => {
      const ack = await socket.send('interactive', blockActionPayload({ userId: RITA, channelId: CHANNEL, actionId: 'someone-elses:button', value: 'x' }));
      expect(ack.payload).toEqual({});
      await settled();
      const replies = ephemeralsTo(RITA);
      expect(replies).toMatchObject([{ body: { channel: CHANNEL, user: RITA } }]);
      expect(text(replies[0]!)).toContain('not one golive knows');
      expect(fake.callsTo('chat.postMessage')).toHaveLength(0);
    });

    it('acknowledges an event and publishes the Home tab; a redelivery is acknowledged, not handled again', async () => {
      const body = {
        token: VERIFICATION_TOKEN,
        team_id: FAKE_TEAM.id,
        api_app_id: APP_ID,
        event: appHomeOpened(RITA),
        type: 'event_callback',
        event_id: 'Ev0SOCKET0001',
        event_time: 1_700_000_000,
        authorizations: [{ enterprise_id: null, team_id: FAKE_TEAM.id, user_id: FAKE_BOT.userId, is_bot: true, is_enterprise_install: false }],
        is_ext_shared_channel: false,
      };
      expect((await socket.send('events_api', body)).payload).toEqual({});
      // Bolt acknowledges an event before its listener runs: wait for what the listener does.
      await vi.waitFor(() => expect(fake.callsTo('views.publish')).toHaveLength(1), { timeout: 5000, interval: 5 });
      await settled();
      expect(fake.callsTo('views.publish')[0]).toMatchObject({ token: BOT_TOKEN, body: { user_id: RITA } });

      await socket.send('events_api', body, { retryAttempt: 1, retryReason: 'timeout' });
      await settled();
      expect(fake.callsTo('views.publish')).toHaveLength(1);
    });

    it('still answers GET /healthz on its port, and has no HTTP endpoint for Slack', async () => {
      const health = await fetch(`http://127.0.0.1:${serving!.port}/healthz`);
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ ok: true });
      const events = await fetch(`http://127.0.0.1:${serving!.port}/slack/events`, { method: 'POST', body: '{}' });
      expect(events.status).toBe(404);
    });

    it('closes the socket with a normal closure when it stops, and does not reconnect', async () => {
      await serving!.close();
      serving = undefined;
      // close() waited for the close handshake: the fake has the client's close frame already.
      expect(socket.open()).toHaveLength(0);
      await socket.allClosed();
      expect(socket.connections.map((c) => c.closed)).toEqual([{ code: 1000, reason: '' }]);
      expect(fake.callsTo('apps.connections.open')).toHaveLength(1);
    });

    it('closes and reopens the connection when Slack asks it to refresh, and answers on the new one', async () => {
      socket.requestDisconnect('refresh_requested');
      await socket.allClosed();
      expect(socket.connections[0]!.closed).toEqual({ code: 1000, reason: '' });
      await socket.connected(2, 15_000);
      expect(fake.callsTo('apps.connections.open')).toMatchObject([{ token: APP_TOKEN }, { token: APP_TOKEN }]);

      await command('create "R" 2019-11-29 --id r');
      expect((await store.get('r'))?.release.name).toBe('R');
      expect(socket.connections).toHaveLength(2);
    });

    it('stops cleanly in the middle of reconnecting, before Slack has said hello', async () => {
      await command('create "R" 2019-11-29 --id r');
      socket.withholdHello = true;
      socket.requestDisconnect('refresh_requested');
      await socket.accepted(2, 15_000);
      await serving!.close();
      serving = undefined;
      await socket.allClosed();
      // The new connection may still be opening on the client's side (then it is cut, 1006). What
      // matters is that close() returned and nothing rejected unhandled (vitest fails the run if so).
      expect(socket.connections.map((c) => c.closed?.code)).toEqual([1000, expect.any(Number)]);
      expect(fake.callsTo('apps.connections.open')).toHaveLength(2);
    });

    it('survives the connection dropping and a 500 from apps.connections.open, and reconnects', async () => {
      fake.failNext('apps.connections.open', { status: 500 });
      socket.dropConnections({ abrupt: true });
      await socket.allClosed();
      // Socket Mode's client retries apps.connections.open itself, and connects again.
      await socket.connected(2, 15_000);
      expect(fake.callsTo('apps.connections.open').map((c) => Boolean(c.failed))).toEqual([false, true, false]);

      await command('create "R" 2019-11-29 --id r');
      expect((await store.get('r'))?.release.name).toBe('R');
      expect((await fetch(`http://127.0.0.1:${serving!.port}/healthz`)).status).toBe(200);
    });
  });

  it('stops start-up with a message naming SLACK_APP_TOKEN when Slack refuses it', async () => {
    fake.failNext('apps.connections.open', { error: 'invalid_auth' });
    const failed = await start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(SlackStartError);
    expect((failed as Error).message).toContain('SLACK_APP_TOKEN');
    expect((failed as Error).message).toContain('invalid_auth');
    expect(socket.connections).toHaveLength(0);
  });
});
