import { randomUUID } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { StoreError } from '../src/app/store-port.js';

// Two golive processes on one data folder each keep their own copy in memory and overwrite each
// other's writes, so the folder gets one writer: <dir>/golive.lock, created atomically, names it.

export const LOCK_FILE = 'golive.lock';
// Held only while a lock left by a dead process is being replaced, so that of two starters who
// both judged it stale, exactly one replaces it.
const TAKEOVER_FILE = 'golive.lock.takeover';
const ATTEMPTS = 3;

const LockRecord = z.object({
  pid: z.number().int().positive(),
  host: z.string(),
  since: z.string(),
  // Tells this lock from any other with the same pid and host (a restarted container reuses both).
  token: z.string().optional(),
});
type LockRecord = z.infer<typeof LockRecord>;

/** The lock this store holds on its folder. */
export interface FolderLock {
  readonly file: string;
  /** Removes the lock file, if it is still this lock's; safe to call more than once. */
  release(): Promise<void>;
}

// Locks held by this process, by token: a second open in the same process is refused, while a
// lock with this pid but an unknown token was left by an earlier process that had the same pid.
const heldHere = new Set<string>();

/**
 * Takes the lock on `dir` (creating the folder if needed) or rejects with a StoreError naming
 * the holder. A lock left on this host by a process that is no longer running is taken over,
 * with `warn` told; one from another host never is, since its process cannot be seen from here.
 */
export async function lockFolder(dir: string, warn: (message: string) => void): Promise<FolderLock> {
  await makeFolder(dir);
  const file = join(dir, LOCK_FILE);
  const mine: LockRecord = { pid: process.pid, host: hostname(), since: new Date().toISOString(), token: randomUUID() };
  const text = `${JSON.stringify(mine, null, 2)}\n`;
  // Known before the lock exists: another open in this process may read it the moment it does.
  heldHere.add(mine.token!);
  try {
    for (let attempt = 1; ; attempt++) {
      if (await createExclusive(file, text)) return held(file, mine);
      const found = await readLock(file);
      if (found === undefined) {
        // Released between our attempt and the read: try again, a few times.
        if (attempt < ATTEMPTS) continue;
        throw new StoreError(`${file}: another golive keeps taking and releasing this lock; start again once it has settled`, file);
      }
      const record = parsedLock(found, file, dir);
      if (!isStale(record) || attempt >= ATTEMPTS) throw new StoreError(inUseMessage(dir, file, record), file);
      if (await takeOver(dir, file, found, text)) {
        warn(`${file}: took over the lock left by golive pid ${record.pid} on host ${record.host} (since ${record.since}), which is no longer running`);
        return held(file, mine);
      }
    }
  } catch (error) {
    heldHere.delete(mine.token!);
    throw error;
  }
}

function held(file: string, mine: LockRecord): FolderLock {
  let released = false;
  return {
    file,
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(mine.token!);
      // Someone may have removed our lock and another golive taken the folder: leave theirs alone.
      const found = await readLock(file).catch(() => undefined);
      if (found === undefined || tokenOf(found) !== mine.token) return;
      await fsp.unlink(file).catch(() => undefined);
    },
  };
}

function isStale(record: LockRecord): boolean {
  if (record.host !== hostname()) return false;
  if (record.pid === process.pid) return !heldHere.has(record.token ?? '');
  try {
    process.kill(record.pid, 0);
    return false;
  } catch (error) {
    // EPERM: the process exists but belongs to another user, so it is alive.
    return codeOf(error) === 'ESRCH';
  }
}

// Replaces the stale lock whose bytes were `stale` with ours, under the takeover file; false when
// someone else got there first (the caller then reads the lock again and finds them).
async function takeOver(dir: string, file: string, stale: string, text: string): Promise<boolean> {
  const marker = join(dir, TAKEOVER_FILE);
  if (!(await createExclusive(marker, `${JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() })}\n`))) {
    throw new StoreError(`${dir} is in use: another golive is taking over its lock right now (${marker}). If none is starting, remove ${marker} and start again.`, marker);
  }
  try {
    if ((await readLock(file)) !== stale) return false;
    const temp = tempNameFor(file);
    try {
      await writeSynced(temp, text);
      await fsp.rename(temp, file);
    } finally {
      await fsp.unlink(temp).catch(() => undefined);
    }
    await syncFolder(dir);
    return true;
  } finally {
    await fsp.unlink(marker).catch(() => undefined);
  }
}

/**
 * Creates `file` holding `text` unless it exists, atomically: the text goes to a synced temp file
 * that is then hard-linked into place, so nobody ever reads a half-written lock. Where the file
 * system has no hard links, O_EXCL does the same job with a short window of an empty file.
 */
async function createExclusive(file: string, text: string): Promise<boolean> {
  const temp = tempNameFor(file);
  try {
    await writeSynced(temp, text);
    try {
      await fsp.link(temp, file);
    } catch (error) {
      if (codeOf(error) === 'EEXIST') return false;
      if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes(codeOf(error) ?? '')) throw error;
      try {
        await writeSynced(file, text);
      } catch (exclusive) {
        if (codeOf(exclusive) === 'EEXIST') return false;
        throw exclusive;
      }
    }
  } catch (error) {
    throw new StoreError(`${file}: cannot be created (${reasonOf(error)})`, file);
  } finally {
    await fsp.unlink(temp).catch(() => undefined);
  }
  await syncFolder(dirname(file)).catch(() => undefined);
  return true;
}

// Not a dot-name ending in .tmp: a starting store removes those, and this one is in use.
function tempNameFor(file: string): string {
  return `${file}.${randomUUID()}.new`;
}

async function writeSynced(path: string, text: string): Promise<void> {
  const handle = await fsp.open(path, 'wx');
  try {
    await handle.writeFile(text, 'utf8');
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncFolder(folder: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await fsp.open(folder, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** The lock file's text, or undefined when there is none. */
async function readLock(file: string): Promise<string | undefined> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch (error) {
    if (codeOf(error) === 'ENOENT') return undefined;
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}

// A lock golive cannot read still means "someone may be using this folder": never taken silently.
function parsedLock(text: string, file: string, dir: string): LockRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError(`${dir} may be in use: its lock ${file} is not valid JSON (${reasonOf(error)}). If no golive uses this folder, remove ${file} and start again.`, file);
  }
  const record = LockRecord.safeParse(value);
  if (!record.success) {
    throw new StoreError(`${dir} may be in use: its lock ${file} does not say which golive holds it. If no golive uses this folder, remove ${file} and start again.`, file);
  }
  return record.data;
}

function tokenOf(text: string): string | undefined {
  try {
    return LockRecord.parse(JSON.parse(text)).token;
  } catch {
    return undefined;
  }
}

function inUseMessage(dir: string, file: string, record: LockRecord): string {
  const holder = `${dir} is in use by golive (pid ${record.pid} on host ${record.host}, since ${record.since}): stop that one first, or point GOLIVE_DATA_DIR at another folder.`;
  if (record.host !== hostname()) {
    return `${holder} golive cannot see processes on host ${record.host}: once golive there is known to be stopped, remove ${file} and start again.`;
  }
  if (record.pid === process.pid) return holder;
  return `${holder} If pid ${record.pid} is not golive, the lock was left behind: remove ${file} and start again.`;
}

async function makeFolder(path: string): Promise<void> {
  try {
    await fsp.mkdir(path, { recursive: true });
  } catch (error) {
    throw new StoreError(`${path}: cannot be created as the data folder (${reasonOf(error)})`, path);
  }
}

function codeOf(error: unknown): string | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' ? code : undefined;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
