import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import { recordVerifier } from '../src/app/record-check.js';
import { ChannelTakenError, StoreError, type Store } from '../src/app/store-port.js';
import { sealEntry, stateHashOf } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import type { Db } from '../store/postgres/db.js';
import { importRecord, type ImportedRecord } from '../store/postgres/import-record.js';
import { applyMigrations } from '../store/postgres/migrate.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { defaultRecordCheck } from '../store/postgres/record-check.js';
import { entryAfter, message, rejectionOf, release, slack } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { recordsOf, SEED_SCRIPT, typeInto, type HeldRecord } from './support/seed-run.js';

// Copying whole records into PostgreSQL (the ground for `migrate`): the seed release moved from
// the JSON store gives the same record, the same verdict and the same paper; a record that fails
// verification, or whose id is already there, is not copied, and nothing of it is kept.

const AFTER_SEED = '2019-11-28T15:00:00Z';
const READ_BACK = ['/as rita', '/release status', '/release report', '/release audit verify'].join('\n');

/** What the console says and the paper it writes, reading the store as it is. */
async function verdictAndPaper(store: Store, dir: string) {
  const { output, status } = await typeInto(store, dir, READ_BACK, AFTER_SEED);
  const papers = await Promise.all([...output.matchAll(/: written to <dir>(\S+)$/gm)].map((match) => readFile(join(dir, match[1]!), 'utf8')));
  return { output, status, papers };
}

let seeded: { records: HeldRecord[]; imports: ImportedRecord[]; readBack: Awaited<ReturnType<typeof verdictAndPaper>> };

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'golive-import-json-'));
  const store = await openLowdbStore(join(dir, 'data'), { verify: recordVerifier({}) });
  try {
    expect((await typeInto(store, dir, SEED_SCRIPT)).status).toBe(0);
    const records = await recordsOf(store);
    const imports = records.map(({ stored, audit, outbox }) => ({ release: stored!.release, audit, outbox, ...(stored!.refusals && { refusals: stored!.refusals }) }));
    // Read back in a folder of its own, as on PostgreSQL: the seed's own paper is not in it.
    const readDir = await mkdtemp(join(tmpdir(), 'golive-import-read-'));
    try {
      seeded = { records, imports, readBack: await verdictAndPaper(store, readDir) };
    } finally {
      await rm(readDir, { recursive: true, force: true });
    }
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

forEachTarget('copying records into PostgreSQL', (target) => {
  let schema: TestSchema;
  let db: Db;
  let dir: string;

  beforeEach(async () => {
    schema = await target.schema();
    db = await schema.db();
    // As `migrate` would: the schema made before anything is copied into it.
    await applyMigrations(db);
    dir = await mkdtemp(join(tmpdir(), 'golive-import-pg-'));
  });

  afterEach(async () => {
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('the seed release copied from the JSON store: the same record, verdict and paper, and the chain verifies', async () => {
    const store = await openPostgresStore(db, { verify: recordVerifier({}), closeDb: false });
    try {
      for (const record of seeded.imports) await importRecord(db, record, recordVerifier({}));
      expect(await recordsOf(store)).toEqual(seeded.records);
      const readBack = await verdictAndPaper(store, dir);
      expect(readBack.status, readBack.output).toBe(0);
      expect(readBack.output).toContain('Audit record intact: 31 entries for November 2019 SEC Release');
      expect(readBack.output).toBe(seeded.readBack.output);
      expect(readBack.papers).toHaveLength(1);
      expect(readBack.papers).toEqual(seeded.readBack.papers);
    } finally {
      await store.close();
    }
    // Opened again, every record verifies: nothing is quarantined.
    const again = await openPostgresStore(db, { verify: recordVerifier({}), closeDb: false });
    for (const { id } of seeded.records) expect(await again.quarantine(id)).toBeUndefined();
    await again.close();
  });

  it('refuses a release whose id the database holds already, keeping what is there', async () => {
    const [record] = seeded.imports;
    await importRecord(db, record!, recordVerifier({}));
    // Copied again, as a second run of `migrate` would.
    const error = await rejectionOf(importRecord(db, record!, recordVerifier({})));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toBe(`release "${record!.release.id}" is not copied: the database already holds a release of that id`);
    const store = await openPostgresStore(db, { closeDb: false });
    expect(await recordsOf(store)).toEqual(seeded.records.slice(0, 1));
    await store.close();
  });

  it('refuses a record that fails verification, or takes a channel another release follows, and keeps nothing of it', async () => {
    const state = release('rel-1', { channels: [slack('C1')] });
    const chain = [entryAfter(undefined, state)];
    chain.push(entryAfter(chain[0], state, { command: 'second' }));
    const edited = { release: state, audit: [chain[0]!, { ...chain[1]!, command: 'edited' }], outbox: [message('m-1')] };
    expect(await rejectionOf(importRecord(db, edited, defaultRecordCheck()))).toBeInstanceOf(StoreError);

    await importRecord(
      db,
      { release: release('holder', { channels: [slack('C1')] }), audit: [entryAfter(undefined, release('holder', { channels: [slack('C1')] }))], outbox: [] },
      defaultRecordCheck(),
    );
    const taken = await rejectionOf(importRecord(db, { release: state, audit: chain, outbox: [message('m-1')] }, defaultRecordCheck()));
    expect(taken).toBeInstanceOf(ChannelTakenError);
    const rows = await schema.sql<{ n: number }>(
      `SELECT (SELECT count(*) FROM releases WHERE id = 'rel-1')::int + (SELECT count(*) FROM audit WHERE release_id = 'rel-1')::int + (SELECT count(*) FROM outbox WHERE release_id = 'rel-1')::int AS n`,
    );
    expect(rows[0]!.n).toBe(0);
  });

  it('copies a long chain in bounded statements, in order', async () => {
    const state = release('long');
    const chain: AuditEntry[] = [];
    for (let n = 1; n <= 2_500; n++)
      chain.push(sealEntry(chain, { at: '2019-11-01T09:00:00.000Z', actor: { id: 'console:tester', platform: 'console' }, command: `entry ${n}`, outcome: 'applied', stateHash: stateHashOf(state) }));
    await importRecord(db, { release: state, audit: chain, outbox: [] }, defaultRecordCheck());
    const store = await openPostgresStore(db, { closeDb: false });
    expect((await store.audit('long')).map((entry) => entry.seq)).toEqual(chain.map((entry) => entry.seq));
    expect((await store.get('long'))?.head).toEqual(chain.at(-1));
    expect(await store.quarantine('long')).toBeUndefined();
    await store.close();
  });
});
