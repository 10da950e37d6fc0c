import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachTarget, serverTarget, type TestSchema, urlForSchema } from './support/postgres.js';
import { npmStart } from './support/npm-start.js';

// `npm start` with DATABASE_URL keeps releases in PostgreSQL (the schema created by golive itself),
// not in the data folder: a second start, with another folder, finds them there.

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
      const created = await npmStart('/release create "Dec" 2026-12-15 --template software-release --id dec\n', { GOLIVE_DATA_DIR: first, DATABASE_URL: url, GOLIVE_CONSOLE_USER: 'rita' });
      expect(created.status, created.stderr).toBe(0);
      expect(created.stdout).toContain('Dec (dec) created from template software-release');
      expect(await readdir(first)).not.toContain('releases');
      expect(await schema.sql<{ id: string }>('SELECT id FROM releases')).toEqual([{ id: 'dec' }]);

      const second = await mkdtemp(join(tmpdir(), 'golive-pg-start-'));
      const listed = await npmStart('/release list\n', { GOLIVE_DATA_DIR: second, DATABASE_URL: url, GOLIVE_CONSOLE_USER: 'rita' });
      expect(listed.status, listed.stderr).toBe(0);
      expect(listed.stdout).toContain('dec');
    }, 60_000);
  },
  [serverTarget],
);
