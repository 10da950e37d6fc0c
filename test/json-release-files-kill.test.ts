import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { verifyRecord } from '../src/domain/record-verify.js';
import { openReleaseFiles } from '../store/json/release-files.js';
import { namesIn, releasesFolder, removeFolders } from './support/json-release-files.js';

// A real process writing in a loop, killed with SIGKILL wherever it happens to be: what it was
// told is saved is there after recovery, and the record verifies. A few kills, one folder.

afterEach(removeFolders);

const ROUNDS = 4;
const root = new URL('..', import.meta.url).pathname;

// Each write is one of three kinds in turn: a change with an entry and a message (clearing the
// tally), a message alone, the refusal tally alone. It prints what it was told is saved.
const CHILD = `
import { createReleaseFiles, openReleaseFiles } from '${root}store/json/release-files.js';
import { change, message, newRelease, tally } from '${root}test/support/json-release-files.js';
const folder = process.argv[2];
const files = (await openReleaseFiles(folder, 'rel-1')) ?? (await createReleaseFiles(folder, newRelease()));
let i = (await files.get()).release.facts.testingIssues?.count ?? 0;
for (;;) {
  i += 1;
  const kind = i % 3;
  await files.transact((current) =>
    kind === 0 ? change(current, i, { outbox: [message('m-' + i)], refusals: null })
    : kind === 1 ? { outbox: [message('m-' + i)], result: undefined }
    : { refusals: tally(i), result: undefined });
  process.stdout.write('saved ' + i + '\\n');
}
`;

function runAndKill(script: string, folder: string, after: number, delayMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, folder], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let saved = 0;
    let killed = false;
    child.stdout.on('data', (data) => {
      out += String(data);
      const lines = out.split('\n').filter((line) => line.startsWith('saved '));
      saved = lines.length > 0 ? Number(lines[lines.length - 1]!.slice(6)) : 0;
      if (!killed && lines.length >= after) {
        killed = true;
        // A little later, so the kill lands anywhere in a write rather than just after a print.
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.stderr.on('data', (data) => (err += String(data)));
    child.on('close', (_code, signal) => {
      if (signal === 'SIGKILL') resolve(saved);
      else reject(new Error(`the writer stopped by itself: ${err}`));
    });
  });
}

describe('a process killed with SIGKILL while writing', () => {
  it('leaves files that recover with every write it was told is saved, and a record that verifies', async () => {
    const folder = await releasesFolder();
    const script = join(folder, '..', 'writer.mts');
    await writeFile(script, CHILD);
    for (let round = 1; round <= ROUNDS; round++) {
      const saved = await runAndKill(script, folder, 20 + round * 3, round % 5);
      const logged: string[] = [];
      const files = await openReleaseFiles(folder, 'rel-1', { log: (m) => logged.push(m) });
      expect(files, `round ${round}`).toBeDefined();
      const stored = await files!.get();
      const audit = await files!.audit();
      expect(files!.quarantine, `round ${round}: ${logged.join('; ')}`).toBeUndefined();
      expect(verifyRecord({ release: stored.release, audit })).toMatchObject({ ok: true });
      // Every message of a write it was told is saved is there, and nothing from a later one is half there.
      const ids = new Set((await files!.outbox()).map((m) => m.id));
      for (let i = 1; i <= saved; i++) if (i % 3 !== 2) expect(ids.has(`m-${i}`), `round ${round}: message m-${i} (saved up to ${saved})`).toBe(true);
      const count = stored.release.facts.testingIssues?.count ?? 0;
      expect(count).toBeGreaterThanOrEqual(saved - (saved % 3));
      expect(await namesIn(folder)).toEqual(['rel-1.audit.jsonl', 'rel-1.outbox.jsonl', 'rel-1.state.json']);
      await files!.close();
    }
  }, 30_000);
});
