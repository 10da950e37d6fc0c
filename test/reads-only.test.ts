import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keepingOf, readsOnly } from '../src/app/reads-only.js';
import { Harness } from './support/golive.js';
import { request } from './inbox-contract.js';

// A request that only reads may be acknowledged before its receipt is fsynced (reads-only.ts): so
// every command taken for a read must really change nothing golive keeps.

const READS = [
  'status',
  'status --public',
  'status --release nov-2019-sec',
  'list',
  'help',
  'help confirm',
  'todo',
  'whoami',
  'notify',
  'schedule',
  'report',
  'history code-ready',
  'switch list',
  'risk list',
  'audit verify',
  'audit export --format csv',
  // Not commands golive can run: answered with an error, nothing else.
  'stauts',
  'link',
];
const WRITES = [
  'confirm code-ready met "ok"',
  'notify on',
  'ask',
  'link --release nov-2019-sec',
  'risk add "Vendor late"',
  'decide go',
  'whoami link',
  'schedule off reminder',
  'create "X" 2019-12-01',
];

const command = (text: string) => request(1, { text: `/release ${text}` });

/** Every file in the data folder but the console's working folder, by path. */
async function files(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if (relative(dir, path).startsWith('work')) continue;
    out[relative(dir, path)] = await readFile(path, 'utf8');
  }
  return out;
}

describe('reads', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    const { status, output } = await h.run(await readFile('examples/sec-release-2019.txt', 'utf8'));
    if (status !== 0) throw new Error(output);
  });
  afterAll(() => h.close());

  it('takes typed reads (and lines that do not parse) for reads, everything else for a change', () => {
    for (const text of READS) expect(readsOnly(command(text)), text).toBe(true);
    for (const text of WRITES) expect(readsOnly(command(text)), text).toBe(false);
    expect(keepingOf(command('status'))).toBe('written');
    expect(keepingOf(command('confirm code-ready met'))).toBe('durable');
    // A button or a form is durable first, whatever it stands for.
    expect(readsOnly(request(2, { kind: 'action', actionId: 'golive:refresh', value: '{}' } as never))).toBe(false);
  });

  it('changes nothing on disk, whoever asks, however often', async () => {
    const before = await files(h.dir);
    expect(Object.keys(before).length).toBeGreaterThan(2);
    for (const user of ['rita', 'dan', 'mallory']) {
      for (const text of READS) {
        const { output } = await h.run(`/release ${text}\n`, user);
        expect(output.length, text).toBeGreaterThan(0);
      }
    }
    expect(await files(h.dir)).toEqual(before);
  });
});
