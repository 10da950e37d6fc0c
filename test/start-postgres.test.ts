import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { startFakeConnector } from './support/fake-connector.js';
import { freePort, killGroup, startGolive } from './support/golive-process.js';
import { teamsActivities } from './support/teams-activities.js';
import { post } from './support/teams-harness.js';
import { forEachTarget, serverTarget, type TestSchema, urlForSchema } from './support/postgres.js';
import { npmStart } from './support/npm-start.js';

// `npm start` with DATABASE_URL keeps releases, people's settings and the identity record in
// PostgreSQL (the schema created by golive itself), not in the data folder: a second start, with
// another folder, finds them there.

forEachTarget(
  'npm start with DATABASE_URL',
  (target) => {
    let schema: TestSchema;
    let url: string;
    beforeAll(async () => {
      schema = await target.schema();
      url = urlForSchema(schema.name);
    });
    afterAll(() => schema.drop());

    it('creates its schema, keeps the release in the database, and finds it again from another folder', async () => {
      const first = await mkdtemp(join(tmpdir(), 'golive-pg-start-'));
      const created = await npmStart('/release create "Dec" 2026-12-15 --template software-release --id dec\n/release notify off\n/release whoami link\n', {
        GOLIVE_DATA_DIR: first,
        DATABASE_URL: url,
        GOLIVE_CONSOLE_USER: 'rita',
      });
      expect(created.status, created.stderr).toBe(0);
      expect(created.stdout).toContain('Dec (dec) created from template software-release');
      expect(created.stdout).toContain('Your one-time link code is');
      // The person's setting and the identity record are in the database too, not in the folder.
      expect(await readdir(first)).not.toEqual(expect.arrayContaining(['releases']));
      expect(await readdir(first)).not.toEqual(expect.arrayContaining(['people.json']));
      expect(await readdir(first)).not.toEqual(expect.arrayContaining(['identities.json']));
      expect(await schema.sql<{ id: string }>('SELECT id FROM releases')).toEqual([{ id: 'dec' }]);
      expect(await schema.sql('SELECT person_id, prefs FROM people')).toEqual([{ person_id: 'console:rita', prefs: { notify: false } }]);
      expect(await schema.sql<{ n: number }>('SELECT count(*)::int AS n FROM identity_audit')).toEqual([{ n: 1 }]);

      const second = await mkdtemp(join(tmpdir(), 'golive-pg-start-'));
      const listed = await npmStart('/release list\n', { GOLIVE_DATA_DIR: second, DATABASE_URL: url, GOLIVE_CONSOLE_USER: 'rita' });
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('dec');
      const notify = await npmStart('/release notify\n', { GOLIVE_DATA_DIR: second, DATABASE_URL: url, GOLIVE_CONSOLE_USER: 'rita' });
      expect(notify.stdout).toContain('daily messages are off');
    }, 60_000);

    it('with Teams, keeps the conversation references in the database, not in the folder', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'golive-pg-teams-'));
      const fake = await startFakeConnector();
      const port = await freePort();
      const running = startGolive({ GOLIVE_DATA_DIR: dir, PORT: String(port), TEAMS_LOCAL: '1', DATABASE_URL: url }, { direct: true });
      try {
        await running.printed(`golive listening on port ${port}: Teams at POST /api/messages`);
        const rita = { id: '29:1rita-reyes', name: 'Rita Reyes' };
        const chat = fake.personalChatOf(rita.id);
        const sent = await post(`http://127.0.0.1:${port}/api/messages`, JSON.stringify(teamsActivities(fake.serviceUrl).message(rita, 'release help', { kind: 'personal', id: chat })), {});
        expect(sent.status).toBe(200);
        await vi.waitFor(() => expect(fake.messagesIn(chat)).toHaveLength(1), { timeout: 20_000, interval: 20 });
        expect(await schema.sql<{ id: string }>('SELECT id FROM teams_conversations')).toEqual([{ id: chat }]);
        expect(await schema.sql<{ id: string; name: string }>(`SELECT id, person->>'name' AS name FROM teams_people`)).toEqual([{ id: rita.id, name: 'Rita Reyes' }]);
        expect(await readdir(dir)).not.toEqual(expect.arrayContaining(['teams-conversations.json']));
        running.child.kill('SIGTERM');
        expect(await running.exited).toBe(0);
      } finally {
        killGroup(running);
        await fake.close();
        await rm(dir, { recursive: true, force: true });
      }
    }, 60_000);
  },
  [serverTarget],
);
