import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { runConsole } from '../../adapters/console/console-chat.js';
import { GoliveApp } from '../../src/app/app.js';
import { noGroups } from '../../src/app/context.js';
import type { Store } from '../../src/app/store-port.js';
import { openIdentityFile } from '../../store/identity-file.js';
import { TestClock } from './test-clock.js';

// The seed release typed through the console on any store, and what the store then holds, read
// through the port: for comparing stores with each other.

export const SEED_SCRIPT = await readFile(new URL('../../examples/sec-release-2019.txt', import.meta.url), 'utf8');

export interface ConsoleRun {
  output: string;
  status: number;
}

/** Runs `script` as `user` on a real app over `store`; files go under `dir`, whose name is replaced by <dir> in the output. */
export async function typeInto(store: Store, dir: string, script: string, start = '2019-11-04T09:00:00Z', user = 'rita'): Promise<ConsoleRun> {
  const clock = new TestClock(start);
  const identities = await openIdentityFile(dir, {});
  const app = new GoliveApp({ store, clock, directory: noGroups, audit: {}, identities });
  let output = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      output += String(chunk);
      done();
    },
  });
  const status = await runConsole({ app, input: Readable.from([script]), output: sink, interactive: false, user, workingDir: join(dir, 'work'), clock });
  return { output: output.replaceAll(dir, '<dir>'), status };
}

export interface HeldRecord {
  id: string;
  stored: Awaited<ReturnType<Store['get']>>;
  audit: Awaited<ReturnType<Store['audit']>>;
  outbox: Awaited<ReturnType<Store['outbox']>>;
}

/** Every release the store holds, in its order, read through the port. */
export async function recordsOf(store: Store): Promise<HeldRecord[]> {
  const records: HeldRecord[] = [];
  for (const { id } of await store.list()) records.push({ id, stored: await store.get(id), audit: await store.audit(id), outbox: await store.outbox(id) });
  return records;
}
