import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INBOX_FILE, nodeInboxFs, openInboxFile, type InboxFs } from '../store/inbox-file.js';
import { INBOX_LEASE_MS, type Received } from '../src/app/inbox.js';
import { FixedClock } from './support/test-clock.js';
import { request } from './inbox-contract.js';

// The inbox on disk: what golive promised Slack it had received, read back after a crash.

const entry = (n: number, overrides: Partial<Received> = {}): Received => request(n, { at: '2019-11-07T10:02:00.000Z', ...overrides });

/** The real file system, with every fsync and rename counted and the next appends made to fail on demand. */
function watchedFs() {
  const counts = { appendSyncs: 0, syncs: 0, renames: 0 };
  let failAppends = 0;
  let failSyncs = 0;
  const fs: InboxFs = {
    readFile: nodeInboxFs.readFile,
    rename: async (from, to) => {
      counts.renames += 1;
      await nodeInboxFs.rename(from, to);
    },
    open: async (path, flags) => {
      const handle = await nodeInboxFs.open(path, flags);
      return {
        ...handle,
        append: async (data) => {
          if (failAppends > 0) {
            failAppends -= 1;
            // Half the bytes reach the file before the failure, as a full disk would leave them.
            await handle.append(data.slice(0, Math.floor(data.length / 2)));
            throw new Error('ENOSPC: no space left on device');
          }
          await handle.append(data);
        },
        sync: async () => {
          counts.syncs += 1;
          if (flags === 'a') counts.appendSyncs += 1;
          if (failSyncs > 0) {
            failSyncs -= 1;
            throw new Error('EIO: i/o error, fsync');
          }
          await handle.sync();
        },
      };
    },
  };
  return { fs, counts, failNextAppend: () => void (failAppends += 1), failNextSync: () => void (failSyncs += 1) };
}

