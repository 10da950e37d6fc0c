import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { createSlackAdapter } from '../adapters/slack/bolt-app.js';
import type { Inbox } from '../src/app/inbox.js';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { verifyChain } from '../src/domain/audit.js';
import { serve, type Serving } from '../src/serve.js';
import { openPgInbox } from '../store/postgres/pg-inbox.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { slashCommandPayload, startFakeSocketMode, type FakeConnection, type FakeSocketMode } from './support/fake-socket-mode.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { TestClock } from './support/test-clock.js';

// Several golive replicas in Socket Mode on one database: each opens its own connection (Slack
// allows up to ten per app) and Slack sends each request to one of them, and a request it got no
// acknowledgement for in time again, perhaps to another. Every request is recorded once.

const BOT_TOKEN = 'xoxb-socket-replicas';
const APP_TOKEN = 'xapp-1-A0GOLIVE-1234-socketreplicas';
const RITA = 'URITA';
const DAN = 'UDAN';
const CHANNEL = 'C0SOCKET';
const R = 'sock';

interface Replica {
  store: Store;
  inbox: Inbox;
  serving: Serving;
}

forEachTarget('Socket Mode with one connection per replica', (target) => {
  let schema: TestSchema;
  let fake: FakeSlack;
  let socket: FakeSocketMode;
  const replicas: Replica[] = [];
  const clock = new TestClock('2026-11-30T09:00:00Z');

  beforeEach(async () => {
    schema = await target.schema();
    fake = await startFakeSlack();
    socket = await startFakeSocketMode();
    fake.setSocketModeUrl(socket.url);
  }, 60_000);

  afterEach(async () => {
    for (const replica of replicas.splice(0)) {
      await replica.serving.close();
      await replica.inbox.close();
      await replica.store.close();
    }
    await socket.close();
    await fake.close();
    await schema.drop();
  });

  async function replica(name: string): Promise<Replica> {
    const db = await schema.db();
    const store = await openPostgresStore(db, { verify: recordVerifier({}) });
    const inbox = await openPgInbox(db, { clock, holder: name });
    const serving = await serve({
      adapters: [(deps) => createSlackAdapter({ botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: fake.url }, deps)],
      store,
      inbox,
      clock,
      port: 0,
      host: '127.0.0.1',
      log: () => undefined,
      replica: name,
    });
    const opened = { store, inbox, serving };
    replicas.push(opened);
    return opened;
  }

  async function command(on: FakeConnection, user: string, text: string, envelopeId?: string, payload = slashCommandPayload({ text, userId: user, channelId: CHANNEL })) {
    const ack = await socket.send('slash_commands', payload, { on, ...(envelopeId && { envelopeId }) });
    return { ack, payload };
  }

  const settled = async () => {
    for (const { serving } of replicas) await serving.idle();
  };
  const audit = () => replicas[0]!.store.audit(R);

  it('spreads requests over the connections, and records a request redelivered to another replica once', async () => {
    await replica('replica-a');
    const first = await socket.connected(1);
    await replica('replica-b');
    const second = await socket.connected(2);
    expect(socket.open()).toHaveLength(2);

    await command(first, RITA, `create "Socket drill" 2099-06-17 --template sec-release --id ${R}`);
    await settled();
    await command(second, RITA, `role DCC <@${DAN}>`);
    await settled();

    // A burst of answers, each sent to one of the two connections, as Slack spreads them.
    const sent = [];
    for (let n = 0; n < 40; n += 1) sent.push(command(n % 2 === 0 ? first : second, DAN, `confirm code-ready met "socket answer ${n}"`));
    const answers = await Promise.all(sent);
    expect(answers.every(({ ack }) => ack.envelope_id !== undefined)).toBe(true);
    await settled();

    // Slack saw no acknowledgement in time and sends the same request again, on the other
    // connection. A risk added twice would be two risks: only the request's id tells them apart.
    const risk = `risk add "redelivered once" --owner <@${DAN}>`;
    const toRita = () => fake.callsTo('chat.postEphemeral').filter((call) => call.body.user === RITA).length;
    const repliesBefore = toRita();
    const { payload } = await command(first, RITA, risk, 'envelope-redelivered');
    await command(second, RITA, risk, 'envelope-redelivered', payload);
    await settled();
    // The second delivery is acknowledged and not handled: one reply, not two.
    await vi.waitFor(() => expect(toRita()).toBe(repliesBefore + 1));
    await settled();
    expect(toRita()).toBe(repliesBefore + 1);

    await vi.waitFor(async () => {
      const entries = await audit();
      const requests = entries.map((entry) => entry.request);
      for (const { payload: sentPayload } of answers) expect(requests.filter((id) => id === sentPayload.trigger_id)).toHaveLength(1);
      expect(requests.filter((id) => id === payload.trigger_id)).toHaveLength(1);
    });
    const entries = await audit();
    expect(entries.filter((entry) => entry.command?.includes('redelivered once'))).toHaveLength(1);
    expect((await replicas[1]!.store.get(R))?.release.risks.map((r) => r.description)).toEqual(['redelivered once']);
    expect(entries.filter((entry) => entry.outcome === 'applied' && entry.command?.startsWith('/release confirm'))).toHaveLength(40);
    expect(verifyChain(entries).ok).toBe(true);
    // Both replicas answered some of them: each connection carried requests.
    expect(socket.acks.length).toBeGreaterThanOrEqual(44);
    expect(await schema.sql<{ holder: string }>('SELECT DISTINCT holder FROM inbox ORDER BY holder')).toEqual([{ holder: 'replica-a' }, { holder: 'replica-b' }]);
  }, 60_000);
});
