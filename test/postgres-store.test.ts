import { afterEach, beforeEach, expect, it } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { deliverDue } from '../src/app/delivery/outbox.js';
import type { ChatPort } from '../src/app/delivery/chat-port.js';
import type { Db } from '../store/postgres/db.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { ChannelTakenError, StoreError, type Store } from '../src/app/store-port.js';
import { entryAfter, later, message, rejectionOf, release, slack } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { QUALIFY_COMMAND, qualifyPeople } from '../src/app/usecases/qualify-people.js';
import { TestClock } from './support/test-clock.js';
import { TrustedReleaseReader } from '../src/app/release-reader.js';

// The PostgreSQL store through the port's methods, on PGlite and on the server: what it keeps,
// that a write is all or nothing (also when the database refuses part of it), and the checks a
// write passes before anything is written.

forEachTarget('the PostgreSQL store', (target) => {
  let schema: TestSchema;
  let db: Db;
  let store: Store;

  beforeEach(async () => {
    schema = await target.schema();
    db = await schema.db();
    store = await openPostgresStore(db, { closeDb: false });
  });

  afterEach(async () => {
    await store.close();
    await schema.drop();
  });

  async function create(id: string, channels: string[] = [], outbox = [message(`${id}-m`)]) {
    const state = release(id, { channels: channels.map(slack) });
    const first = entryAfter(undefined, state, { command: `create ${id}` });
    await store.create(state, first, outbox);
    return first;
  }

  async function everything(id: string) {
    return { stored: await store.get(id), audit: await store.audit(id), outbox: await store.outbox(id), quarantine: await store.quarantine(id), list: await store.list() };
  }

  it('keeps a release, its chain, its outbox and its channels, and reads them back as written', async () => {
    const first = await create('nov-2019', ['C1']);
    await create('feb-2020');
    const result = await store.transact('nov-2019', (current) => {
      expect(current).toEqual({ release: release('nov-2019', { channels: [slack('C1')] }), head: first });
      const next = { ...current.release, name: 'Renamed' };
      const entry = entryAfter(current.head, next, { request: 'req-2', at: later(1) });
      return { release: next, append: [entry], outbox: [message('nov-2019-m', { status: 'sent', attempts: 1, sentAt: later(1) }), message('m-2', { createdAt: later(1) })], result: entry.seq };
    });
    expect(result).toBe(2);
    expect(await store.list()).toEqual([
      { id: 'nov-2019', name: 'Renamed', channels: [slack('C1')] },
      { id: 'feb-2020', name: 'Release feb-2020', channels: [] },
    ]);
    const chain = await store.audit('nov-2019');
    expect(verifyChain(chain)).toMatchObject({ ok: true, entries: 2 });
    expect((await store.get('nov-2019'))?.head).toEqual(chain[1]);
    expect(await store.auditByRequest('nov-2019', 'req-2')).toEqual(chain[1]);
    expect((await store.outbox('nov-2019')).map((m) => `${m.id}:${m.status}`)).toEqual(['nov-2019-m:sent', 'm-2:pending']);
    expect((await store.claimDue(new Date(later(2)), 10, { holder: 'h', leaseMs: 1000, platforms: ['slack'] })).map((due) => `${due.releaseId}/${due.message.id}`)).toEqual([
      'feb-2020/feb-2020-m',
      'nov-2019/m-2',
    ]);
    expect(await store.findByChannel(slack('C1'))).toBe('nov-2019');
  });

  it('delivers rows an older golive wrote with rendered views: an old announcement as stored, old checklist edits as one edit of the checklist as it is now', async () => {
    await create('nov-2019', ['C1'], [message('post', { to: { channel: slack('C1') }, status: 'sent', attempts: 1, sentAt: later(1), messageRef: 'C1/1.0' })]);
    const channel = { platform: 'slack', id: 'C1' };
    const oldView = (text: string) => ({ title: text, blocks: [{ type: 'paragraph', content: [{ type: 'text', text }] }] });
    const old = [
      { id: 'edit-1', kind: 'checklist-update', channel, view: oldView('an old edit'), updates: 'post', createdAt: later(2), status: 'pending', attempts: 0 },
      { id: 'edit-2', kind: 'checklist-update', channel, view: oldView('a newer old edit'), updates: 'post', createdAt: later(3), status: 'pending', attempts: 0 },
      { id: 'announced', kind: 'announcement', channel, view: oldView('OLD ANNOUNCEMENT as it was rendered'), createdAt: later(4), status: 'pending', attempts: 0 },
    ];
    for (const row of old) {
      await db.query('INSERT INTO outbox (release_id, id, message, status, created_at) VALUES ($1, $2, $3::jsonb, $4, $5::timestamptz)', [
        'nov-2019',
        row.id,
        JSON.stringify(row),
        row.status,
        row.createdAt,
      ]);
    }
    // Read in the current shape, nothing dropped.
    expect((await store.outbox('nov-2019')).map((m) => [m.id, m.kind, m.to])).toEqual([
      ['post', 'checklist', { channel: slack('C1') }],
      ['edit-1', 'checklist-update', { channel: slack('C1') }],
      ['edit-2', 'checklist-update', { channel: slack('C1') }],
      ['announced', 'legacy-view', { channel: slack('C1') }],
    ]);
    const said: string[] = [];
    const port: ChatPort = {
      post: async (to, view) => (said.push(`post ${to.id} ${JSON.stringify(view)}`), { ref: `${to.id}/2.0` }),
      update: async (to, ref, view) => void said.push(`update ${to.id} ${ref} ${JSON.stringify(view)}`),
      dm: async () => {
        throw new Error('not used');
      },
    };
    expect(await deliverDue(store, { slack: port }, new Date(later(5)))).toBe(3);
    expect(said).toHaveLength(2);
    expect(said[0]).toMatch(/^update C1 C1\/1\.0 .*Go-live checklist/);
    expect(said[0]).not.toContain('old edit');
    expect(said[1]).toMatch(/^post C1 .*OLD ANNOUNCEMENT as it was rendered/);
    expect((await store.outbox('nov-2019')).map((m) => `${m.id}:${m.status}`)).toEqual(['post:sent', 'edit-1:sent', 'edit-2:sent', 'announced:sent']);
  });

  it('a write the database refuses half-way leaves nothing of it: not its entry, state or other messages', async () => {
    await create('rel-1');
    const before = await everything('rel-1');
    // PostgreSQL's text cannot hold U+0000: the outbox insert fails after the entry was inserted.
    const error = await rejectionOf(
      store.transact('rel-1', (current) => {
        const next = { ...current.release, name: 'Half written' };
        return { release: next, append: [entryAfter(current.head, next)], outbox: [message('fine'), message('bad', { lastError: 'nul \u0000 here' })], refusals: null, result: undefined };
      }),
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/the write to release "rel-1" failed/);
    expect(await everything('rel-1')).toEqual(before);
    // And the store goes on: the next write continues the chain from where it was.
    await store.transact('rel-1', (current) => ({ append: [entryAfter(current.head, current.release)], result: undefined }));
    expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2]);
  });

  it('changes nothing when fn throws, and passes its error through as it is', async () => {
    await create('rel-1', ['C1']);
    const before = await everything('rel-1');
    const thrown = new RangeError('refused by fn');
    const error = await rejectionOf(
      store.transact('rel-1', (current) => {
        current.release.name = 'Edited in place';
        throw thrown;
      }),
    );
    expect(error).toBe(thrown);
    expect(await everything('rel-1')).toEqual(before);
  });

  it('refuses entries that do not continue the chain, a state its head does not seal, and an invalid state, writing nothing', async () => {
    await create('rel-1');
    const before = await everything('rel-1');
    const attempts = [
      // Numbered 1 again.
      store.transact('rel-1', (current) => ({ append: [entryAfter(undefined, current.release)], result: undefined })),
      // A new state with no entry sealing it.
      store.transact('rel-1', (current) => ({ release: { ...current.release, name: 'Unsealed' }, result: undefined })),
      // An entry sealing another state than the one written.
      store.transact('rel-1', (current) => ({ release: { ...current.release, name: 'One' }, append: [entryAfter(current.head, { ...current.release, name: 'Other' })], result: undefined })),
      // An entry whose content no longer matches its hash.
      store.transact('rel-1', (current) => ({ append: [{ ...entryAfter(current.head, current.release), command: 'edited after sealing' }], result: undefined })),
      // Dated before the head.
      store.transact('rel-1', (current) => ({ append: [entryAfter(current.head, current.release, { at: '2019-10-01T00:00:00.000Z' })], result: undefined })),
      // Not a valid release.
      store.transact('rel-1', (current) => {
        const next = { ...current.release, managers: [] };
        return { release: next, append: [entryAfter(current.head, next)], result: undefined };
      }),
      store.transact('rel-1', (current) => {
        const next = { ...current.release, id: 'rel-2' };
        return { release: next, append: [entryAfter(current.head, next)], result: undefined };
      }),
    ];
    for (const attempt of attempts) expect(await rejectionOf(attempt)).toBeInstanceOf(StoreError);
    expect(await everything('rel-1')).toEqual(before);
  });

  it('ChannelTakenError names the release that follows the channel; giving a channel up frees it', async () => {
    await create('first', ['C1']);
    await create('second');
    const taking = (id: string) =>
      store.transact(id, (current) => {
        const next = { ...current.release, channels: [slack('C0'), slack('C1')] };
        return { release: next, append: [entryAfter(current.head, next)], result: undefined };
      });
    expect(await rejectionOf(taking('second'))).toMatchObject({ name: 'ChannelTakenError', releaseId: 'first', channel: slack('C1') });
    expect(await rejectionOf(create('third', ['C2', 'C1']))).toBeInstanceOf(ChannelTakenError);
    expect(await store.findByChannel(slack('C0'))).toBeUndefined();
    expect(await store.findByChannel(slack('C2'))).toBeUndefined();
    expect(await store.get('third')).toBeUndefined();

    await store.transact('first', (current) => {
      const next = { ...current.release, channels: [] };
      return { release: next, append: [entryAfter(current.head, next)], result: undefined };
    });
    await taking('second');
    expect(await store.findByChannel(slack('C1'))).toBe('second');
    expect((await store.list()).map((summary) => summary.channels.map((channel) => channel.id))).toEqual([[], ['C0', 'C1']]);
  });

  it('refuses a release id that is taken, with StoreError, keeping the first', async () => {
    await create('rel-1');
    const error = await rejectionOf(create('rel-1'));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe('a release with id "rel-1" already exists');
    expect(await store.audit('rel-1')).toHaveLength(1);
  });

  it('fn reads its own release through the store while it holds the lock, without waiting for itself', async () => {
    await create('rel-1');
    // One connection only on the server too: a read inside fn must use the transaction's own.
    const single = await schema.db({ max: 1 });
    const narrow = await openPostgresStore(single, { closeDb: false });
    try {
      await Promise.all(
        Array.from({ length: 5 }, (_, n) =>
          narrow.transact('rel-1', async (current) => {
            const outbox = await narrow.outbox('rel-1');
            expect(await narrow.audit('rel-1', { fromSeq: current.head!.seq })).toEqual([current.head]);
            expect((await narrow.list()).map((summary) => summary.id)).toEqual(['rel-1']);
            return { append: [entryAfter(current.head, current.release, { request: `req-${n}` })], outbox: [message(`m-${outbox.length}`)], result: undefined };
          }),
        ),
      );
      expect((await narrow.outbox('rel-1')).map((m) => m.id)).toEqual(['rel-1-m', 'm-1', 'm-2', 'm-3', 'm-4', 'm-5']);
      expect(await narrow.audit('rel-1')).toHaveLength(6);
    } finally {
      await narrow.close();
    }
  });

  it('a store write from inside fn is refused instead of waiting for ever', async () => {
    await create('rel-1');
    await create('rel-2');
    const error = await rejectionOf(store.transact('rel-1', async () => ({ result: await store.transact('rel-2', () => ({ result: 1 })) })));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe('a write to release "rel-2" cannot start inside another transaction\'s function (the Store port does not allow it)');
    expect(await store.audit('rel-1')).toHaveLength(1);
  });

  it('ids that name object properties are ids like any other', async () => {
    const names = ['__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString'];
    for (const id of names) {
      expect(await store.get(id)).toBeUndefined();
      expect(await store.quarantine(id)).toBeUndefined();
      expect(await store.findByChannel(slack(id))).toBeUndefined();
      expect(await rejectionOf(store.transact(id, () => ({ result: undefined })))).toBeInstanceOf(StoreError);
    }
    await create('constructor', names, [message('__proto__'), message('constructor')]);
    await store.transact('constructor', (current) => ({
      append: [entryAfter(current.head, current.release, { request: '__proto__' })],
      outbox: [message('__proto__', { status: 'sent', attempts: 1 }), message('toString')],
      result: undefined,
    }));
    for (const id of names) expect(await store.findByChannel(slack(id))).toBe('constructor');
    expect((await store.auditByRequest('constructor', '__proto__'))?.seq).toBe(2);
    expect((await store.outbox('constructor')).map((m) => `${m.id}:${m.status}`)).toEqual(['__proto__:sent', 'constructor:pending', 'toString:pending']);
    const state = { ...release('x'), id: '__proto__' };
    expect(await rejectionOf(store.create(state, entryAfter(undefined, state), []))).toBeInstanceOf(StoreError);
    expect((await store.list()).map((summary) => summary.id)).toEqual(['constructor']);
  });

  it('after close every method rejects with StoreError', async () => {
    await store.close();
    expect(await rejectionOf(store.list())).toBeInstanceOf(StoreError);
    expect(await rejectionOf(store.transact('rel-1', () => ({ result: undefined })))).toBeInstanceOf(StoreError);
  });

  it('reads many releases in one go as get reads each, in the order asked; qualifyPeople at start goes through them that way', async () => {
    await create('nov-2019', ['C1']);
    // Records from before people ids carried their platform, as these fixtures are: bare ids.
    const old = release('old-2019', { managers: ['dan'] });
    await store.create(old, entryAfter(undefined, old, { command: 'create old-2019' }), []);
    await create('feb-2020');
    const many = await store.getMany!(['feb-2020', 'missing', 'nov-2019', 'old-2019']);
    expect(many).toEqual([await store.get('feb-2020'), undefined, await store.get('nov-2019'), await store.get('old-2019')]);

    expect(await qualifyPeople(store, new TestClock(later(5)), undefined)).toEqual(['nov-2019', 'old-2019', 'feb-2020']);
    expect((await store.get('old-2019'))!.release.managers).toEqual(['console:dan']);
    expect((await store.audit('old-2019')).map((entry) => entry.command)).toEqual(['create old-2019', QUALIFY_COMMAND]);
    expect(await qualifyPeople(store, new TestClock(later(6)), undefined)).toEqual([]);
  });

  it("reads a channel's release and its verdict in one go, the same frozen copy while the row is unchanged", async () => {
    await create('nov-2019', ['C1']);
    await create('feb-2020', ['C2']);
    const first = (await store.sharedByChannel!(slack('C1')))!;
    expect(first.id).toBe('nov-2019');
    expect(first.shared).toEqual(await store.get('nov-2019'));
    expect((await store.sharedByChannel!(slack('C1')))!.shared).toBe(first.shared);
    expect((await store.shared!('nov-2019'))!.release).toBe(first.shared.release);
    expect(await store.sharedByChannel!(slack('C9'))).toBeUndefined();
    expect(await store.sharedByChannel!({ platform: 'teams', id: 'C1' })).toBeUndefined();
    expect((await store.sharedByChannel!(slack('C2')))!.id).toBe('feb-2020');

    await db.query(`UPDATE releases SET quarantine = $2::jsonb WHERE id = $1`, ['nov-2019', JSON.stringify({ seq: 1, message: 'Entry 1 was edited' })]);
    const quarantined = (await store.sharedByChannel!(slack('C1')))!;
    expect(quarantined.shared.quarantine).toEqual({ seq: 1, message: 'Entry 1 was edited' });
    expect(quarantined.shared.release).not.toBe(first.shared.release);
  });

  it('a reader of every release reads each once, frozen, again after a write by any replica, and never a quarantined one', async () => {
    for (const id of ['a', 'b', 'c']) await create(id);
    const reader = new TrustedReleaseReader(store);
    const first = await reader.all();
    expect(first.map((release) => release.id)).toEqual(['a', 'b', 'c']);
    expect(first.every((release) => Object.isFrozen(release))).toBe(true);
    const again = await reader.all();
    again.forEach((release, i) => expect(release).toBe(first[i]));

    // Another golive on the same database writes b: the head moved, so b is read again.
    const other = await openPostgresStore(await schema.db(), { closeDb: true });
    try {
      await other.transact('b', (current) => {
        const next = { ...current.release, name: 'Renamed elsewhere' };
        return { release: next, append: [entryAfter(current.head, next, { at: later(1) })], result: undefined };
      });
    } finally {
      await other.close();
    }
    // c found tampered by a check: left out from then on.
    await db.query(`UPDATE releases SET quarantine = $2::jsonb WHERE id = $1`, ['c', JSON.stringify({ seq: 1, message: 'Entry 1 was edited' })]);
    const changed = await reader.all();
    expect(changed.map((release) => release.name)).toEqual(['Release a', 'Renamed elsewhere']);
    expect(changed[0]).toBe(first[0]);
  });

  it('shares one frozen copy of a release while its row is unchanged, and reads again after a write or an edit behind its back', async () => {
    await create('nov-2019', ['C1']);
    const first = (await store.shared!('nov-2019'))!;
    expect(first).toEqual(await store.get('nov-2019'));
    expect(Object.isFrozen(first.release)).toBe(true);
    expect(() => {
      first.release.name = 'Changed';
    }).toThrow(TypeError);
    expect((await store.shared!('nov-2019'))!.release).toBe(first.release);
    expect(await store.shared!('missing')).toBeUndefined();

    await store.transact('nov-2019', (current) => {
      const next = { ...current.release, name: 'Renamed' };
      return { release: next, append: [entryAfter(current.head, next, { at: later(1) })], result: undefined };
    });
    const written = (await store.shared!('nov-2019'))!;
    expect(written.release.name).toBe('Renamed');
    expect(written).toEqual(await store.get('nov-2019'));
    // What was handed out before still means the version it was read at.
    expect(first.release.name).toBe('Release nov-2019');

    // Changed in the database by something other than golive, head untouched: shown as get shows it.
    await db.query(`UPDATE releases SET state = jsonb_set(state, '{name}', '"Edited"') WHERE id = $1`, ['nov-2019']);
    expect((await store.shared!('nov-2019'))!.release.name).toBe('Edited');
    expect(await store.shared!('nov-2019')).toEqual(await store.get('nov-2019'));

    // Quarantined by another replica's check: the next read carries the verdict, as quarantine() does.
    await db.query(`UPDATE releases SET quarantine = $2::jsonb WHERE id = $1`, ['nov-2019', JSON.stringify({ seq: 1, message: 'Entry 1 was edited' })]);
    expect((await store.shared!('nov-2019'))!.quarantine).toEqual({ seq: 1, message: 'Entry 1 was edited' });
    expect(await store.quarantine('nov-2019')).toEqual({ seq: 1, message: 'Entry 1 was edited' });
    // Even an UPDATE that writes the same values is a new version of the row, and read again.
    const before = (await store.shared!('nov-2019'))!;
    await db.query(`UPDATE releases SET state = state WHERE id = $1`, ['nov-2019']);
    expect((await store.shared!('nov-2019'))!.release).not.toBe(before.release);
  });
});
