import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { StoreError, type Store } from '../src/app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { minimalRelease } from './fixtures/release-doc.js';
import { createRelease } from './support/store-records.js';
import { readRaw } from './support/release-on-disk.js';

const folders: string[] = [];
const stores: Store[] = [];

afterEach(async () => {
  await Promise.allSettled(stores.splice(0).map((store) => store.close()));
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
});

async function dataDir(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'golive-lock-'));
  folders.push(folder);
  return join(folder, 'data');
}

async function open(dir: string, log?: (message: string) => void): Promise<Store> {
  const store = await openLowdbStore(dir, log ? { log } : {});
  stores.push(store);
  return store;
}

async function openError(dir: string): Promise<StoreError> {
  const error: unknown = await openLowdbStore(dir).then(
    (store) => (stores.push(store), undefined),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StoreError);
  return error as StoreError;
}

const lockPath = (dir: string) => join(dir, 'golive.lock');
const lockOnDisk = async (dir: string) => JSON.parse(await readFile(lockPath(dir), 'utf8')) as { pid: number; host: string; since: string };

async function writeLock(dir: string, content: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  await writeFile(lockPath(dir), content);
}

// The pid of a process that has run and exited: a lock naming it was left by a dead golive.
function exitedPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}

describe('one golive per data folder, in one process', () => {
  it('refuses a second open of a folder, naming the holder, and the first keeps working', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    const lock = await readFile(lockPath(dir), 'utf8');
    const { pid, host, since } = JSON.parse(lock);
    expect({ pid, host }).toEqual({ pid: process.pid, host: hostname() });
    expect(Date.parse(since)).not.toBeNaN();

    const error = await openError(dir);
    expect(error.message).toBe(`${dir} is in use by golive (pid ${process.pid} on host ${hostname()}, since ${since}): stop that one first, or point GOLIVE_DATA_DIR at another folder.`);
    expect(error.file).toBe(lockPath(dir));
    expect(await readFile(lockPath(dir), 'utf8')).toBe(lock);

    await createRelease(first, minimalRelease('rel-1'));
    expect((await first.list()).map((summary) => summary.id)).toEqual(['rel-1']);
  });

  it('opens again after close(), which removes the lock', async () => {
    const dir = await dataDir();
    const first = await open(dir);
    await createRelease(first, minimalRelease('rel-1'));
    await first.close();
    expect(await readdir(dir)).not.toContain('golive.lock');

    const second = await open(dir);
    expect((await second.get('rel-1'))?.release.name).toBe('Release rel-1');
    expect((await lockOnDisk(dir)).pid).toBe(process.pid);
  });

  it('releases the lock when opening fails on a bad file', async () => {
    const dir = await dataDir();
    await mkdir(join(dir, 'releases'), { recursive: true });
    await writeFile(join(dir, 'releases', 'rel-1.json'), '{"version":');
    const error = await openError(dir);
    expect(error.message).toContain('is not valid JSON');
    expect(await readdir(dir)).not.toContain('golive.lock');
  });

  it('takes over a lock left by a process that has exited, with a warning', async () => {
    const dir = await dataDir();
    const pid = await exitedPid();
    await writeLock(dir, JSON.stringify({ pid, host: hostname(), since: '2019-11-01T09:00:00.000Z' }));
    const log: string[] = [];
    const store = await open(dir, (message) => log.push(message));

    expect(log).toEqual([`${lockPath(dir)}: took over the lock left by golive pid ${pid} on host ${hostname()} (since 2019-11-01T09:00:00.000Z), which is no longer running`]);
    expect(await lockOnDisk(dir)).toMatchObject({ pid: process.pid, host: hostname() });
    await createRelease(store, minimalRelease('rel-1'));
    expect((await openError(dir)).message).toContain(`is in use by golive (pid ${process.pid} on host ${hostname()}`);
  });

  it('takes over a lock with this pid that an earlier process left (a restarted container reuses pids)', async () => {
    const dir = await dataDir();
    await writeLock(dir, JSON.stringify({ pid: process.pid, host: hostname(), since: '2019-11-01T09:00:00.000Z', token: 'from-an-earlier-run' }));
    const log: string[] = [];
    await open(dir, (message) => log.push(message));
    expect(log).toEqual([expect.stringContaining(`took over the lock left by golive pid ${process.pid}`)]);
    expect((await lockOnDisk(dir)).since).not.toBe('2019-11-01T09:00:00.000Z');
  });

  it('lets exactly one of several starters take over a stale lock at once', async () => {
    const dir = await dataDir();
    const pid = await exitedPid();
    await writeLock(dir, JSON.stringify({ pid, host: hostname(), since: '2019-11-01T09:00:00.000Z' }));
    const log: string[] = [];
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => openLowdbStore(dir, { log: (message) => log.push(message) })));
    const opened = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    stores.push(...opened);
    expect(opened).toHaveLength(1);
    for (const attempt of attempts) if (attempt.status === 'rejected') expect(attempt.reason).toBeInstanceOf(StoreError);
    expect(log.filter((message) => message.includes('took over'))).toHaveLength(1);
    expect((await lockOnDisk(dir)).pid).toBe(process.pid);
    expect((await readdir(dir)).filter((name) => name.startsWith('golive.lock'))).toEqual(['golive.lock']);
  });

  it('lets exactly one of several starters open a fresh folder', async () => {
    const dir = await dataDir();
    const attempts = await Promise.allSettled(Array.from({ length: 6 }, () => openLowdbStore(dir)));
    const opened = attempts.flatMap((attempt) => (attempt.status === 'fulfilled' ? [attempt.value] : []));
    stores.push(...opened);
    expect(opened).toHaveLength(1);
    const refused = attempts.flatMap((attempt) => (attempt.status === 'rejected' ? [attempt.reason as Error] : []));
    expect(refused.map((error) => error.message)).toEqual(Array.from({ length: 5 }, () => expect.stringContaining(`${dir} is in use by golive (pid ${process.pid}`)));
  });

  it('never takes over a lock from another host, and says how to remove it once that host is stopped', async () => {
    const dir = await dataDir();
    const lock = JSON.stringify({ pid: 4242, host: 'golive-prod-7', since: '2019-11-01T09:00:00.000Z' });
    await writeLock(dir, lock);
    const error = await openError(dir);
    expect(error.message).toBe(
      `${dir} is in use by golive (pid 4242 on host golive-prod-7, since 2019-11-01T09:00:00.000Z): stop that one first, or point GOLIVE_DATA_DIR at another folder. ` +
        `golive cannot see processes on host golive-prod-7: once golive there is known to be stopped, remove ${lockPath(dir)} and start again.`,
    );
    expect(await readFile(lockPath(dir), 'utf8')).toBe(lock);
    expect(await readdir(dir)).toEqual(['golive.lock']);
  });

  it('treats a lock file that is not valid JSON as held, naming it', async () => {
    const dir = await dataDir();
    await writeLock(dir, '{"pid": 12');
    const error = await openError(dir);
    expect(error.message).toMatch(
      new RegExp(
        `^${escapeRegex(dir)} may be in use: its lock ${escapeRegex(lockPath(dir))} is not valid JSON \\(.+\\)\\. If no golive uses this folder, remove ${escapeRegex(lockPath(dir))} and start again\\.$`,
      ),
    );
    expect(await readFile(lockPath(dir), 'utf8')).toBe('{"pid": 12');
  });

  it('treats a lock that does not name its holder as held', async () => {
    const dir = await dataDir();
    await writeLock(dir, '{"owner":"someone"}');
    expect((await openError(dir)).message).toContain(`its lock ${lockPath(dir)} does not say which golive holds it`);
  });

  it('leaves a lock that is no longer its own at close', async () => {
    const dir = await dataDir();
    const store = await open(dir);
    const theirs = JSON.stringify({ pid: 4242, host: 'golive-prod-7', since: '2019-11-01T09:00:00.000Z' });
    await writeFile(lockPath(dir), theirs);
    await store.close();
    expect(await readFile(lockPath(dir), 'utf8')).toBe(theirs);
  });
});

