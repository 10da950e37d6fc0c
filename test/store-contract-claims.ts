import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { StoreError, type ClaimedMessage, type ClaimRequest, type Store } from '../src/app/store-port.js';
import type { Release } from '../src/domain/release.js';
import type { OpenedStore } from './store-contract.js';
import { entryAfter, later, message, rejectionOf, release } from './support/port-records.js';

// The part of the Store contract that lets several golives share one store: claims on due outbox
// messages (claimDue, ended by a commit's endClaims) and named leases. Written against the port
// only; each implementation's contract test file calls it beside storeContract.

const LEASE = 60_000;
const A: ClaimRequest = { holder: 'replica-a', leaseMs: LEASE, platforms: ['slack', 'teams'] };
const B: ClaimRequest = { holder: 'replica-b', leaseMs: LEASE, platforms: ['slack', 'teams'] };
const NOW = new Date(later(60));
const plus = (ms: number) => new Date(NOW.getTime() + ms);
const teams = (id: string, overrides: Partial<OutboxMessage> = {}) => message(id, { to: { channel: { platform: 'teams', id: '19:t' } }, ...overrides } as Partial<OutboxMessage>);
const ids = (claimed: readonly ClaimedMessage[]) => claimed.map((c) => `${c.releaseId}/${c.message.id}`);

