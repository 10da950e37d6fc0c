import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runConsole } from '../adapters/console/console-chat.js';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { verifyRecord } from '../src/domain/record-verify.js';
import { openIdentityFile } from '../store/identity-file.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';
import { TestClock } from './support/test-clock.js';

// The whole app on the PostgreSQL store: the seed release (examples/sec-release-2019.txt) typed
// through the console, once on the JSON folder store and once on PostgreSQL. Same clock, same
// commands: the same console output, the same audit chain to the last hash, the same state and
// outbox. The app cannot tell the stores apart.

const script = await readFile(new URL('../examples/sec-release-2019.txt', import.meta.url), 'utf8');

interface Run {
  output: string;
  status: number;
  records: Array<{ id: string; stored: unknown; audit: Awaited<ReturnType<Store['audit']>>; outbox: unknown }>;
}

async function runSeed(store: Store, dir: string): Promise<Run> {
  const clock = new TestClock('2019-11-04T09:00:00Z');
  const identities = await openIdentityFile(dir, {});
  const app = new GoliveApp({ store, clock, directory: noGroups, audit: {}, identities });
  let output = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  const status = await runConsole({ app, input: Readable.from([script]), output: sink, interactive: false, user: 'rita', workingDir: join(dir, 'work'), clock });
  const records = [];
  for (const { id } of await store.list()) records.push({ id, stored: await store.get(id), audit: await store.audit(id), outbox: await store.outbox(id) });
  // Files written under the run's own folder are named by it: the rest of the output must match.
  return { output: output.replaceAll(dir, '<dir>'), status, records };
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
