import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
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
import { openPeopleFile } from '../store/people-file.js';
import { openPostgresPeople } from '../store/postgres/people-postgres.js';
import { openPostgresIdentities } from '../store/postgres/identity-postgres.js';
import { openConversationsFile } from '../adapters/teams/conversations-file.js';
import { openPostgresConversations } from '../adapters/teams/conversations-postgres.js';
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

const TEAMS_CHANNEL = { id: '19:migrated-channel@thread.tacv2', serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 'tenant-1', botId: '28:golive', type: 'channel' };
const TEAMS_PERSON = { id: '29:1rita', name: 'Rita Reyes', serviceUrl: 'https://smba.trafficmanager.net/emea/', tenantId: 'tenant-1', personal: 'a:1rita-chat' };

/** people.json, identities.json (dan linked to a Slack identity) and teams-conversations.json in the harness's folder. */
async function sideRecords(h: Harness): Promise<void> {
  await (await openPeopleFile(h.dir)).update('console:dan', (prefs) => ({ ...prefs, notify: false }));
  const code = /link code is (\S{4}-\S{4})/.exec(await h.as('dan', '/release whoami link'))?.[1];
  const linked = await h.app.handle({ actor: { id: 'slack:UDAN', platform: 'slack' }, text: `/release whoami link ${code}` });
  expect(JSON.stringify(linked.replies)).toContain('Identities linked');
  await (await openConversationsFile(h.dir, () => new Date('2019-11-04T10:00:00Z'))).remember(TEAMS_CHANNEL, [TEAMS_PERSON]);
}

/** What is kept beside the releases, counted. */
function countsOf(schema: TestSchema) {
  return schema.sql(
    'SELECT (SELECT count(*) FROM people)::int AS people, (SELECT count(*) FROM identity_audit)::int AS identities, (SELECT count(*) FROM teams_conversations)::int AS conversations, (SELECT count(*) FROM teams_people)::int AS teams_people, (SELECT count(*) FROM releases)::int AS releases',
  );
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
    const counts = () => countsOf(schema);
    beforeAll(async () => {
      schema = await target.schema();
      url = urlForSchema(schema.name);
      h = await Harness.open('2019-11-04T09:00:00Z');
      const { status, output } = await h.run(script);
      expect(status, output).toBe(0);
      // What is kept beside the releases: a setting, a link, a Teams channel and person.
      await sideRecords(h);
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

      expect(stdout).toContain('Copied people.json: the settings of 1 person.');
      expect(stdout).toContain('Copied identities.json: 2 entries, the chain verified on both sides.');
      expect(stdout).toContain('Copied teams-conversations.json: 1 conversations and 1 people.');

      const db = await schema.db();
      expect(await (await openPostgresPeople(db)).get('console:dan')).toEqual({ notify: false });
      const identities = await openPostgresIdentities(db);
      expect((await identities.aliases('console:dan')).sort()).toEqual(['console:dan', 'slack:UDAN']);
      expect((await identities.read()).entries).toBe(2);
      expect(await schema.sql<{ entry: unknown }>('SELECT entry FROM identity_audit ORDER BY seq')).toEqual(
        JSON.parse(await readFile(join(h.dir, 'identities.json'), 'utf8')).entries.map((entry: unknown) => ({ entry })),
      );
      const teams = await openPostgresConversations(db, () => new Date());
      expect(await teams.conversation(TEAMS_CHANNEL.id)).toEqual(await (await openConversationsFile(h.dir, () => new Date())).conversation(TEAMS_CHANNEL.id));
      expect(await teams.person(TEAMS_PERSON.id)).toMatchObject({ name: 'Rita Reyes', personal: 'a:1rita-chat' });

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

    it("refuses to copy people's settings, an identity record or Teams references over ones the database holds, copying nothing", async () => {
      const other = await Harness.open('2019-11-05T09:00:00Z');
      try {
        await sideRecords(other);
        await other.store.close();
        const before = await counts();
        const { code, stderr } = await runMigrate(other.dir, url);
        expect(code).toBe(2);
        expect(stderr).toContain("already holds people's settings, an identity record, Teams conversation references; golive does not copy over them");
        expect(await counts()).toEqual(before);
      } finally {
        await other.close();
      }
    }, 60_000);

    it('copies nothing when the identity record fails verification, and says which file to look at', async () => {
      const fresh = await target.schema();
      const other = await Harness.open('2019-11-05T09:00:00Z');
      try {
        const { status } = await other.run('/release create "Dec" 2019-12-15 --template software-release --id dec\n');
        expect(status).toBe(0);
        await sideRecords(other);
        await other.store.close();
        const file = join(other.dir, 'identities.json');
        const doc = JSON.parse(await readFile(file, 'utf8'));
        doc.entries[1].after.linked = ['slack:UMALLORY', 'console:dan'];
        await writeFile(file, JSON.stringify(doc));
        const { code, stderr } = await runMigrate(other.dir, urlForSchema(fresh.name));
        expect(code).toBe(2);
        expect(stderr).toContain('Nothing was copied: identities.json must be looked at first. The identity record fails verification at entry 2');
        expect(await fresh.sql('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [fresh.name])).toEqual([]);
      } finally {
        await other.close();
        await fresh.drop();
      }
    }, 60_000);

    it('says how to name the database when none is given', async () => {
      const { code, stderr } = await runMigrate(h.dir, 'not-a-url');
      expect(code).toBe(2);
      expect(stderr).toContain('Usage: npm run migrate -- --to postgres://');
    }, 60_000);
  },
  [serverTarget],
);
