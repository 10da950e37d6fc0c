import { afterEach, beforeEach, expect, it } from 'vitest';
import type { IdentityPort } from '../src/app/identity-port.js';
import type { Actor } from '../src/app/request.js';
import { verifyChain } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { openPostgresIdentities } from '../store/postgres/identity-postgres.js';
import { rejectionOf } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { TestClock } from './support/test-clock.js';

// The identity record in PostgreSQL, opened by two golives ("replicas") on one schema: one chain,
// whichever writes; a link or a code made by one is known to the other at its next read; a record
// changed outside golive is caught, its links ignored and linking refused, and nothing written.

const ANNA_SLACK: Actor = { id: 'slack:U100', platform: 'slack' };
const ANNA_TEAMS: Actor = { id: 'teams:29:anna', platform: 'teams' };
const BOB_TEAMS: Actor = { id: 'teams:29:bob', platform: 'teams' };
const T0 = new Date('2026-11-30T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);

forEachTarget('the identity record in PostgreSQL', (target) => {
  let schema: TestSchema;
  let one: IdentityPort;
  let two: IdentityPort;

  beforeEach(async () => {
    schema = await target.schema();
    one = await openPostgresIdentities(await schema.db());
    two = await openPostgresIdentities(await schema.db());
  });

  afterEach(() => schema.drop());

  const rows = async () => (await schema.sql<{ seq: number; entry: AuditEntry }>('SELECT seq, entry FROM identity_audit ORDER BY seq')).map((row) => row.entry);
  const open = async (key?: string) => openPostgresIdentities(await schema.db(), { ...(key && { key }) });

  it('a code given by one is redeemed on the other, and the link counts on both at once; the table holds one sealed chain', async () => {
    expect(await two.aliases('slack:U100')).toEqual(['slack:U100']);
    const { code } = await one.issue(ANNA_SLACK, T0);
    expect(await two.redeem(ANNA_TEAMS, code, later(60_000))).toBe('slack:U100');
    expect((await one.aliases('slack:U100')).sort()).toEqual(['slack:U100', 'teams:29:anna']);
    expect((await two.aliases('teams:29:anna')).sort()).toEqual(['slack:U100', 'teams:29:anna']);
    const chain = await rows();
    expect(chain.map((entry) => entry.seq)).toEqual([1, 2]);
    expect(verifyChain(chain)).toMatchObject({ ok: true, entries: 2 });
    expect(JSON.stringify(chain)).not.toContain(code.replace('-', ''));
    expect(await one.read()).toMatchObject({ problem: undefined, entries: 2, head: chain[1]!.hash });

    await one.unlink(ANNA_SLACK, 'teams:29:anna', later(120_000));
    expect(await two.aliases('teams:29:anna')).toEqual(['teams:29:anna']);
  });

  it('of two redeeming one code at once on both, one links and the other is told it was used; the chain stays whole', async () => {
    const { code } = await one.issue(ANNA_SLACK, T0);
    const results = await Promise.allSettled([one.redeem(ANNA_TEAMS, code, later(1000)), two.redeem(BOB_TEAMS, code, later(1000))]);
    const linked = results.filter((result) => result.status === 'fulfilled');
    expect(linked).toHaveLength(1);
    const refused = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
    expect(String(refused.reason)).toMatch(/used already/);
    const chain = await rows();
    expect(chain.map((entry) => entry.outcome)).toEqual(['applied', 'applied', 'refused']);
    expect(verifyChain(chain).ok).toBe(true);
  });

  it('many appends from both at once make one gapless chain that verifies', async () => {
    const people = Array.from({ length: 12 }, (_, n): Actor => ({ id: `console:p${n}`, platform: 'console' }));
    // Each asks at its own time; one that waited behind a later one reads the clock again.
    const clock = new TestClock(T0.toISOString());
    await Promise.all(people.map((actor, n) => (n % 2 === 0 ? one : two).issue(actor, clock.now(), () => clock.now())));
    const chain = await rows();
    expect(chain.map((entry) => entry.seq)).toEqual(Array.from({ length: 12 }, (_, n) => n + 1));
    expect(verifyChain(chain).ok).toBe(true);
    await expect((await open()).read()).resolves.toMatchObject({ problem: undefined, entries: 12 });
    // A clock truly behind the record is still refused.
    expect(String(await rejectionOf(one.issue(people[0]!, T0, () => T0)))).toMatch(/clock is behind the identity record/);
  });

  it('the table is append-only: UPDATE, DELETE and TRUNCATE are refused', async () => {
    await one.issue(ANNA_SLACK, T0);
    await expect(schema.sql(`UPDATE identity_audit SET entry = entry`)).rejects.toThrow(/identity_audit table is append-only: UPDATE/);
    await expect(schema.sql('DELETE FROM identity_audit')).rejects.toThrow(/append-only: DELETE/);
    await expect(schema.sql('TRUNCATE identity_audit')).rejects.toThrow(/append-only: TRUNCATE/);
    expect(await rows()).toHaveLength(1);
  });

  it('a link forged in the table by its owner is caught at open: links ignored, linking refused, nothing written', async () => {
    await two.redeem(ANNA_TEAMS, (await one.issue(ANNA_SLACK, T0)).code, later(1));
    await schema.sql('ALTER TABLE identity_audit DISABLE TRIGGER USER');
    await schema.sql(`UPDATE identity_audit SET entry = jsonb_set(entry, '{after,linked}', '["teams:29:mallory", "slack:U100"]') WHERE seq = 2`);
    await schema.sql('ALTER TABLE identity_audit ENABLE TRIGGER USER');
    const forged = await rows();
    const reopened = await open();
    expect((await reopened.read()).problem).toMatch(/fails verification at entry 2/);
    expect(await reopened.aliases('teams:29:mallory')).toEqual(['teams:29:mallory']);
    expect(await reopened.aliases('slack:U100')).toEqual(['slack:U100']);
    expect(String(await rejectionOf(reopened.issue(ANNA_SLACK, later(2))))).toMatch(/Linking is off/);
    expect(await rows()).toEqual(forged);
  });

  it('an entry changed under a golive that has it is caught at its next read, and nothing is written after it', async () => {
    await one.redeem(ANNA_TEAMS, (await one.issue(ANNA_SLACK, T0)).code, later(1));
    expect((await two.aliases('slack:U100')).sort()).toEqual(['slack:U100', 'teams:29:anna']);
    await schema.sql('ALTER TABLE identity_audit DISABLE TRIGGER USER');
    await schema.sql(`UPDATE identity_audit SET entry = jsonb_set(entry, '{at}', '"2026-11-30T10:00:00.500Z"') WHERE seq = 2`);
    await schema.sql('ALTER TABLE identity_audit ENABLE TRIGGER USER');
    expect(await two.aliases('slack:U100')).toEqual(['slack:U100']);
    expect((await two.read()).problem).toMatch(/fails verification at entry 2: .*changed outside golive/);
    expect(String(await rejectionOf(two.issue(BOB_TEAMS, later(3))))).toMatch(/Linking is off/);
    expect(await rows()).toHaveLength(2);
  });

  it('a row that is not an audit entry fails the record, naming the entry', async () => {
    await one.issue(ANNA_SLACK, T0);
    await schema.sql(`INSERT INTO identity_audit (seq, entry) VALUES (2, '{"seq": "two"}'::jsonb)`);
    const reopened = await open();
    expect((await reopened.read()).problem).toMatch(/fails verification at entry 2: it is not a valid audit entry \(seq: /);
    // And the golive that had it open sees the same at its next read.
    expect((await one.read()).problem).toMatch(/fails verification at entry 2: it is not a valid audit entry/);
  });

  it('a keyed record verifies with its key only; an unkeyed one is not trusted once the key is set', async () => {
    const keyed = await open('k1');
    await keyed.redeem(ANNA_TEAMS, (await keyed.issue(ANNA_SLACK, T0)).code, later(1));
    expect((await (await open('k1')).read()).problem).toBeUndefined();
    expect((await (await open('other')).read()).problem).toMatch(/fails verification/);
    expect((await (await open()).read()).problem).toMatch(/fails verification/);

    const plain = await target.schema();
    try {
      await (await openPostgresIdentities(await plain.db())).issue(ANNA_SLACK, T0);
      expect((await (await openPostgresIdentities(await plain.db(), { key: 'k1' })).read()).problem).toMatch(/without GOLIVE_AUDIT_KEY/);
    } finally {
      await plain.drop();
    }
  });
});
