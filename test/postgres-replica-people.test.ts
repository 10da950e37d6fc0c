import { afterEach, beforeEach, expect, it } from 'vitest';
import { renderText } from '../adapters/console/render-text.js';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { ChatPort } from '../src/app/delivery/chat-port.js';
import { DIGEST_CLAIM_MS, digestTick } from '../src/app/delivery/digest.js';
import type { Person } from '../src/app/delivery/outbox-message.js';
import { recordVerifier } from '../src/app/record-check.js';
import type { Reply } from '../src/app/request.js';
import type { Store } from '../src/app/store-port.js';
import type { View } from '../src/views/elements.js';
import { openPostgresIdentities } from '../store/postgres/identity-postgres.js';
import { openPostgresPeople } from '../store/postgres/people-postgres.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { TestClock } from './support/test-clock.js';

// Two golives ("replicas") on one database, each with its own connections (their clocks agree: one
// test clock for both): what
// a person set or linked on one is what the other goes by at its very next request or digest, and
// two digest runs at once send each person's digest once.

const START = '2019-12-20T07:00:00Z';

interface Replica {
  app: GoliveApp;
  store: Store;
  clock: TestClock;
}

class RecordingPort implements ChatPort {
  sent: Array<{ to: string; key: string; text: string }> = [];
  async post(): Promise<{ ref: string }> {
    throw new Error('a digest is never posted to a channel');
  }
  async update(): Promise<void> {}
  async dm(person: Person, view: View, key: string): Promise<{ ref: string }> {
    // Gives the other replica's tick every chance to run in between.
    await new Promise((resolve) => setImmediate(resolve));
    this.sent.push({ to: person.id, key, text: renderText(view) });
    return { ref: `dm-${this.sent.length}` };
  }
  to(id: string): string[] {
    return this.sent.filter((s) => s.to === id).map((s) => s.key);
  }
}

