import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StoreError } from '../src/app/store-port.js';
import { knownMigrations } from '../store/postgres/migrate.js';
import { openPostgresPeople } from '../store/postgres/people-postgres.js';
import { openPostgresIdentities } from '../store/postgres/identity-postgres.js';
import { openPostgresConversations } from '../adapters/teams/conversations-postgres.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { KEEP_DONE_MS, openPgInbox } from '../store/postgres/pg-inbox.js';
import { INBOX_LEASE_MS } from '../src/app/inbox.js';
import { request } from './inbox-contract.js';
import { FixedClock } from './support/test-clock.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { entryAfter, message, release, slack } from './support/port-records.js';
import { forEachTarget, serverTarget, TEST_DATABASE_URL } from './support/postgres.js';

// The set-up 001_init.sql recommends, done as it says on the server: an owner role applies the
// migrations, golive runs as a role that may append to the audit table but never change it.

forEachTarget('the recommended roles and grants', () => {
  const suffix = randomBytes(4).toString('hex');
  const owner = `golive_owner_${suffix}`;
  const app = `golive_app_${suffix}`;
  const schema = `golive_grants_${suffix}`;
  let admin: pg.Client;

  const urlAs = (role: string) => {
    const url = new URL(TEST_DATABASE_URL);
    url.username = role;
    url.password = '';
    url.searchParams.set('options', `-c search_path=${schema}`);
    return url.toString();
  };

  beforeEach(async () => {
    admin = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE ROLE ${owner} LOGIN; CREATE ROLE ${app} LOGIN`);
    await admin.query(`CREATE SCHEMA ${schema} AUTHORIZATION ${owner}`);
  });

  afterEach(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.query(`DROP ROLE IF EXISTS ${app}; DROP ROLE IF EXISTS ${owner}`);
    await admin.end();
  });

  it('golive runs as the app role once the owner migrated: it writes releases, but cannot change an audit entry', async () => {
    const asOwner = await openPostgresStore(openPoolDb(urlAs(owner)));
    await asOwner.close();
    await admin.query(`
        GRANT USAGE ON SCHEMA ${schema} TO ${app};
        GRANT SELECT ON ${schema}.golive_schema TO ${app};
        GRANT SELECT, INSERT, UPDATE ON ${schema}.releases, ${schema}.outbox TO ${app};
        GRANT SELECT, INSERT, DELETE ON ${schema}.release_channels TO ${app};
        GRANT SELECT, INSERT ON ${schema}.audit TO ${app};
        GRANT SELECT, INSERT, UPDATE, DELETE ON ${schema}.inbox TO ${app};
        GRANT SELECT, INSERT, UPDATE ON ${schema}.leases TO ${app};`);

    const store = await openPostgresStore(openPoolDb(urlAs(app)));
    try {
      const state = release('rel-1', { channels: [slack('C1')] });
      await store.create(state, entryAfter(undefined, state), [message('m-1')]);
      await store.transact('rel-1', (current) => {
        const next = { ...current.release, channels: [slack('C2')] };
        return { release: next, append: [entryAfter(current.head, next)], outbox: [message('m-1', { status: 'sent', attempts: 1 })], refusals: null, result: undefined };
      });
      expect((await store.audit('rel-1')).map((entry) => entry.seq)).toEqual([1, 2]);
      expect(await store.findByChannel(slack('C2'))).toBe('rel-1');
      // Several replicas: claims on due messages, ended by the outcome, and the schedule's lease.
      const claim = { holder: 'replica-a', leaseMs: 60_000, platforms: ['slack' as const] };
      await store.transact('rel-1', () => ({ outbox: [message('m-2')], result: undefined }));
      expect((await store.claimDue(new Date(), 10, claim)).map((claimed) => claimed.message.id)).toEqual(['m-2']);
      await store.transact('rel-1', () => ({ outbox: [message('m-2', { status: 'sent', attempts: 1 })], endClaims: { holder: 'replica-a', messageIds: ['m-2'] }, result: undefined }));
      expect(await store.lease('schedule', 'replica-a', new Date(), 90_000)).toBe(true);
    } finally {
      await store.close();
    }

    // The inbox: received, claimed by another replica once the lease ended, done, and deleted a week later.
    const clock = new FixedClock('2019-11-07T10:00:00.000Z');
    const receiver = await openPgInbox(openPoolDb(urlAs(app)), { clock, closeDb: true });
    const other = await openPgInbox(openPoolDb(urlAs(app)), { clock, closeDb: true });
    try {
      expect(await receiver.receive(request(1))).toBe(true);
      expect(await other.abandoned(clock.advance(INBOX_LEASE_MS), ['slack'])).toEqual([request(1)]);
      await other.done('trigger-1', 'Answer recorded');
      await other.abandoned(clock.advance(KEEP_DONE_MS + 1), ['slack']);
      expect((await admin.query(`SELECT count(*)::int AS n FROM ${schema}.inbox`)).rows).toEqual([{ n: 0 }]);
    } finally {
      await receiver.close();
      await other.close();
    }

    const appClient = new pg.Client({ connectionString: urlAs(app) });
    await appClient.connect();
    try {
      await expect(appClient.query('UPDATE audit SET request_id = NULL')).rejects.toThrow(/permission denied for table audit/);
      await expect(appClient.query('DELETE FROM audit')).rejects.toThrow(/permission denied for table audit/);
      await expect(appClient.query('TRUNCATE audit')).rejects.toThrow(/permission denied for table audit/);
      await expect(appClient.query('ALTER TABLE audit DISABLE TRIGGER audit_append_only')).rejects.toThrow(/must be owner/);
    } finally {
      await appClient.end();
    }
  });

  it('with the grants 003 recommends, the app role keeps settings, links and Teams references, but cannot change an identity entry', async () => {
    const asOwner = await openPostgresStore(openPoolDb(urlAs(owner)));
    await asOwner.close();
    await admin.query(`
        GRANT USAGE ON SCHEMA ${schema} TO ${app};
        GRANT SELECT ON ${schema}.golive_schema TO ${app};
        GRANT SELECT, INSERT, UPDATE ON ${schema}.people TO ${app};
        GRANT SELECT, INSERT ON ${schema}.identity_audit TO ${app};
        GRANT SELECT, INSERT, UPDATE ON ${schema}.teams_conversations, ${schema}.teams_people TO ${app};
        GRANT USAGE ON SEQUENCE ${schema}.teams_changes TO ${app};`);

    const db = openPoolDb(urlAs(app));
    try {
      const people = await openPostgresPeople(db);
      await people.update('slack:UDAN', (prefs) => ({ ...prefs, notify: false }));
      expect(await people.get('slack:UDAN')).toEqual({ notify: false });
      const identities = await openPostgresIdentities(db);
      const at = new Date('2026-11-30T10:00:00Z');
      const { code } = await identities.issue({ id: 'console:dan', platform: 'console' }, at);
      await identities.redeem({ id: 'slack:UDAN', platform: 'slack' }, code, at);
      expect((await identities.aliases('slack:UDAN')).sort()).toEqual(['console:dan', 'slack:UDAN']);
      const teams = await openPostgresConversations(db, () => at);
      await teams.remember({ id: '19:c@thread.tacv2', serviceUrl: 'https://smba.example/' }, [{ id: '29:1dan', name: 'Dan', serviceUrl: 'https://smba.example/' }]);
      await teams.forget('19:c@thread.tacv2');
      expect(await teams.conversation('19:c@thread.tacv2')).toBeUndefined();
      await expect(db.query('UPDATE identity_audit SET entry = entry')).rejects.toThrow(/permission denied for table identity_audit/);
      await expect(db.query('DELETE FROM identity_audit')).rejects.toThrow(/permission denied for table identity_audit/);
    } finally {
      await db.close();
    }
  });

  it('the app role cannot apply a migration, and says so', async () => {
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${app}`);
    const error = await openPostgresStore(openPoolDb(urlAs(app))).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `cannot bring the database's schema to version ${knownMigrations().at(-1)!.version}: permission denied for schema golive_grants_\\w+; start golive once with the DATABASE_URL of the role that owns the schema to apply it$`,
      ),
    );
  });
}, [serverTarget]);
