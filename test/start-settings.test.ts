import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { killGroup, startGolive, type Started } from './support/golive-process.js';

// golive started as an operator starts it, with Teams settings that cannot work.

describe('npm start with a Teams setting that is wrong', () => {
  let dir: string | undefined;
  let running: Started | undefined;
  afterEach(async () => {
    killGroup(running);
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('stops before touching the data folder, naming each variable to fix', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-settings-'));
    running = startGolive({ GOLIVE_DATA_DIR: dir, MICROSOFT_APP_ID: 'golive-bot', MICROSOFT_APP_TYPE: 'SingleTenant' }, { direct: true });
    expect(await running.exited).toBe(2);
    expect(running.stderr()).toContain('golive cannot start. Invalid configuration:');
    expect(running.stderr()).toContain("MICROSOFT_APP_ID: must be the bot's Microsoft app (client) id, a GUID");
    expect(running.stderr()).toContain('MICROSOFT_APP_TENANT_ID: is required when MICROSOFT_APP_TYPE is SingleTenant');
    expect(await readdir(dir)).toEqual([]);
  }, 60_000);
});
