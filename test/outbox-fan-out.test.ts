import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DELIVERY_CONCURRENCY, deliverDue, deliverRun, OutboxWorker, WAKE_GATHER_MS, type ChatPorts } from '../src/app/delivery/outbox.js';
import { RetryLater, type ChatPort, type WaitCovers } from '../src/app/delivery/chat-port.js';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import type { Store } from '../src/app/store-port.js';
import type { View } from '../src/views/elements.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease, editRelease, recordOf } from './support/store-records.js';
import { FixedClock } from './support/test-clock.js';

// One change on a release linked to many channels: the outbox delivers to the channels at once
// (each channel's messages in order), records the batch in one write, holds back only what a
// platform's Retry-After covers, for exactly as long as it says, and runs again when it is due.

const T0 = '2019-11-07T09:00:00.000Z';
const at = (ms: number) => new Date(Date.parse(T0) + ms);

const pending = { createdAt: '2019-11-06T10:00:00.000Z', status: 'pending', attempts: 0 } as const;
const checklist = (channel: string, extra: Partial<OutboxMessage> = {}): OutboxMessage =>
  ({ id: `checklist:rel-1:slack:${channel}`, kind: 'checklist', to: { channel: { platform: 'slack', id: channel } }, params: {}, ...pending, ...extra }) as OutboxMessage;
const posted = (channel: string) => checklist(channel, { status: 'sent', attempts: 1, sentAt: '2019-11-06T10:00:00.000Z', messageRef: `${channel}/1.0` });
const edit = (channel: string, extra: Partial<OutboxMessage> = {}): OutboxMessage =>
  ({
    id: `checklist:rel-1:slack:${channel}:update`,
    kind: 'checklist-update',
    to: { channel: { platform: 'slack', id: channel } },
    params: { updates: `checklist:rel-1:slack:${channel}` },
    ...pending,
    ...extra,
  }) as OutboxMessage;
/** A note posted to a channel (as an older golive stored one: a view, sent as it is). */
const note = (channel: string): OutboxMessage =>
  ({
    id: `note:rel-1:slack:${channel}`,
    kind: 'legacy-view',
    to: { channel: { platform: 'slack', id: channel } },
    params: { view: { title: 'Note', blocks: [{ type: 'paragraph', content: [{ type: 'text', text: `A note to ${channel}` }] }] }, was: 'announcement' },
    ...pending,
  }) as OutboxMessage;

interface Call {
  method: 'post' | 'update';
  channel: string;
  view: View;
}

/**
 * A platform in memory: records each call, and keeps each in flight for a few turns of the event
 * loop so calls made at once overlap. `refuse` answers a call with a RetryLater instead.
 */
function memoryPort(refuse: (call: Call) => RetryLater | undefined = () => undefined) {
  const calls: Call[] = [];
  const events: string[] = [];
  let inFlight = 0;
  let most = 0;
  const call = async (c: Call) => {
    inFlight += 1;
    most = Math.max(most, inFlight);
    events.push(`start ${c.method} ${c.channel}`);
    for (let turn = 0; turn < 3; turn++) await new Promise((resolve) => setImmediate(resolve));
    inFlight -= 1;
    events.push(`end ${c.method} ${c.channel}`);
    const refused = refuse(c);
    if (refused) throw refused;
    calls.push(c);
  };
  const port: ChatPort = {
    async post(channel, view) {
      await call({ method: 'post', channel: channel.id, view });
      return { ref: `${channel.id}/${calls.length}.0` };
    },
    async update(channel, _ref, view) {
      await call({ method: 'update', channel: channel.id, view });
    },
    async dm() {
      throw new Error('not used');
    },
  };
  return { port, calls, events, most: () => most };
}