describe('the inbox file', () => {
  let dir: string;
  let file: string;
  const logs: string[] = [];
  const log = (m: string) => logs.push(m);
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-inbox-'));
    file = join(dir, INBOX_FILE);
    logs.length = 0;
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const lines = async () =>
    (await readFile(file, 'utf8'))
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { type: string; id: string; outcome?: string });

  it('is created with its folder flushed, and holds a received request once it resolves', async () => {
    const { fs, counts } = watchedFs();
    const inbox = await openInboxFile(dir, { fs });
    expect(counts.syncs).toBe(2); // the new file, then the folder that names it
    expect(await inbox.receive(entry(1))).toBe(true);
    expect(await lines()).toEqual([expect.objectContaining({ type: 'received', id: 'trigger-1', text: '/release confirm code-ready met --comment 1' })]);
    await inbox.close();
  });

  it('writes 150 requests arriving at once with a handful of fsyncs, each durable when it resolves', async () => {
    const { fs, counts } = watchedFs();
    const inbox = await openInboxFile(dir, { fs });
    const results = await Promise.all(Array.from({ length: 150 }, (_, n) => inbox.receive(entry(n))));
    expect(results.every((fresh) => fresh)).toBe(true);
    expect(counts.appendSyncs).toBeLessThanOrEqual(5);
    expect((await lines()).map((l) => l.id)).toEqual(Array.from({ length: 150 }, (_, n) => `trigger-${n}`));
    await inbox.close();
  });

  it('fsyncs a durable receipt before it resolves; a read’s receipt and a done mark are only written, and flushed by the next fsync or at close', async () => {
    const { fs, counts } = watchedFs();
    const inbox = await openInboxFile(dir, { fs });
    const opened = counts.appendSyncs;
    expect(await inbox.receive(entry(1))).toBe(true);
    expect(counts.appendSyncs).toBe(opened + 1);
    expect(await inbox.receive(entry(2, { text: '/release status' }), 'written')).toBe(true);
    await inbox.done('trigger-1', 'Answer recorded');
    expect(counts.appendSyncs).toBe(opened + 1);
    // Written is in the file: golive killed now (the machine still up) loses neither.
    expect((await lines()).map((l) => `${l.type} ${l.id}`)).toEqual(['received trigger-1', 'received trigger-2', 'done trigger-1']);
    const reader = await openInboxFile(dir);
    expect(reader.unfinished().map((e) => e.id)).toEqual(['trigger-2']);
    await reader.close();
    // The next durable receipt's fsync covers what was only written before it.
    await inbox.receive(entry(3));
    expect(counts.appendSyncs).toBe(opened + 2);
    await inbox.done('trigger-2', 'Status shown');
    await inbox.close();
    expect(counts.appendSyncs).toBe(opened + 3);
  });

  it('refuses a durable receipt whose fsync fails and takes it back: never acknowledged, never handled after a restart', async () => {
    const { fs, failNextSync } = watchedFs();
    const inbox = await openInboxFile(dir, { fs });
    await inbox.receive(entry(1));
    failNextSync();
    await expect(inbox.receive(entry(2))).rejects.toThrow('could not be saved (EIO');
    expect((await lines()).map((l) => l.id)).toEqual(['trigger-1']);
    // A read written in the meantime is not held up by it, nor is the retried write.
    expect(await inbox.receive(entry(3, { text: '/release status' }), 'written')).toBe(true);
    expect(await inbox.receive(entry(2))).toBe(true);
    await inbox.close();
    const again = await openInboxFile(dir);
    expect(again.unfinished().map((e) => e.id)).toEqual(['trigger-1', 'trigger-3', 'trigger-2']);
    await again.close();
  });

  it('hands back what was received and not done, in the order received, after a restart', async () => {
    const first = await openInboxFile(dir);
    for (const n of [1, 2, 3, 4]) await first.receive(entry(n));
    await first.done('trigger-2', 'Answer recorded: criterion 1 met');
    await first.done('trigger-4', 'Answer recorded');
    await first.close();

    const again = await openInboxFile(dir);
    expect(again.unfinished().map((e) => e.id)).toEqual(['trigger-1', 'trigger-3']);
    expect(again.unfinished()[0]).toEqual(entry(1));
    await again.close();
  });

  it('abandons only what an earlier process left: what this one receives, it handles, however long it takes', async () => {
    const clock = new FixedClock('2019-11-07T10:00:00.000Z');
    const first = await openInboxFile(dir, { clock });
    await first.receive(entry(1));
    await first.close();

    const again = await openInboxFile(dir, { clock });
    await again.receive(entry(2));
    const later = clock.advance(24 * 60 * 60 * 1000);
    expect((await again.abandoned(later, ['slack'])).map((e) => e.id)).toEqual(['trigger-1']);
    // The claim on trigger-1 ended and it is still not done: handed out again; trigger-2 never is.
    expect((await again.abandoned(clock.advance(INBOX_LEASE_MS), ['slack'])).map((e) => e.id)).toEqual(['trigger-1']);
    expect(again.unfinished().map((e) => e.id)).toEqual(['trigger-1', 'trigger-2']);
    // A done record is stamped by the clock golive runs on.
    await again.done('trigger-1', 'Answer recorded');
    await again.close();
    expect((await lines()).at(-1)).toEqual({ type: 'done', id: 'trigger-1', at: clock.now().toISOString(), outcome: 'Answer recorded' });
  });

  it('recognises a request received already (a platform retry) and writes nothing for it', async () => {
    const inbox = await openInboxFile(dir);
    expect(await inbox.receive(entry(1))).toBe(true);
    expect(await inbox.receive(entry(1))).toBe(false);
    await inbox.close();
    const again = await openInboxFile(dir);
    expect(await again.receive(entry(1))).toBe(false);
    await again.close();
    expect((await lines()).filter((l) => l.type === 'received')).toHaveLength(1);
  });

  it('skips a torn last line with a log, and the next append starts on a line of its own', async () => {
    const whole = `${JSON.stringify(entry(1))}\n`;
    await writeFile(file, `${whole}{"type":"received","kind":"comm`);
    const inbox = await openInboxFile(dir, { log });
    expect(logs.join('\n')).toContain(`${file}: skipped a torn last line`);
    expect(inbox.unfinished().map((e) => e.id)).toEqual(['trigger-1']);
    await inbox.receive(entry(2));
    await inbox.close();
    expect((await lines()).map((l) => l.id)).toEqual(['trigger-1', 'trigger-2']);
  });

  it('refuses to open on a malformed line before the last, naming the file and line, and changes nothing', async () => {
    const text = `${JSON.stringify(entry(1))}\n{"type":"received","id":\n${JSON.stringify(entry(3))}\n`;
    await writeFile(file, text);
    await expect(openInboxFile(dir)).rejects.toThrow(`${file}: line 2 is not valid JSON`);
    const wrongShape = `${JSON.stringify(entry(1))}\n${JSON.stringify({ type: 'received', id: 'x' })}\n`;
    await writeFile(file, wrongShape);
    await expect(openInboxFile(dir)).rejects.toThrow(`${file}: line 2 is not an inbox record`);
    // A complete last line that does not parse was not torn by a crash: it is refused too.
    await writeFile(file, `${JSON.stringify(entry(1))}\nnot json\n`);
    await expect(openInboxFile(dir)).rejects.toThrow(`${file}: line 2 is not valid JSON`);
    expect(await readFile(file, 'utf8')).toBe(`${JSON.stringify(entry(1))}\nnot json\n`);
  });

  it('rewrites the file empty, atomically, at start when every request is done', async () => {
    const first = await openInboxFile(dir);
    await first.receive(entry(1));
    await first.done('trigger-1', 'Answer recorded');
    await first.close();
    expect((await stat(file)).size).toBeGreaterThan(0);

    const { fs, counts } = watchedFs();
    const again = await openInboxFile(dir, { fs });
    expect((await stat(file)).size).toBe(0);
    expect(counts.renames).toBe(1);
    expect(again.unfinished()).toEqual([]);
    await again.receive(entry(2));
    await again.close();
    expect((await lines()).map((l) => l.id)).toEqual(['trigger-2']);
  });

  it('compacts while running only once every request is done and the file has grown past the size', async () => {
    const small = await openInboxFile(dir);
    await small.receive(entry(1));
    await small.done('trigger-1', 'Answer recorded');
    // Below the default size, a done request stays on file until the next start.
    expect((await lines()).map((l) => l.type)).toEqual(['received', 'done']);
    await small.close();
    await rm(file);

    const inbox = await openInboxFile(dir, { compactAt: 1 });
    await inbox.receive(entry(2));
    await inbox.receive(entry(3));
    await inbox.done('trigger-2', 'Answer recorded');
    // trigger-3 still waits, so nothing may be compacted away.
    expect((await lines()).map((l) => l.id)).toEqual(['trigger-2', 'trigger-3', 'trigger-2']);
    await inbox.done('trigger-3', 'Status shown');
    // Compaction runs behind the write that finished the last request; the next append follows it.
    await inbox.receive(entry(4));
    await inbox.close();
    expect((await lines()).map((l) => l.id)).toEqual(['trigger-4']);
  });

  it('takes back a failed append, so the request can be sent again and the file stays readable', async () => {
    const { fs, failNextAppend } = watchedFs();
    const inbox = await openInboxFile(dir, { fs });
    await inbox.receive(entry(1));
    failNextAppend();
    await expect(inbox.receive(entry(2))).rejects.toThrow('could not be saved (ENOSPC');
    expect(await inbox.receive(entry(2))).toBe(true);
    await inbox.close();
    expect((await lines()).map((l) => l.id)).toEqual(['trigger-1', 'trigger-2']);
  });
});
