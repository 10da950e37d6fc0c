import { afterEach, beforeEach, expect, it } from 'vitest';
import { stateHashOf, verifyChain } from '../src/domain/audit.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { ChannelTakenError, StoreError, type Store } from '../src/app/store-port.js';
import { CREATED, entryAfter, later, message, rejectionOf, release, slack } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';

// Two golives on one database, each with its own pool of connections ("replicas"). On the server
// this proves the row lock: their writes to one release interleave into one unbroken chain. On
// PGlite (one connection) the same tests run, serialised, and prove only the SQL.

forEachTarget('two replicas on one database', (target) => {
  let schema: TestSchema;
  let one: Store;
  let two: Store;

  beforeEach(async () => {
    schema = await target.schema();
    one = await openPostgresStore(await schema.db(), { closeDb: false });
    two = await openPostgresStore(await schema.db(), { closeDb: false });
  });

  afterEach(async () => {
    await one.close();
    await two.close();
    await schema.drop();
  });

  async function create(store: Store, id: string, channels: string[] = []) {
    const state = release(id, { channels: channels.map(slack), facts: { phases: [], testingIssues: { count: 0, threshold: 100, setAt: CREATED, setBy: 'console:tester', changedAt: CREATED } } });
    await store.create(state, entryAfter(undefined, state), []);
  }

  it('concurrent writes to one release from both give one gapless chain, each write applied once on the state before it', async () => {
    await create(one, 'rel-1');
    const seen: number[] = [];
    const write = (store: Store, n: number) =>
      store.transact('rel-1', async (current) => {
        // Gives the other replica every chance to interleave between the read and the write.
        await new Promise((resolve) => setImmediate(resolve));
        const issues = current.release.facts.testingIssues!;
        seen.push(issues.count);
        const next = { ...current.release, facts: { ...current.release.facts, testingIssues: { ...issues, count: issues.count + 1 } } };
        return { release: next, append: [entryAfter(current.head, next, { command: `write ${n}`, request: `req-${n}` })], outbox: [message(`m-${n}`)], result: n };
      });
    const results = await Promise.all(Array.from({ length: 40 }, (_, n) => write(n % 2 === 0 ? one : two, n)));

    expect(results).toEqual(Array.from({ length: 40 }, (_, n) => n));
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, n) => n));
    for (const store of [one, two]) {
      const stored = await store.get('rel-1');
      expect(stored?.release.facts.testingIssues?.count).toBe(40);
      const chain = await store.audit('rel-1');
      expect(chain.map((entry) => entry.seq)).toEqual(Array.from({ length: 41 }, (_, n) => n + 1));
      expect(verifyChain(chain)).toMatchObject({ ok: true, entries: 41 });
      expect(stored?.head).toEqual(chain.at(-1));
      expect(stored?.head?.stateHash).toBe(stateHashOf(stored!.release));
      expect(new Set(chain.slice(1).map((entry) => entry.request)).size).toBe(40);
      expect(await store.outbox('rel-1')).toHaveLength(40);
    }
  });

  it('each sees what the other committed at once: nothing is cached', async () => {
    await create(one, 'rel-1', ['C1']);
    expect(await two.findByChannel(slack('C1'))).toBe('rel-1');
    await two.transact('rel-1', (current) => {
      const next = { ...current.release, name: 'Renamed by two' };
      return { release: next, append: [entryAfter(current.head, next)], outbox: [message('m-1', { createdAt: later(1) })], result: undefined };
    });
    expect((await one.get('rel-1'))?.release.name).toBe('Renamed by two');
    expect((await one.list())[0]!.name).toBe('Renamed by two');
    expect((await one.claimDue(new Date(later(2)), 10, { holder: 'one', leaseMs: 1000, platforms: ['slack'] })).map((due) => due.message.id)).toEqual(['m-1']);
    // And one's next write continues the chain two extended.
    await one.transact('rel-1', (current) => ({ append: [entryAfter(current.head, current.release)], result: undefined }));
    expect((await two.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2, 3]);
  });

  it('a channel one follows is refused to the other with ChannelTakenError, and of two racing for one, one wins', async () => {
    await create(one, 'first', ['C1']);
    const error = await rejectionOf(create(two, 'second', ['C1']));
    expect(error).toBeInstanceOf(ChannelTakenError);
    expect(error).toMatchObject({ releaseId: 'first', channel: slack('C1') });
    expect(await one.get('second')).toBeUndefined();

    await create(one, 'a');
    await create(two, 'b');
    const link = (store: Store, id: string) =>
      store.transact(id, (current) => {
        const next = { ...current.release, channels: [slack('C-race')] };
        return { release: next, append: [entryAfter(current.head, next)], result: id };
      });
    const results = await Promise.allSettled([link(one, 'a'), link(two, 'b'), create(two, 'c', ['C-race']), create(one, 'd', ['C-race'])]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ChannelTakenError);
    const follower = await two.findByChannel(slack('C-race'));
    const followers = (await one.list()).filter((summary) => summary.channels.some((channel) => channel.id === 'C-race'));
    expect(followers.map((summary) => summary.id)).toEqual([follower]);
  });

  it('of two creates of one id from both, exactly one is kept', async () => {
    const results = await Promise.allSettled([create(one, 'rel-1'), create(two, 'rel-1')]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((result) => result.status === 'rejected')?.reason).toBeInstanceOf(StoreError);
    expect(await one.audit('rel-1')).toHaveLength(1);
  });

  it("a notification sent on one replica's connection reaches a listener on the other's", async () => {
    const dbOne = await schema.db();
    const dbTwo = await schema.db();
    let heard!: (payload: string) => void;
    const payload = new Promise<string>((resolve) => (heard = resolve));
    const unlisten = await dbOne.listen!('golive_release_changed', heard);
    await dbTwo.query('SELECT pg_notify($1, $2)', ['golive_release_changed', 'rel-1']);
    expect(await payload).toBe('rel-1');
    await unlisten();
  });
});