forEachTarget('two golives on one database: people and links', (target) => {
  let schema: TestSchema;
  let a: Replica;
  let b: Replica;

  async function replica(clock: TestClock): Promise<Replica> {
    const db = await schema.db();
    const store = await openPostgresStore(db, { closeDb: false, verify: recordVerifier({}) });
    const app = new GoliveApp({ store, clock, directory: noGroups, audit: {}, people: await openPostgresPeople(db), identities: await openPostgresIdentities(db) });
    return { app, store, clock };
  }

  const text = (replies: Reply[]) => replies.map((r) => (r.kind === 'view' ? renderText(r.view) : '')).join('\n');
  const on = async (r: Replica, id: string, line: string) => {
    const platform = id.startsWith('slack:') ? ('slack' as const) : ('console' as const);
    const channel = { platform, id: platform === 'slack' ? 'C1' : 'a' };
    return text((await r.app.handle({ actor: { id: id as `console:${string}`, platform }, channel, text: line })).replies);
  };

  beforeEach(async () => {
    schema = await target.schema();
    const clock = new TestClock(START);
    a = await replica(clock);
    b = await replica(clock);
    for (const line of ['/release create "Alpha" 2019-12-30 --template sec-release --id a', '/release role DCC @dan', '/release group opsg members @olivia @oscar --quorum 2']) {
      expect(await on(a, 'console:rita', line)).not.toMatch(/Not allowed|error/i);
    }
  });

  afterEach(async () => {
    await a.store.close();
    await b.store.close();
    await schema.drop();
  });

  it("a link made on one is honoured by the other at the person's next request", async () => {
    expect(await on(b, 'slack:UDAN', '/release confirm code-ready met --release a')).toContain('Not allowed');
    const code = /link code is (\S{4}-\S{4})/.exec(await on(a, 'console:dan', '/release whoami link'))?.[1];
    expect(code).toBeDefined();
    expect(await on(a, 'slack:UDAN', `/release whoami link ${code}`)).toContain('Linked: golive now counts');

    expect(await on(b, 'slack:UDAN', '/release confirm code-ready met "built" --release a')).toContain('Recorded');
    const response = (await a.store.get('a'))!.release.criteria.find((c) => c.id === 'code-ready')!.responses.at(-1);
    expect(response).toMatchObject({ answer: 'met', by: 'slack:UDAN', onBehalfOf: 'console:dan' });
    expect(await on(b, 'console:dan', '/release whoami')).toContain('Linked, and counted as you: @slack:UDAN');

    // Unlinked on the other one: the first refuses again at once.
    expect(await on(b, 'console:dan', '/release whoami unlink @slack:UDAN')).toContain('Unlinked');
    expect(await on(a, 'slack:UDAN', '/release confirm code-ready not-met "broken" --release a')).toContain('Not allowed');
  });

  it("`notify off` on one is respected by the other's digest, and `notify on` too", async () => {
    expect(await on(a, 'console:dan', '/release notify off')).toContain('Changed from on to off');
    const port = new RecordingPort();
    await digestTick({ store: b.store, people: b.app.deps.people!, ports: { console: port } }, new Date('2019-12-20T09:00:00Z'));
    expect(port.to('console:dan')).toEqual([]);
    expect(port.to('console:oscar')).toEqual(['digest:console:oscar:2019-12-20']);

    expect(await on(a, 'console:dan', '/release notify on')).toContain('Changed from off to on');
    await digestTick({ store: b.store, people: b.app.deps.people!, ports: { console: port } }, new Date('2019-12-20T09:30:00Z'));
    expect(port.to('console:dan')).toEqual(['digest:console:dan:2019-12-20']);
  });

  it("two digest runs at once, one on each, send each person's digest once", async () => {
    const [portA, portB] = [new RecordingPort(), new RecordingPort()];
    const at = new Date('2019-12-20T09:00:00Z');
    const tick = (r: Replica, port: RecordingPort) => digestTick({ store: r.store, people: r.app.deps.people!, ports: { console: port } }, at);
    const [sentA, sentB] = await Promise.all([tick(a, portA), tick(b, portB)]);
    const all = [...portA.sent, ...portB.sent].map((s) => s.key).sort();
    expect(all).toEqual(['digest:console:dan:2019-12-20', 'digest:console:olivia:2019-12-20', 'digest:console:oscar:2019-12-20']);
    expect(sentA + sentB).toBe(3);
    // And again, both at once: nothing more.
    await Promise.all([tick(a, portA), tick(b, portB)]);
    expect([...portA.sent, ...portB.sent]).toHaveLength(3);
    const rows = await schema.sql<{ person_id: string; prefs: { digest?: { state: string; tries: number } } }>('SELECT person_id, prefs FROM people ORDER BY person_id');
    expect(rows.map((row) => [row.person_id, row.prefs.digest?.state, row.prefs.digest?.tries])).toEqual([
      ['console:dan', 'sent', 1],
      ['console:olivia', 'sent', 1],
      ['console:oscar', 'sent', 1],
    ]);
  });

  it('a digest one golive claimed and never reported is left to it until its claim ends, then sent once by the other', async () => {
    const at = new Date('2019-12-20T09:00:00Z');
    // As if replica a had claimed dan's digest and died before sending it.
    await a.app.deps.people!.update('console:dan', (prefs) => ({ ...prefs, digest: { day: '2019-12-20', state: 'sending', tries: 1, until: new Date(at.getTime() + DIGEST_CLAIM_MS).toISOString() } }));
    const port = new RecordingPort();
    const tick = (iso: string) => digestTick({ store: b.store, people: b.app.deps.people!, ports: { console: port } }, new Date(iso));
    await tick('2019-12-20T09:01:00Z');
    await tick('2019-12-20T09:04:59Z');
    expect(port.to('console:dan')).toEqual([]);
    await tick('2019-12-20T09:05:00Z');
    await tick('2019-12-20T09:06:00Z');
    expect(port.to('console:dan')).toEqual(['digest:console:dan:2019-12-20']);
    expect((await a.app.deps.people!.get('console:dan')).digest).toEqual({ day: '2019-12-20', state: 'sent', tries: 2 });
  });
});
