import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { StoreError } from '../src/app/store-port.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { knownMigrations } from '../store/postgres/migrate.js';
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

  it('the app role cannot apply a migration, and says so', async () => {
    await admin.query(`GRANT USAGE ON SCHEMA ${schema} TO ${app}`);
    const error = await openPostgresStore(openPoolDb(urlAs(app))).then(
      () => undefined,
      (rejection: unknown) => rejection,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(
      new RegExp(
        `cannot bring the database's schema to version ${knownMigrations().length}: permission denied for schema golive_grants_\\w+; start golive once with the DATABASE_URL of the role that owns the schema to apply it$`,
      ),
    );
  });
}, [serverTarget]);
