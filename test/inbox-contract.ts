import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Inbox, Received } from '../src/app/inbox.js';
import { StoreError } from '../src/app/store-port.js';
import { FixedClock } from './support/test-clock.js';

// The one contract every Inbox keeps, written against the port only. Each implementation's test
// file calls inboxContract with a way to open a fresh, empty inbox on a clock the test moves.

export const START = '2019-11-07T10:00:00.000Z';

export interface OpenedInbox {
  inbox: Inbox;
  /**
   * An inbox that finds `inbox`'s handler gone: for a file, the same file opened again after
   * `inbox` closed (golive restarted); for a shared database, another replica's inbox.
   */
  successor(): Promise<Inbox>;
  /** How long a claim lasts. */
  leaseMs: number;
  cleanup(): Promise<void>;
}

export type OpenInbox = (clock: FixedClock) => Promise<OpenedInbox>;

export function request(n: number, overrides: Partial<Received> = {}): Received {
  return {
    type: 'received',
    kind: 'command',
    id: `trigger-${n}`,
    at: START,
    platform: 'slack',
    actor: 'UDAN',
    channel: 'C0RELEASE',
    reply: { user: 'UDAN', channel: 'C0RELEASE' },
    text: `/release confirm code-ready met --comment ${n}`,
    ...overrides,
  } as Received;
}

const press = (n: number): Received => ({
  type: 'received',
  kind: 'action',
  id: `activity-${n}`,
  at: START,
  platform: 'teams',
  actor: '29:olivia',
  channel: '19:release@thread.tacv2',
  reply: { user: '29:olivia', channel: '19:release@thread.tacv2' },
  actionId: 'golive:signoff:agree',
  value: JSON.stringify({ r: 'small', g: 'opsg' }),
});

export function inboxContract(name: string, open: OpenInbox): void {
  describe(`the Inbox contract: ${name}`, () => {
    let clock: FixedClock;
    let opened: OpenedInbox;
    let inbox: Inbox;

    beforeEach(async () => {
      clock = new FixedClock(START);
      opened = await open(clock);
      inbox = opened.inbox;
      // Starting PGlite takes seconds, more on a busy machine.
    }, 60_000);

    afterEach(() => opened.cleanup());

    it('receives a request once: the same id again resolves false, during the first write, after it is done, and in the successor', async () => {
      expect(await inbox.receive(request(1))).toBe(true);
      expect(await inbox.receive(request(1))).toBe(false);
      // A retry arriving while the first delivery is being written.
      const racing = await Promise.all([inbox.receive(request(2)), inbox.receive(request(2))]);
      expect(racing.sort()).toEqual([false, true]);
      await inbox.done('trigger-1', 'Answer recorded');
      expect(await inbox.receive(request(1))).toBe(false);

      const next = await opened.successor();
      expect(await next.receive(request(1))).toBe(false);
      expect(await next.receive(request(2))).toBe(false);
      expect(await next.receive(request(3))).toBe(true);
    });

    it('is not abandoned while its handler lives: its receiver never finds it so within the lease', async () => {
      await inbox.receive(request(1));
      expect(await inbox.abandoned(clock.now(), ['slack', 'teams'])).toEqual([]);
      expect(await inbox.abandoned(new Date(clock.now().getTime() + opened.leaseMs - 1), ['slack', 'teams'])).toEqual([]);
      // Renewing what it still handles never hands it to anyone, and a bad time is refused.
      await inbox.renew(clock.advance(opened.leaseMs / 2));
      expect(await inbox.abandoned(new Date(clock.now().getTime() + opened.leaseMs - 1), ['slack', 'teams'])).toEqual([]);
      await expect(inbox.renew(new Date(Number.NaN))).rejects.toBeInstanceOf(RangeError);
    });

    it('hands what was left unfinished to the successor: as received, oldest first, only for the platforms asked, once per lease', async () => {
      const sent = [request(1), press(2), request(3), request(4)];
      for (const entry of sent) expect(await inbox.receive(entry)).toBe(true);
      await inbox.done('trigger-3', 'Status shown');
      const next = await opened.successor();
      const now = clock.advance(opened.leaseMs);

      expect(await next.abandoned(now, ['slack'])).toEqual([sent[0], sent[3]]);
      // Claimed: not again within the claim, whoever asks.
      expect(await next.abandoned(now, ['slack'])).toEqual([]);
      expect(await next.abandoned(new Date(now.getTime() + opened.leaseMs - 1), ['slack'])).toEqual([]);
      expect(await next.abandoned(now, ['teams'])).toEqual([sent[1]]);
      // Nothing for a platform nobody asks for, and nothing when asked for none.
      expect(await next.abandoned(now, [])).toEqual([]);

      // The claim ended without the request being done: it is abandoned again.
      await next.done('trigger-1', 'Answer recorded');
      const later = clock.advance(opened.leaseMs);
      expect(await next.abandoned(later, ['slack', 'teams'])).toEqual([sent[1], sent[3]]);
      await next.done('activity-2', 'Recorded');
      await next.done('trigger-4', 'Recorded');
      expect(await next.abandoned(clock.advance(10 * opened.leaseMs), ['slack', 'teams'])).toEqual([]);
    });

    it('marking done an id it never received changes nothing', async () => {
      await inbox.receive(request(1));
      await inbox.done('trigger-unknown', 'nothing');
      const next = await opened.successor();
      expect((await next.abandoned(clock.advance(opened.leaseMs), ['slack'])).map((entry) => entry.id)).toEqual(['trigger-1']);
      expect(await next.receive(request(9, { id: 'trigger-unknown' }))).toBe(true);
    });

    it('refuses what it cannot keep with a clear error, and writes nothing of it', async () => {
      const bad = { ...request(1), at: 'yesterday' } as Received;
      await expect(inbox.receive(bad)).rejects.toThrow(/not a request golive can keep \(at: /);
      await expect(inbox.receive({ ...request(1), kind: 'dance' } as unknown as Received)).rejects.toThrow(/not a request golive can keep/);
      // Nothing of it was kept: the same id is new.
      expect(await inbox.receive(request(1))).toBe(true);
      await expect(inbox.abandoned(new Date(Number.NaN), ['slack'])).rejects.toThrow(RangeError);
    });

    it('refuses work once closed', async () => {
      await inbox.close();
      await expect(inbox.receive(request(1))).rejects.toThrow(StoreError);
      await expect(inbox.receive(request(1))).rejects.toThrow(/closed/);
    });
  });
}
