import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StoreError } from '../src/app/store-port.js';
import { applyMigrations, knownMigrations } from '../store/postgres/migrate.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openPostgresPeople } from '../store/postgres/people-postgres.js';
import { openPostgresIdentities } from '../store/postgres/identity-postgres.js';
import { openPgInbox } from '../store/postgres/pg-inbox.js';
import { openPostgresConversations } from '../adapters/teams/conversations-postgres.js';
import { entryAfter, rejectionOf, release } from './support/port-records.js';
import { forEachTarget, serverTarget, TEST_DATABASE_URL, urlForSchema, type TestSchema } from './support/postgres.js';

// golive makes and migrates its schema itself at start: each migration once, in one transaction,
// recorded in golive_schema; a database migrated by a newer golive is refused, not written.

// Every table the migrations make (read from their SQL, so a new migration needs no edit here).
const TABLES = [...new Set(knownMigrations().flatMap((m) => [...m.sql.matchAll(/^CREATE TABLE (\w+)/gm)].map((match) => match[1]!)))].concat('golive_schema').sort();
const APPLIED = knownMigrations().map((m) => ({ version: m.version, name: m.name }));
const LATEST = APPLIED.at(-1)!;
const NEXT = LATEST.version + 1;
const FUTURE = `${String(NEXT).padStart(3, '0')}_from_the_future`;

forEachTarget('schema migrations', (target) => {
  let schema: TestSchema;

  beforeEach(async () => {
    schema = await target.schema();
  });

  afterEach(async () => {
    await schema.drop();
  });

  const tables = async () => (await schema.sql<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [schema.name])).map((row) => row.name);
  const versions = async () => schema.sql<{ version: number; name: string }>('SELECT version, name FROM golive_schema ORDER BY version');

  it('makes the tables of a fresh database and records its version; starting again applies nothing and keeps the data', async () => {
    const logged: string[] = [];
    const db = await schema.db();
    const store = await openPostgresStore(db, { log: (line) => logged.push(line), closeDb: false });
    expect(await tables()).toEqual(TABLES);
    expect(TABLES).toEqual(expect.arrayContaining(['audit', 'outbox', 'release_channels', 'releases', 'people', 'identity_audit', 'teams_conversations', 'teams_people', 'inbox', 'leases']));
    expect(await versions()).toEqual(APPLIED);
    expect(logged).toEqual(APPLIED.map((m) => expect.stringMatching(new RegExp(`applied schema migration ${m.name}$`))));
    const state = release('rel-1');
    await store.create(state, entryAfter(undefined, state), []);
    await store.close();

    logged.length = 0;
    const again = await openPostgresStore(db, { log: (line) => logged.push(line), closeDb: false });
    expect(logged).toEqual([]);
    expect(await versions()).toEqual(APPLIED);
    expect((await again.list()).map((summary) => summary.id)).toEqual(['rel-1']);
    await again.close();
  });

  it('refuses a database migrated by a newer golive, naming both versions, and changes nothing', async () => {
    const db = await schema.db();
    await applyMigrations(db);
    await schema.sql('INSERT INTO golive_schema (version, name) VALUES ($1, $2)', [NEXT, FUTURE]);
    const error = await rejectionOf(openPostgresStore(db, { closeDb: false }));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(`the database's schema is at version ${NEXT} (${FUTURE}), newer than this golive knows (version ${LATEST.version})`);
    expect((error as Error).message).toContain(schema.name);
    expect(await versions()).toEqual([...APPLIED, { version: NEXT, name: FUTURE }]);
  });

  it('refuses a database whose migration of the same number is another one', async () => {
    const db = await schema.db();
    await applyMigrations(db);
    await schema.sql(`UPDATE golive_schema SET name = '001_elsewhere' WHERE version = 1`);
    const error = await rejectionOf(applyMigrations(db));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('version 1 is "001_elsewhere", but this golive\'s is "001_init"');
  });

  it('the parts opened after the store (schemaChecked) do not ask for the schema again; without it they refuse a newer one', async () => {
    const db = await schema.db();
    await applyMigrations(db);
    await schema.sql('INSERT INTO golive_schema (version, name) VALUES ($1, $2)', [NEXT, FUTURE]);
    // What main does once the store has opened (and checked) the schema on this Db.
    const people = await openPostgresPeople(db, { schemaChecked: true });
    expect(await people.get('slack:U1')).toEqual(expect.anything());
    const identities = await openPostgresIdentities(db, { schemaChecked: true });
    expect((await identities.read()).problem).toBeUndefined();
    const inbox = await openPgInbox(db, { schemaChecked: true });
    await inbox.close();
    await openPostgresConversations(db, () => new Date(0), { schemaChecked: true });
    // Opened on their own, each checks, and refuses the schema it does not know.
    for (const open of [() => openPostgresPeople(db), () => openPostgresIdentities(db), () => openPgInbox(db), () => openPostgresConversations(db, () => new Date(0))]) {
      const error = await rejectionOf(open());
      expect(error).toBeInstanceOf(StoreError);
      expect((error as Error).message).toContain(`newer than this golive knows (version ${LATEST.version})`);
    }
  });

  it('a migration that fails leaves nothing of itself or of the ones before it in the same start', async () => {
    const db = await schema.db();
    const broken = [...knownMigrations(), { version: NEXT, name: `${String(NEXT).padStart(3, '0')}_broken`, sql: 'CREATE TABLE extra (a integer); SELECT * FROM no_such_table;' }];
    const error = await rejectionOf(applyMigrations(db, { migrations: broken }));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(new RegExp(`cannot bring the database's schema to version ${NEXT}: .*no_such_table`));
    expect(await tables()).toEqual([]);
    // The good ones apply on the next start.
    expect(await applyMigrations(db)).toBe(LATEST.version);
    expect(await tables()).toEqual(TABLES);
  });

  it('replicas starting together on a fresh database apply each migration once', async () => {
    const logged: string[] = [];
    const replicas = await Promise.all([schema.db(), schema.db(), schema.db()]);
    const applied = await Promise.all(replicas.map((db) => applyMigrations(db, { log: (line) => logged.push(line) })));
    expect(applied).toEqual([LATEST.version, LATEST.version, LATEST.version]);
    expect(logged).toHaveLength(APPLIED.length);
    expect(await versions()).toEqual(APPLIED);
  });
});