describe('the outbox fans out', () => {
  let dir: string | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    vi.useRealTimers();
    await store?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    store = dir = undefined;
  });

  /** Release rel-1 in a JSON store holding `outbox`; transactions are counted. */
  async function storeWith(outbox: OutboxMessage[]): Promise<{ store: Store; writes: () => number }> {
    dir = await mkdtemp(join(tmpdir(), 'golive-fan-out-'));
    // No sweep: its timer is the store's, and these tests count the worker's.
    const real = await openLowdbStore(dir, { sweepAfterMs: false });
    store = real;
    await createRelease(real, minimalRelease('rel-1'), outbox);
    let writes = 0;
    const counted = Object.create(real) as Store;
    counted.transact = (id, fn) => {
      writes += 1;
      return real.transact(id, fn);
    };
    return { store: counted, writes: () => writes };
  }
  const statuses = async () => (await recordOf(store!, 'rel-1')).outbox.map((m) => [m.id, m.status]);

  it('edits 50 channels with several at once, each channel in order, and records them all in one write', async () => {
    const channels = Array.from({ length: 50 }, (_, n) => `C${n}`);
    const s = await storeWith([...channels.map(posted), ...channels.map((c) => edit(c)), note('C0')]);
    const platform = memoryPort();
    const run = await deliverRun(s.store, { slack: platform.port }, at(0));
    expect(run).toEqual({ sent: 51, dueAgain: [] });
    expect(s.writes()).toBe(1);
    expect(
      platform.calls
        .filter((c) => c.method === 'update')
        .map((c) => c.channel)
        .sort(),
    ).toEqual([...channels].sort());
    expect(JSON.stringify(platform.calls[0]!.view)).toContain('Go-live checklist');
    // As many channels at once as allowed, never more.
    expect(platform.most()).toBe(DELIVERY_CONCURRENCY);
    // C0's two messages one after the other, in outbox order.
    expect(platform.events.filter((e) => e.endsWith(' C0'))).toEqual(['start update C0', 'end update C0', 'start post C0', 'end post C0']);
    expect((await statuses()).every(([, status]) => status === 'sent')).toBe(true);
  });

  it("holds only what a platform's wait covers: a refused post holds that channel's posts, not its edits, where the wait covers one kind of call", async () => {
    const refuseOnce = (covers: WaitCovers) => {
      let refused = false;
      return (call: Call) => (call.method === 'post' && !refused && (refused = true) ? new RetryLater('ratelimited', 3000, covers) : undefined);
    };
    // The posts go first: the note to C1 is refused, then C1's checklist edit is due.
    const outbox = () => [posted('C1'), note('C1'), edit('C1'), note('C2')];

    const call = memoryPort(refuseOnce('call'));
    await storeWith(outbox());
    await deliverDue(store!, { slack: call.port }, at(0));
    expect(call.calls.map((c) => `${c.method} ${c.channel}`).sort()).toEqual(['post C2', 'update C1']);
    const held = (await recordOf(store!, 'rel-1')).outbox.find((m) => m.kind === 'legacy-view' && 'channel' in m.to && m.to.channel.id === 'C1')!;
    expect(held).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(3000).toISOString() });
    await store!.close();
    await rm(dir!, { recursive: true, force: true });

    // A wait on the whole conversation (Teams) holds the edit back too, uncounted, to the same instant.
    const conversation = memoryPort(refuseOnce('conversation'));
    await storeWith(outbox());
    await deliverDue(store!, { slack: conversation.port }, at(0));
    expect(conversation.calls.map((c) => `${c.method} ${c.channel}`)).toEqual(['post C2']);
    const c1 = (await recordOf(store!, 'rel-1')).outbox.filter((m) => 'channel' in m.to && m.to.channel.id === 'C1' && m.status === 'pending');
    expect(c1.map((m) => [m.kind, m.attempts, m.nextAttemptAt])).toEqual([
      ['legacy-view', 1, at(3000).toISOString()],
      ['checklist-update', 0, at(3000).toISOString()],
    ]);
  });

  it('dates the wait from when the platform answered, by the injected clock, to the millisecond', async () => {
    await storeWith([note('C1')]);
    const clock = new FixedClock(T0);
    // The answer comes 1.234 s into the pass.
    const platform = memoryPort(() => (clock.advance(1234), new RetryLater('ratelimited', 7000, 'call')));
    const run = await deliverRun(store!, { slack: platform.port }, clock);
    expect(run.dueAgain).toEqual([at(8234).toISOString()]);
    expect((await recordOf(store!, 'rel-1')).outbox[0]).toMatchObject({ status: 'pending', attempts: 1, nextAttemptAt: at(8234).toISOString() });
  });

  it('makes one edit, with the checklist as it is now, of pending edits an older golive left one per change', async () => {
    await storeWith([posted('C1'), edit('C1', { id: 'old-edit-1' }), edit('C1', { id: 'old-edit-2' }), edit('C1', { id: 'old-edit-3' })]);
    await editRelease(store!, 'rel-1', (release) => (release.name = 'Named after the edits were written'));
    const platform = memoryPort();
    expect(await deliverDue(store!, { slack: platform.port }, at(0))).toBe(3);
    expect(platform.calls.map((c) => `${c.method} ${c.channel}`)).toEqual(['update C1']);
    expect(JSON.stringify(platform.calls[0]!.view)).toContain('Named after the edits were written');
    expect(await statuses()).toEqual([
      ['checklist:rel-1:slack:C1', 'sent'],
      ['old-edit-1', 'sent'],
      ['old-edit-2', 'sent'],
      ['old-edit-3', 'sent'],
    ]);
  });

  it('wakes itself when a refused message is due again, not before, and delivers it', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await storeWith([note('C1'), note('C2')]);
    const clock = new FixedClock(T0);
    let refusals = 0;
    // C1 is told to wait 7 s; C2, answered 10 ms later, 7 s from then: one wake takes both.
    const platform = memoryPort((call) => (refusals++ < 2 ? (clock.advance(call.channel === 'C2' ? 10 : 0), new RetryLater('ratelimited', 7000, 'call')) : undefined));
    const worker = new OutboxWorker(store!, { slack: platform.port } satisfies ChatPorts, clock, () => undefined, { wakes: true });
    await worker.kick();
    expect(platform.calls).toEqual([]);
    expect(worker.wakesAt).toEqual(at(7010));
    expect(7010 - 7000).toBeLessThanOrEqual(WAKE_GATHER_MS);

    // The clock reads T0 + 10 ms: the timer is set for 7 s. It fires when the clock reads a
    // moment before the due time (clocks drift apart): it waits out the rest.
    clock.advance(6990);
    vi.advanceTimersByTime(7000);
    await worker.idle();
    expect(platform.calls).toEqual([]);
    expect(worker.wakesAt).toEqual(at(7010));

    clock.advance(10);
    vi.advanceTimersByTime(10);
    await worker.idle();
    expect(platform.calls.map((c) => c.channel).sort()).toEqual(['C1', 'C2']);
    expect(worker.wakesAt).toBeUndefined();
    expect((await statuses()).map(([, status]) => status)).toEqual(['sent', 'sent']);
  });

  it('does not wake itself unless asked to, nor once stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    await storeWith([note('C1')]);
    const clock = new FixedClock(T0);
    const refuse = () => new RetryLater('ratelimited', 1000, 'call');
    const kicked = new OutboxWorker(store!, { slack: memoryPort(refuse).port }, clock);
    await kicked.kick();
    expect(kicked.wakesAt).toBeUndefined();
    clock.advance(1000);
    const waking = new OutboxWorker(store!, { slack: memoryPort(refuse).port }, clock, () => undefined, { wakes: true });
    await waking.kick();
    expect(waking.wakesAt).toEqual(at(2000));
    waking.stop();
    expect(waking.wakesAt).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
