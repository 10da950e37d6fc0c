import { execFile } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { renderText } from '../adapters/console/render-text.js';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { verifyChain } from '../src/domain/audit.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { Harness } from './support/golive.js';
import { forEachTarget, serverTarget, type TestSchema, urlForSchema } from './support/postgres.js';
import { TestClock } from './support/test-clock.js';

// `npm run migrate -- --to <url>` as a real process: the seed scenario's JSON store copied into a
// fresh schema on the PostgreSQL server gives the same record, verdict and paper there.

const root = new URL('..', import.meta.url).pathname;
const script = await readFile(new URL('../examples/sec-release-2019.txt', import.meta.url), 'utf8');
const R = 'nov-2019-sec';

function runMigrate(dataDir: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'src/migrate.ts', '--to', url], { cwd: root, env: { ...process.env, GOLIVE_DATA_DIR: dataDir } }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** What `status` and `report` say on a store, as the console would print them. */
async function seen(store: Store): Promise<{ status: string; paper: string }> {
  const app = new GoliveApp({ store, clock: new TestClock('2019-12-01T09:00:00Z'), directory: noGroups });
  const ask = async (text: string) => {
    const replies = (await app.handle({ actor: { id: 'console:rita', platform: 'console' }, channel: { platform: 'console', id: 'general' }, text })).replies;
    return replies.map((r) => (r.kind === 'view' ? renderText(r.view) : r.kind === 'file' ? r.content : '')).join('\n');
  };
  return { status: await ask(`/release status --release ${R}`), paper: await ask(`/release report --release ${R}`) };
}

forEachTarget(
  'npm run migrate',
  (target) => {
    let schema: TestSchema;
    let h: Harness;
    let url: string;
    beforeAll(async () => {
      schema = await target.schema();
      url = urlForSchema(schema.name);
      h = await Harness.open('2019-11-04T09:00:00Z');
      const { status, output } = await h.run(script);
      expect(status, output).toBe(0);
      await h.store.close();
    }, 60_000);
    afterAll(async () => {
      await schema.drop();
      await h.close();
    });

    it('copies the seed store into PostgreSQL with the same record, verdict and paper, leaving the folder as it was', async () => {
      const before = await readdir(join(h.dir, 'releases'));
      const { code, stdout, stderr } = await runMigrate(h.dir, url);
      expect(code, stderr).toBe(0);
      expect(stdout).toMatch(/^Copied 1 release \(\d+ audit entries\) from .* every chain verified on both sides\./);
      expect(await readdir(join(h.dir, 'releases'))).toEqual(before);

      const json = await openLowdbStore(h.dir, { verify: recordVerifier({}) });
      const pg = await openPostgresStore(await schema.db(), { verify: recordVerifier({}) });
      try {
        expect(await pg.quarantine(R)).toBeUndefined();
        const [jsonAudit, pgAudit] = [await json.audit(R), await pg.audit(R)];
        expect(pgAudit).toEqual(jsonAudit);
        expect(verifyChain(pgAudit).ok).toBe(true);
        expect((await pg.get(R))?.release).toEqual((await json.get(R))?.release);
        const [a, b] = [await seen(json), await seen(pg)];
        expect(b.status).toBe(a.status);
        expect(a.status).toContain('NO-GO');
        expect(b.paper).toBe(a.paper);
      } finally {
        await json.close();
        await pg.close();
      }
    }, 60_000);

    it('refuses to copy into a database that already holds a release of the same id, copying nothing', async () => {
      const entries = await schema.sql<{ n: string }>('SELECT count(*)::text AS n FROM audit');
      const { code, stderr } = await runMigrate(h.dir, url);
      expect(code).toBe(2);
      expect(stderr).toContain(`already holds a release of the same id: ${R}`);
      expect(await schema.sql<{ n: string }>('SELECT count(*)::text AS n FROM audit')).toEqual(entries);
    }, 60_000);

    it('says how to name the database when none is given', async () => {
      const { code, stderr } = await runMigrate(h.dir, 'not-a-url');
      expect(code).toBe(2);
      expect(stderr).toContain('Usage: npm run migrate -- --to postgres://');
    }, 60_000);
  },
  [serverTarget],
);
