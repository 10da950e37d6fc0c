import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

// Loading the pg driver the way the store does must not load Node's fetch (undici): on Node 20
// pg's first question, whether it runs on Cloudflare Workers, did, and it cost every start on
// PostgreSQL 70-100 ms. Each load is looked at in a new node, which has loaded nothing yet.

const root = new URL('..', import.meta.url).pathname;

function loadIn(newNode: string): { undici: boolean; navigator: boolean; pool: string; connects: string } {
  const script = `${newNode}
console.log(JSON.stringify({ undici: process.moduleLoadList.some((m) => m.includes('undici')), navigator: 'navigator' in globalThis, pool: typeof pg.Pool, connects: typeof pg.Client.prototype.connect }));`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`node exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

describe("the store's pg driver", () => {
  it('is the whole driver, and loading it leaves fetch unloaded and no navigator behind', () => {
    expect(loadIn(`const { driver: pg } = await import('./store/postgres/pg-driver.ts');`)).toEqual({ undici: false, navigator: 'navigator' in globalThis, pool: 'function', connects: 'function' });
  });

  it.runIf(!('navigator' in globalThis))('pg imported as it is would load fetch on this Node (what the driver module avoids)', () => {
    expect(loadIn(`const { default: pg } = await import('pg');`).undici).toBe(true);
  });
});
