import { webApi } from '@slack/bolt';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { slackClientOptions } from '../adapters/slack/client.js';
import { OUTBOX_EVENT_TYPE } from '../adapters/slack/find-posted.js';
import { slackPort } from '../adapters/slack/slack-port.js';
import type { Claimant } from '../src/app/delivery/claimant.js';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { deliverDue, deliveryKey, type ChatPorts } from '../src/app/delivery/outbox.js';
import type { Store } from '../src/app/store-port.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { startFakeSlack, type FakeSlack } from './support/fake-slack.js';
import { entryAfter, later, message, release } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';

// Two golives ("replicas") delivering one database's outbox to one Slack: two PostgreSQL stores
// on one schema (on the server each with its own pool of connections), each with its own holder
// id, posting through the real WebClient to the fake Slack Web API on 127.0.0.1. The clock is
// injected; so is the stopwatch that times a batch against its lease.

const NOW = new Date(later(60));
const LEASE = 60_000;
const A: Claimant = { holder: 'replica-a', leaseMs: LEASE };
const B: Claimant = { holder: 'replica-b', leaseMs: LEASE };
const CHANNEL = 'C-outbox';
const stopwatch = () => 0;

forEachTarget('two replicas delivering one outbox', (target) => {
  let schema: TestSchema;
  let one: Store;
  let two: Store;
  let fake: FakeSlack;
  let clock: Date;
  let logs: string[];
  let ports: ChatPorts;

  beforeEach(async () => {
    schema = await target.schema();
    one = await openPostgresStore(await schema.db(), { closeDb: false });
    two = await openPostgresStore(await schema.db(), { closeDb: false });
    clock = NOW;
    // Slack stamps each message with its own time: here the injected clock's.
    fake = await startFakeSlack({ clock: () => clock });
    logs = [];
    const client = new webApi.WebClient('xoxb-test-token', slackClientOptions({ botToken: 'xoxb-test-token', signingSecret: 'x', apiUrl: fake.url }));
    ports = { slack: slackPort(client, (line) => logs.push(line)) };
    // Starting PGlite takes seconds, the more so beside other test files.
  }, 60_000);

  afterEach(async () => {
    await one.close();
    await two.close();
    await schema.drop();
    await fake.close();
  });

  async function create(store: Store, id: string, outbox: OutboxMessage[]): Promise<void> {
    const state = release(id);
    await store.create(state, entryAfter(undefined, state), outbox);
  }

  /** Every message golive posted to the fake, by its outbox key (from the message metadata). */
  function postedKeys(channel = CHANNEL): string[] {
    return fake.messagesIn(channel).map((m) => {
      expect(m.metadata?.event_type).toBe(OUTBOX_EVENT_TYPE);
      return String(m.metadata?.event_payload.key);
    });
  }

  /** A store that dies, as a killed process would, when it is about to record an outcome. */
  function dyingBeforeRecording(store: Store): Store {
    return new Proxy(store, {
      get(real, name, receiver) {
        if (name === 'transact') return () => Promise.reject(new Error('the process was killed before it recorded the outcome'));
        const value = Reflect.get(real, name, receiver);
        return typeof value === 'function' ? value.bind(real) : value;
      },
    });
  }

  it('deliver a burst of 300 due messages between them, each exactly once, each recorded with the post Slack made', async () => {
    const releases = ['rel-1', 'rel-2', 'rel-3', 'rel-4'];
    for (const [n, id] of releases.entries()) {
      await create(
        n % 2 === 0 ? one : two,
        id,
        Array.from({ length: 75 }, (_, m) => message(`m-${String(m).padStart(2, '0')}`, { createdAt: later((m * 7 + n) % 50) })),
      );
    }
    const [sentByA, sentByB] = await Promise.all([deliverDue(one, ports, NOW, { claimant: A, stopwatch }), deliverDue(two, ports, NOW, { claimant: B, stopwatch })]);

    expect(sentByA + sentByB).toBe(300);
    // Both took part: the claims split the burst rather than one replica waiting for the other.
    expect(sentByA).toBeGreaterThan(0);
    expect(sentByB).toBeGreaterThan(0);
    const keys = postedKeys();
    expect(keys).toHaveLength(300);
    expect(new Set(keys).size).toBe(300);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(300);
    const posted = new Map(fake.messagesIn(CHANNEL).map((m) => [String(m.metadata?.event_payload.key), m.ts]));
    for (const id of releases) {
      for (const m of await one.outbox(id)) {
        expect(m).toMatchObject({ status: 'sent', attempts: 1, sentAt: NOW.toISOString() });
        expect(m.messageRef).toBe(`${CHANNEL}/${posted.get(deliveryKey(id, m.id))}`);
      }
    }
    // Nothing is left to claim, by either.
    expect(await one.claimDue(new Date(NOW.getTime() + 10 * LEASE), 10, { ...A, platforms: ['slack'] })).toEqual([]);
    expect(logs).toEqual([]);
  }, 60_000);

  it('a replica that posted and died before recording it: once the lease ends the other finds the post in Slack and does not post again', async () => {
    await create(one, 'rel-1', [message('m-1'), message('dm-1', { to: { person: { platform: 'slack', id: 'slack:U0DAN' } } } as Partial<OutboxMessage>)]);
    const died = await deliverDue(dyingBeforeRecording(one), ports, NOW, { claimant: A, stopwatch }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(died).toBeInstanceOf(Error);
    expect(postedKeys()).toEqual([deliveryKey('rel-1', 'm-1')]);
    expect(postedKeys('D0DAN')).toEqual([deliveryKey('rel-1', 'dm-1')]);
    const first = { channel: fake.messagesIn(CHANNEL)[0]!.ts, dm: fake.messagesIn('D0DAN')[0]!.ts };
    expect((await two.outbox('rel-1')).map((m) => m.status)).toEqual(['pending', 'pending']);

    // While A's lease runs, B is given nothing.
    clock = new Date(NOW.getTime() + LEASE - 1);
    expect(await deliverDue(two, ports, clock, { claimant: B, stopwatch })).toBe(0);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);

    clock = new Date(NOW.getTime() + LEASE);
    expect(await deliverDue(two, ports, clock, { claimant: B, stopwatch })).toBe(2);
    // Looked up, found, not posted again: one post each, recorded with the ts Slack gave A.
    expect(fake.callsTo('chat.postMessage')).toHaveLength(2);
    expect(postedKeys()).toHaveLength(1);
    expect(postedKeys('D0DAN')).toHaveLength(1);
    const outbox = await two.outbox('rel-1');
    expect(outbox.map((m) => [m.id, m.status, m.messageRef])).toEqual([
      ['m-1', 'sent', `${CHANNEL}/${first.channel}`],
      ['dm-1', 'sent', `D0DAN/${first.dm}`],
    ]);
    // Looked for from a little before A's claim, with the metadata that names each message.
    const lookups = fake.callsTo('conversations.history');
    expect(lookups.map((call) => call.body.channel)).toEqual([CHANNEL, 'D0DAN']);
    for (const call of lookups) {
      expect(call.body).toMatchObject({ include_all_metadata: 'true', inclusive: 'true' });
      expect(Number(call.body.oldest)).toBe((NOW.getTime() - 120_000) / 1000);
    }
    expect(fake.callsTo('conversations.open').map((call) => call.body.users)).toEqual(['U0DAN']);
    expect(logs.filter((line) => line.includes('not posted again'))).toHaveLength(2);
  });

  it('a replica that died after claiming but before posting: the other looks, finds nothing, and posts once', async () => {
    await create(one, 'rel-1', [message('m-1')]);
    expect(await one.claimDue(NOW, 10, { ...A, platforms: ['slack'] })).toHaveLength(1);
    clock = new Date(NOW.getTime() + LEASE);
    expect(await deliverDue(two, ports, clock, { claimant: B, stopwatch })).toBe(1);
    expect(postedKeys()).toEqual([deliveryKey('rel-1', 'm-1')]);
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
    expect((await two.outbox('rel-1'))[0]).toMatchObject({ status: 'sent', messageRef: `${CHANNEL}/${fake.messagesIn(CHANNEL)[0]!.ts}` });
  });

  it('a look-up Slack refuses (a missing history scope) is logged, and the message posted', async () => {
    await create(one, 'rel-1', [message('m-1')]);
    await one.claimDue(NOW, 10, { ...A, platforms: ['slack'] });
    fake.failNext('conversations.history', { error: 'missing_scope' });
    clock = new Date(NOW.getTime() + LEASE);
    expect(await deliverDue(two, ports, clock, { claimant: B, stopwatch })).toBe(1);
    expect(postedKeys()).toEqual([deliveryKey('rel-1', 'm-1')]);
    expect(logs.some((line) => line.includes(`could not look in ${CHANNEL}`) && line.includes('missing_scope') && line.includes('may show twice'))).toBe(true);
  });

  it('a batch that runs short of lease gives back what it has not started, and the next batch takes it', async () => {
    await create(
      one,
      'rel-1',
      Array.from({ length: 6 }, (_, n) => message(`m-${n}`, { createdAt: later(n) })),
    );
    // The stopwatch runs 4 s a post: after three posts too little of the 60 s lease is left for
    // the longest delivery (40 s) and the margin (5 s); the rest wait for a fresh claim.
    let elapsed = 0;
    const slowPorts: ChatPorts = {
      slack: {
        ...ports.slack!,
        post: async (...args) => {
          elapsed += 4_000;
          return ports.slack!.post(...args);
        },
      },
    };
    const claims: number[] = [];
    const watched = new Proxy(one, {
      get(real, name, receiver) {
        if (name === 'claimDue') {
          return async (...args: Parameters<Store['claimDue']>) => {
            const claimed = await real.claimDue(...args);
            claims.push(claimed.length);
            return claimed;
          };
        }
        const value = Reflect.get(real, name, receiver);
        return typeof value === 'function' ? value.bind(real) : value;
      },
    });
    expect(await deliverDue(watched, slowPorts, NOW, { claimant: A, stopwatch: () => elapsed })).toBe(6);
    // 6 claimed, 4 started (0, 4, 8, 12 s in: each while 45 s of lease were left), 2 given back
    // and claimed again at once; then nothing.
    expect(claims).toEqual([6, 2]);
    expect(postedKeys()).toHaveLength(6);
    expect(new Set(postedKeys()).size).toBe(6);
  });

  it('a message that may be on Slack already and cannot be tried in this batch keeps its claim, so whoever takes it next still looks first', async () => {
    await create(one, 'rel-1', [message('m-1', { createdAt: later(0) }), message('m-2', { createdAt: later(1) })]);
    expect(await one.claimDue(NOW, 10, { ...A, platforms: ['slack'] })).toHaveLength(2);
    // B takes both once A's lease is over; its first delivery uses up the time the batch had.
    let elapsed = 0;
    const slowPorts: ChatPorts = {
      slack: {
        ...ports.slack!,
        post: async (...args) => {
          elapsed += 20_000;
          return ports.slack!.post(...args);
        },
      },
    };
    clock = new Date(NOW.getTime() + LEASE);
    expect(await deliverDue(two, slowPorts, clock, { claimant: B, stopwatch: () => elapsed })).toBe(1);
    expect((await two.outbox('rel-1')).map((m) => m.status)).toEqual(['sent', 'pending']);
    // m-2 is still B's until B's lease ends, and then still stale, from A's claim.
    expect(await two.claimDue(new Date(clock.getTime() + LEASE - 1), 10, { ...A, platforms: ['slack'] })).toEqual([]);
    const next = await two.claimDue(new Date(clock.getTime() + LEASE), 10, { ...A, platforms: ['slack'] });
    expect(next.map((c) => [c.message.id, c.stale])).toEqual([['m-2', { since: NOW.toISOString() }]]);
  });
});