forEachTarget('schema migrations on a server', () => {
  it('a current schema is opened without waiting for the migration lock, which another start may hold', async () => {
    const schema = await serverTarget.schema();
    const db = await schema.db();
    await applyMigrations(db);
    // Another golive starting (a session holding the lock as a migration would).
    await schema.sql('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`golive.migrate.${schema.name}`]);
    try {
      expect(await applyMigrations(db)).toBe(LATEST.version);
      const store = await openPostgresStore(db, { closeDb: false });
      expect(await store.list()).toEqual([]);
      await store.close();
    } finally {
      await schema.sql('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`golive.migrate.${schema.name}`]);
      await schema.drop();
    }
  });

  it('a golive_schema further along the search_path is not taken for the schema the tables are made in', async () => {
    const here = await serverTarget.schema();
    const further = await serverTarget.schema();
    try {
      // A schema that is current, but not the first of the search_path.
      await applyMigrations(await further.db());
      const db = openPoolDb(urlForSchema(`${here.name},${further.name}`));
      try {
        expect(await applyMigrations(db)).toBe(LATEST.version);
      } finally {
        await db.close();
      }
      const made = await here.sql<{ name: string }>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1 ORDER BY 1`, [here.name]);
      expect(made.map((row) => row.name)).toEqual(TABLES);
    } finally {
      await here.drop();
      await further.drop();
    }
  });

  it('names the schema problem when the search_path names no schema that exists', async () => {
    const db = openPoolDb(TEST_DATABASE_URL, { schema: 'golive_test_no_such_schema' });
    const error = await rejectionOf(openPostgresStore(db));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain("no schema of the connection's search_path exists");
  });
}, [serverTarget]);

describe('a database that cannot be reached', () => {
  it('is a StoreError naming the URL (without its password)', async () => {
    const db = openPoolDb('postgres://golive:secret@127.0.0.1:1/golive');
    const error = await rejectionOf(openPostgresStore(db));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain('postgres://golive:***@127.0.0.1:1/golive');
    expect((error as Error).message).not.toContain('secret');
  });
});
