import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { recordsOf, SEED_SCRIPT, typeInto, type ConsoleRun, type HeldRecord } from './support/seed-run.js';

// The whole app on the PostgreSQL store: the seed release (examples/sec-release-2019.txt) typed
// through the console, once on the JSON folder store and once on PostgreSQL. Same clock, same
// commands: the same console output, the same audit chain to the last hash, the same state and
// outbox. The app cannot tell the stores apart.

interface Run extends ConsoleRun {
  records: HeldRecord[];
}

async function runSeed(store: Store, dir: string): Promise<Run> {
  const run = await typeInto(store, dir, SEED_SCRIPT);
  return { ...run, records: await recordsOf(store) };
}

let json: Run;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'golive-seed-json-'));
  const store = await openLowdbStore(join(dir, 'data'), { verify: recordVerifier({}) });
  try {
    json = await runSeed(store, dir);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});

forEachTarget('the seed release through the console on PostgreSQL', (target) => {
  let schema: TestSchema;
  let dir: string;
  let run: Run;

  beforeAll(async () => {
    schema = await target.schema();
    dir = await mkdtemp(join(tmpdir(), 'golive-seed-pg-'));
    const store = await openPostgresStore(await schema.db(), { verify: recordVerifier({}) });
    try {
      run = await runSeed(store, dir);
    } finally {
      await store.close();
    }
  }, 120_000);

  afterAll(async () => {
    await schema.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('says exactly what it says on the JSON store, and ends GO', () => {
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain('November 2019 SEC Release: GO');
    expect(run.output).toBe(json.output);
  });

  it('keeps the same record: every entry to the last hash, the state it seals, the outbox', () => {
    expect(run.records.length).toBeGreaterThan(0);
    expect(run.records).toEqual(json.records);
    for (const record of run.records) {
      expect(record.audit.length).toBeGreaterThan(10);
      expect(verifyRecord({ release: (record.stored as { release: unknown }).release, audit: record.audit })).toMatchObject({ ok: true });
    }
  });
});

// A status looks up its channel's release in one read on PostgreSQL (Store.sharedByChannel): in a
// channel that follows none, or names another with --release, it says what it says on JSON.
const ELSEWHERE = `
/channel ops
/release create "Alpha" 2019-12-30 --template sec-release --id alpha
/release status
/channel lobby
/release status
/release status --release alpha
/channel ops
/release status --release nope
`;

forEachTarget('a status wherever it is asked, on PostgreSQL', (target) => {
  it('says what it says on the JSON store', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-status-where-'));
    const schema = await target.schema();
    try {
      const jsonStore = await openLowdbStore(join(dir, 'data'), { verify: recordVerifier({}) });
      const onJson = await typeInto(jsonStore, join(dir, 'j'), ELSEWHERE).finally(() => jsonStore.close());
      const pgStore = await openPostgresStore(await schema.db(), { verify: recordVerifier({}) });
      const onPg = await typeInto(pgStore, join(dir, 'p'), ELSEWHERE).finally(() => pgStore.close());
      expect(onPg.output.replaceAll('/p', '/x')).toBe(onJson.output.replaceAll('/j', '/x'));
      expect(onPg.output).toContain('No release is linked to this channel');
      expect(onPg.output).toContain('There is no release "nope"');
      expect(onPg.output.match(/Alpha: /g)?.length).toBe(2);
    } finally {
      await schema.drop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