export function claimsContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`the Store contract, claims and leases: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;

    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });

    afterEach(async () => {
      await opened.cleanup();
    });

    async function create(id: string, outbox: OutboxMessage[], overrides: Partial<Release> = {}): Promise<void> {
      const state = release(id, overrides);
      await store.create(state, entryAfter(undefined, state), outbox);
    }

    /** The outcome of a delivery: the message as it is now, patched, with the holder's claim ended. */
    async function record(releaseId: string, id: string, holder: string, patch: Partial<OutboxMessage>): Promise<void> {
      await store.transact(releaseId, async () => {
        const current = (await store.outbox(releaseId)).find((m) => m.id === id)!;
        return { outbox: [{ ...current, ...patch } as OutboxMessage], endClaims: { holder, messageIds: [id] }, result: undefined };
      });
    }

    it('claims due pending messages across releases, oldest first, at most the limit, only to the platforms asked for', async () => {
      await create('rel-a', [
        message('a-sent', { createdAt: later(1), status: 'sent', attempts: 1 }),
        message('a-4', { createdAt: later(4) }),
        message('a-later', { createdAt: later(2), attempts: 1, nextAttemptAt: later(60.5) }),
        message('a-retry', { createdAt: later(3), attempts: 1, nextAttemptAt: later(60) }),
        teams('a-teams', { createdAt: later(0) }),
      ]);
      await create('rel-b', [
        message('b-failed', { createdAt: later(0), status: 'failed', attempts: 1 }),
        message('b-dead', { createdAt: later(0), status: 'dead', attempts: 14 }),
        message('b-1', { createdAt: later(1) }),
        message('b-5', { createdAt: later(5) }),
      ]);

      const slackOnly = { ...A, platforms: ['slack' as const] };
      expect(ids(await store.claimDue(NOW, 2, slackOnly))).toEqual(['rel-b/b-1', 'rel-a/a-retry']);
      expect(ids(await store.claimDue(NOW, 10, slackOnly))).toEqual(['rel-a/a-4', 'rel-b/b-5']);
      expect(await store.claimDue(NOW, 10, slackOnly)).toEqual([]);
      // The Teams message was never offered to a holder serving Slack alone; one serving Teams gets it.
      expect(ids(await store.claimDue(NOW, 10, { ...B, platforms: ['teams'] }))).toEqual(['rel-a/a-teams']);
      expect(await store.claimDue(NOW, 10, { ...B, platforms: [] })).toEqual([]);
      // What was claimed is the message as stored, fresh: not stale.
      const [first] = await store.claimDue(plus(30_000), 1, A);
      expect(first).toEqual({ releaseId: 'rel-a', message: message('a-later', { createdAt: later(2), attempts: 1, nextAttemptAt: later(60.5) }) });
    });

    it('never gives one message to two holders, also when they claim at the same moment', async () => {
      const many = Array.from({ length: 40 }, (_, n) => message(`m-${String(n).padStart(2, '0')}`, { createdAt: later(n % 7) }));
      await create('rel-1', many.slice(0, 20));
      await create('rel-2', many.slice(20));
      const rounds = await Promise.all(Array.from({ length: 12 }, (_, n) => store.claimDue(NOW, 5, n % 2 === 0 ? A : B)));
      const claimed = rounds.flatMap(ids);
      expect(new Set(claimed).size).toBe(claimed.length);
      expect(claimed).toHaveLength(40);
      expect(await store.claimDue(NOW, 10, A)).toEqual([]);
      expect(await store.claimDue(plus(LEASE - 1), 10, B)).toEqual([]);
    });

    it('frees a claim when its lease ends: the next holder is told an earlier claim ended without an outcome, and since when', async () => {
      await create('rel-1', [message('m-1')]);
      expect(ids(await store.claimDue(NOW, 10, A))).toEqual(['rel-1/m-1']);
      expect(await store.claimDue(plus(LEASE - 1), 10, B)).toEqual([]);
      const second = await store.claimDue(plus(LEASE), 10, B);
      expect(second).toEqual([{ releaseId: 'rel-1', message: message('m-1'), stale: { since: NOW.toISOString() } }]);
      // Held by B now, for its own lease; a third claim after that one also lapses keeps the first time.
      expect(await store.claimDue(plus(2 * LEASE - 1), 10, A)).toEqual([]);
      const third = await store.claimDue(plus(2 * LEASE), 10, A);
      expect(third[0]?.stale).toEqual({ since: NOW.toISOString() });
    });

    it("recording the outcome ends the holder's claim: a message still pending is free at once, and not stale", async () => {
      await create('rel-1', [message('m-1'), message('m-2')]);
      await store.claimDue(NOW, 10, A);
      // Another holder's endClaims ends nothing: A still holds both.
      await store.transact('rel-1', () => ({ endClaims: { holder: B.holder, messageIds: ['m-1', 'm-2'] }, result: undefined }));
      expect(await store.claimDue(NOW, 10, B)).toEqual([]);
      // A write to a claimed message that is not its outcome (a checklist superseded) leaves the claim.
      await store.transact('rel-1', async () => ({ outbox: [{ ...(await store.outbox('rel-1'))[1]!, superseded: true }], result: undefined }));
      expect(await store.claimDue(NOW, 10, B)).toEqual([]);

      await record('rel-1', 'm-1', A.holder, { attempts: 1, lastError: 'rate limited', nextAttemptAt: NOW.toISOString() });
      await record('rel-1', 'm-2', A.holder, { status: 'sent', attempts: 1, sentAt: NOW.toISOString(), messageRef: 'C1/1.2' });
      const again = await store.claimDue(NOW, 10, B);
      expect(again).toEqual([{ releaseId: 'rel-1', message: message('m-1', { attempts: 1, lastError: 'rate limited', nextAttemptAt: NOW.toISOString() }) }]);
      // An endClaims alone (an edit given back untried) also frees it, and writes nothing else.
      const before = { outbox: await store.outbox('rel-1'), audit: await store.audit('rel-1') };
      await store.transact('rel-1', () => ({ endClaims: { holder: B.holder, messageIds: ['m-1', 'unknown-id'] }, result: undefined }));
      expect({ outbox: await store.outbox('rel-1'), audit: await store.audit('rel-1') }).toEqual(before);
      expect(ids(await store.claimDue(NOW, 10, A))).toEqual(['rel-1/m-1']);
    });

    it('claims nothing in a quarantined release', async (context) => {
      if (!opened.quarantine) return context.skip();
      await create('bad', [message('bad-1', { createdAt: later(0) })]);
      await create('good', [message('good-1', { createdAt: later(1) })]);
      store = await opened.quarantine('bad', { seq: 1, message: 'Entry 1 was edited' });
      expect(ids(await store.claimDue(NOW, 10, A))).toEqual(['good/good-1']);
      expect(await store.claimDue(plus(10 * LEASE), 10, B)).toEqual([{ releaseId: 'good', message: message('good-1', { createdAt: later(1) }), stale: { since: NOW.toISOString() } }]);
    });

    it('a claim outlives a restart: once its lease is over, the message is claimed as stale; one whose outcome was recorded is not', async (context) => {
      if (!opened.reopen) return context.skip();
      await create('rel-1', [message('m-1'), message('m-2'), message('m-3')]);
      expect(await store.claimDue(NOW, 10, A)).toHaveLength(3);
      await record('rel-1', 'm-2', A.holder, { attempts: 1, nextAttemptAt: NOW.toISOString(), lastError: 'server error' });
      await record('rel-1', 'm-3', A.holder, { status: 'sent', attempts: 1, sentAt: NOW.toISOString() });
      store = await opened.reopen();
      const claimed = await store.claimDue(plus(LEASE), 10, B);
      expect(claimed.map((c) => ({ id: c.message.id, stale: c.stale }))).toEqual([
        { id: 'm-1', stale: { since: NOW.toISOString() } },
        { id: 'm-2', stale: undefined },
      ]);
      // And again after another restart, while B's claim was never ended either.
      store = await opened.reopen();
      const third = await store.claimDue(plus(2 * LEASE), 10, A);
      expect(third.map((c) => ({ id: c.message.id, stale: c.stale }))).toEqual([
        { id: 'm-1', stale: { since: NOW.toISOString() } },
        { id: 'm-2', stale: { since: plus(LEASE).toISOString() } },
      ]);
    });

    it('what claimDue returned is a copy', async () => {
      await create('rel-1', [message('m-1')]);
      const [claimed] = await store.claimDue(NOW, 10, A);
      claimed!.message.status = 'sent';
      claimed!.message.attempts = 9;
      expect(await store.outbox('rel-1')).toEqual([message('m-1')]);
    });

    it('refuses bad arguments with a StoreError, and claims nothing', async () => {
      await create('rel-1', [message('m-1')]);
      const bad: Array<[Date, number, ClaimRequest]> = [
        [new Date('not a date'), 10, A],
        [NOW, 0, A],
        [NOW, 1.5, A],
        [NOW, 1001, A],
        [NOW, Number.NaN, A],
        [NOW, 10, { ...A, holder: '' }],
        [NOW, 10, { ...A, holder: 'x'.repeat(201) }],
        [NOW, 10, { ...A, leaseMs: 0 }],
        [NOW, 10, { ...A, leaseMs: -5 }],
        [NOW, 10, { ...A, leaseMs: 1.5 }],
        [NOW, 10, { ...A, leaseMs: 86_400_001 }],
        [NOW, 10, { ...A, platforms: ['slack', 'irc' as never] }],
        [NOW, 10, { ...A, platforms: 'slack' as never }],
        [NOW, 10, null as never],
      ];
      for (const [now, limit, claim] of bad) {
        const error = await rejectionOf(store.claimDue(now, limit, claim));
        expect(error, JSON.stringify([limit, claim])).toBeInstanceOf(StoreError);
      }
      expect((await rejectionOf(store.claimDue(NOW, 0, A))) as Error).toHaveProperty('message', expect.stringMatching(/limit must be a whole number from 1 to 1000, not 0/));
      expect((await rejectionOf(store.claimDue(NOW, 10, { ...A, platforms: ['irc' as never] }))) as Error).toHaveProperty('message', expect.stringContaining('"irc" is not a platform'));

      const before = { outbox: await store.outbox('rel-1'), audit: await store.audit('rel-1') };
      for (const endClaims of [
        { holder: '', messageIds: ['m-1'] },
        { holder: A.holder, messageIds: 'm-1' },
        { holder: A.holder, messageIds: [1] },
      ]) {
        const error = await rejectionOf(store.transact('rel-1', () => ({ outbox: [message('m-1', { status: 'sent', attempts: 1 })], endClaims: endClaims as never, result: undefined })));
        expect(error).toBeInstanceOf(StoreError);
      }
      expect({ outbox: await store.outbox('rel-1'), audit: await store.audit('rel-1') }).toEqual(before);
      // Nothing was claimed by any of it.
      expect(ids(await store.claimDue(NOW, 10, A))).toEqual(['rel-1/m-1']);

      for (const [leaseName, holder, now, ms] of [
        ['', 'h', NOW, 1000],
        ['x'.repeat(101), 'h', NOW, 1000],
        ['schedule', '', NOW, 1000],
        ['schedule', 'h', new Date(Number.NaN), 1000],
        ['schedule', 'h', NOW, 0],
        ['schedule', 'h', NOW, 2.5],
      ] as Array<[string, string, Date, number]>) {
        expect(await rejectionOf(store.lease(leaseName, holder, now, ms))).toBeInstanceOf(StoreError);
      }
      expect(await store.lease('schedule', 'h', NOW, 1000)).toBe(true);
    });

    it('a lease is one holder’s until it ends or they renew it; another takes it once it has ended', async () => {
      expect(await store.lease('schedule', A.holder, NOW, 90_000)).toBe(true);
      expect(await store.lease('schedule', B.holder, plus(89_999), 90_000)).toBe(false);
      // Renewed by its holder: it now runs to 30 s + 90 s.
      expect(await store.lease('schedule', A.holder, plus(30_000), 90_000)).toBe(true);
      expect(await store.lease('schedule', B.holder, plus(119_999), 90_000)).toBe(false);
      // Leases by other names are apart.
      expect(await store.lease('digest', B.holder, plus(1000), 90_000)).toBe(true);
      // A stops renewing; B takes over when it ends, and A is refused from then on.
      expect(await store.lease('schedule', B.holder, plus(120_000), 90_000)).toBe(true);
      expect(await store.lease('schedule', A.holder, plus(120_001), 90_000)).toBe(false);
      expect(await store.lease('digest', A.holder, plus(2000), 90_000)).toBe(false);
      // Of two asking at once for a free lease, exactly one gets it.
      const race = await Promise.all([store.lease('race', A.holder, NOW, 1000), store.lease('race', B.holder, NOW, 1000)]);
      expect(race.filter(Boolean)).toHaveLength(1);
    });
  });
}
