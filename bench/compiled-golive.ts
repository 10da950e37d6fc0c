import { spawnSync } from 'node:child_process';
import { freePort } from '../test/support/golive-process.js';
import { spawnServer, type Spawned } from './spawned.js';
import { START_NODE_OPTIONS } from './start-command.js';

const root = new URL('..', import.meta.url).pathname;
export const SIGNING_SECRET = '0be0c4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d0e1';
export const BOT_TOKEN = 'xoxb-bench-token';

/** Compiles golive as `npm start` would (nothing to do when build/ is current), so no timing includes it. */
export function buildGolive(): void {
  const run = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  if (run.status !== 0) throw new Error(`golive could not be compiled (node scripts/build.mjs exited ${run.status ?? run.signal})`);
}

export interface Served extends Spawned {
  url: string;
}

/**
 * The compiled golive (build/bundle/main.js with `npm start`'s node options, what it runs) serving Slack over HTTP and Teams
 * in local mode, on the store `store` names (GOLIVE_DATA_DIR, and DATABASE_URL for PostgreSQL).
 */
export async function startGolive(store: Record<string, string>, slackApiUrl: string): Promise<Served> {
  const port = await freePort();
  const golive = spawnServer([...START_NODE_OPTIONS, 'build/bundle/main.js'], {
    ...store,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slackApiUrl,
    TEAMS_LOCAL: '1',
    PORT: String(port),
  });
  await golive.printed('golive listening on port');
  return { ...golive, url: `http://127.0.0.1:${port}` };
}

/** One of the bare apps (bench/bare-*.mjs) on its own port, with the same settings golive gets. */
export async function startBare(script: 'bench/bare-bolt.mjs' | 'bench/bare-agents.mjs', slackApiUrl = ''): Promise<Served> {
  const port = await freePort();
  const bare = spawnServer([script], { SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: slackApiUrl, PORT: String(port) });
  await bare.printed('listening on port');
  return { ...bare, url: `http://127.0.0.1:${port}` };
}