// `npm start` as an operator runs it, against a folder another golive already serves.
const root = new URL('..', import.meta.url).pathname;

interface Running {
  child: ChildProcessWithoutNullStreams;
  output: () => string;
  /** Resolves once stdout holds `text`; the test's own timeout bounds the wait. */
  printed: (text: string) => Promise<void>;
  exited: Promise<{ status: number | null; stdout: string; stderr: string }>;
}

function start(env: Record<string, string>): Running {
  const child = spawn('npm', ['start', '--silent'], { cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  child.stdout.on('data', (d) => {
    stdout += String(d);
    for (const wake of waiters.splice(0)) wake();
  });
  child.stderr.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
  const printed = async (text: string) => {
    while (!stdout.includes(text)) await new Promise<void>((wake) => waiters.push(wake));
  };
  return { child, output: () => stdout, printed, exited };
}

describe('two golive processes on one data folder', () => {
  let first: Running | undefined;
  afterEach(async () => {
    if (first && first.child.exitCode === null) {
      first.child.stdin.end();
      await first.exited;
    }
    first = undefined;
  });

  it('refuses to start the second, naming the first, which keeps working', async () => {
    const dir = await dataDir();
    const env = { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: '2019-11-07T09:00:00Z' };
    first = start(env);
    first.child.stdin.write('/release create "Nov" 2019-11-29 --id nov\n');
    await first.printed('(nov) created from template');
    const holder = await lockOnDisk(dir);

    const second = start(env);
    second.child.stdin.end('/release role DCC dan\n');
    const refused = await second.exited;
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain(`golive cannot start. ${dir} is in use by golive (pid ${holder.pid} on host ${hostname()}, since ${holder.since})`);
    expect(refused.stdout).toBe('');

    first.child.stdin.write('/release role DCC dan\n');
    await first.printed('Role DCC: @dan');
    first.child.stdin.end();
    const done = await first.exited;
    expect(done.status).toBe(0);
    expect(done.stderr).toBe('');
    expect((await readRaw(dir, 'nov')).release.roles.DCC).toEqual(['console:dan']);
    expect(await readdir(dir)).not.toContain('golive.lock');
  }, 60_000);

  it('leaves no lock behind when start-up fails on its settings', async () => {
    const dir = await dataDir();
    const failed = start({ GOLIVE_DATA_DIR: dir, SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: '0123456789abcdef0123456789abcdef', GOLIVE_CLOCK_START: '2019-11-07T09:00:00Z' });
    failed.child.stdin.end();
    const { status, stderr } = await failed.exited;
    expect(status).toBe(2);
    expect(stderr).toContain('GOLIVE_CLOCK_START: is for console rehearsals only');
    // Settings are checked before the folder is touched at all.
    expect(await readdir(dir).catch(() => [])).not.toContain('golive.lock');
  }, 60_000);
});

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
