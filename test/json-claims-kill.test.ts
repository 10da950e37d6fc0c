import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openLowdbStore } from '../store/lowdb-store.js';
import { CLAIMS_FILE } from '../store/json/outbox-claims.js';
import { later } from './support/port-records.js';

// The JSON folder is one process's, so its claims on outbox messages are decided in memory; what
// outlives the process is outbox-claims.json, written before a batch is handed out. A golive
// killed with SIGKILL mid-delivery leaves it, and the next start knows which messages it was
// delivering: they are claimed as stale at once (the folder lock says their holder is gone).

const root = new URL('..', import.meta.url).pathname;
const NOW = later(60);

// Creates a release with three messages, records the outcome of one, claims all that are due,
// says so, and waits, as a process would while posting them.
const CHILD = `
import { openLowdbStore } from '${root}store/lowdb-store.ts';
import { entryAfter, message, release } from '${root}test/support/port-records.ts';
const store = await openLowdbStore(process.argv[2]);
const state = release('rel-1');
await store.create(state, entryAfter(undefined, state), [message('m-1'), message('m-2'), message('m-3')]);
const claim = { holder: 'killed-replica', leaseMs: 60000, platforms: ['slack'] };
await store.claimDue(new Date('${NOW}'), 1, claim);
await store.transact('rel-1', () => ({ outbox: [message('m-1', { status: 'sent', attempts: 1 })], endClaims: { holder: claim.holder, messageIds: ['m-1'] }, result: undefined }));
const claimed = await store.claimDue(new Date('${NOW}'), 10, claim);
process.stdout.write('claimed ' + claimed.map((c) => c.message.id).join(',') + '\\n');
setInterval(() => undefined, 1000);
`;

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function runUntilClaimed(script: string, folder: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, folder], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (data) => {
      out += String(data);
      if (out.includes('\n')) child.kill('SIGKILL');
    });
    child.stderr.on('data', (data) => (err += String(data)));
    child.on('close', (_code, signal) => (signal === 'SIGKILL' ? resolve(out.trim()) : reject(new Error(`the child stopped by itself: ${err}`))));
  });
}

it('a golive killed mid-delivery: the next start claims what it was delivering as stale, and only that', async () => {
  dir = await mkdtemp(join(tmpdir(), 'golive-claims-kill-'));
  const data = join(dir, 'data');
  const script = join(dir, 'deliverer.mts');
  await writeFile(script, CHILD);
  expect(await runUntilClaimed(script, data)).toBe('claimed m-2,m-3');
  expect(JSON.parse(await readFile(join(data, CLAIMS_FILE), 'utf8')).claims.map((c: { message: string }) => c.message)).toEqual(['m-2', 'm-3']);

  const logged: string[] = [];
  const store = await openLowdbStore(data, { log: (line) => logged.push(line) });
  try {
    expect(logged.some((line) => line.includes('2 outbox message(s) were being delivered when golive last stopped'))).toBe(true);
    // At the same instant: the killed process's lease need not run out, it is gone.
    const claimed = await store.claimDue(new Date(NOW), 10, { holder: 'restarted', leaseMs: 60_000, platforms: ['slack'] });
    expect(claimed.map((c) => [c.message.id, c.stale])).toEqual([
      ['m-2', { since: NOW }],
      ['m-3', { since: NOW }],
    ]);
  } finally {
    await store.close();
  }
}, 30_000);
