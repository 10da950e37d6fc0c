import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';
import { sealEntry, stateHashOf } from '../../src/domain/audit.js';
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Release } from '../../src/domain/release.js';
import { nodeReleaseFs, type ReleaseFs } from '../../store/json/release-fs.js';
import type { NewRelease } from '../../store/json/release-files.js';
import type { Commit, StoredRelease } from '../../store/json/stored-release.js';
import { minimalReleaseDocument } from '../fixtures/release-doc.js';

// Releases, entries and messages for the append-only release files, and file systems that count,
// fail or "die" at a chosen step.

const folders: string[] = [];

export async function releasesFolder(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'golive-jsonlog-'));
  folders.push(root);
  const folder = join(root, 'releases');
  await mkdir(folder);
  return folder;
}

export async function removeFolders(): Promise<void> {
  await Promise.all(folders.splice(0).map((folder) => rm(folder, { recursive: true, force: true })));
}

export async function namesIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort();
}

const START = Date.parse('2019-11-04T09:00:00.000Z');
export const minute = (n: number) => new Date(START + n * 60_000).toISOString();

export function newRelease(id = 'rel-1', outbox: OutboxMessage[] = [message('checklist:rel-1')]): NewRelease {
  const release = minimalReleaseDocument(id).release;
  const first = sealEntry([], { at: minute(0), actor: { id: 'console:rita', platform: 'console' }, command: `/release create ${id}`, outcome: 'applied', stateHash: stateHashOf(release) });
  return { release, first, outbox };
}

export function message(id: string, changes: Partial<Record<'status' | 'attempts' | 'sentAt' | 'messageRef', unknown>> = {}): OutboxMessage {
  return OutboxMessage.parse({
    id,
    kind: 'checklist',
    to: { channel: { platform: 'console', id: 'C-release' } },
    params: {},
    status: 'pending',
    attempts: 0,
    createdAt: minute(0),
    ...changes,
  });
}

/** The release with `count` testing issues: a change of state an entry must seal. */
export function withIssues(release: Release, count: number): Release {
  const next = structuredClone(release);
  next.facts.testingIssues = { count, threshold: 10, setAt: minute(1), setBy: 'console:dan', changedAt: minute(1) };
  return next;
}

/** An applied change: the release with `issues` testing issues, sealed by one entry after `head`. */
export function change(current: StoredRelease, issues: number, extra: Partial<Commit<unknown>> = {}): Commit<number> {
  const release = withIssues(current.release, issues);
  const entry = entryAfter(current.head, release, `/release facts issues ${issues}`);
  return { release, append: [entry], ...extra, result: entry.seq };
}

export function entryAfter(head: AuditEntry | undefined, release: Release, command: string, options: { request?: string; outcome?: 'applied' | 'refused' } = {}): AuditEntry {
  const seq = head ? head.seq : 0;
  return sealEntry(head ? [head] : [], {
    at: minute(seq),
    actor: { id: 'console:dan', platform: 'console' },
    command,
    outcome: options.outcome ?? 'applied',
    ...(options.request !== undefined && { request: options.request }),
    ...(options.outcome === 'refused' && { reason: 'not allowed' }),
    stateHash: stateHashOf(release),
  });
}

/** `count` entries continuing `release`'s chain from `head`, the last one sealing `release`. */
export function entries(head: AuditEntry | undefined, release: Release, count: number): AuditEntry[] {
  const chain: AuditEntry[] = head ? [head] : [];
  for (let i = 0; i < count; i++) chain.push(entryAfter(chain[chain.length - 1], release, `/release note ${i}`));
  return chain.slice(head ? 1 : 0);
}

export function tally(count: number): RefusalTally {
  return { actor: { id: 'console:dan', platform: 'console' }, command: '/release decide go', reason: 'not allowed', first: minute(1), last: minute(1), count };
}

export type FsOperation = keyof ReleaseFs;
const WRITES: FsOperation[] = ['create', 'append', 'truncate', 'rename', 'unlink', 'syncFile', 'syncFolder'];

/** Counts every byte written and read through it. */
export function countingFs(base: ReleaseFs = nodeReleaseFs) {
  const counts = { written: 0, read: 0, appends: new Map<string, number>() };
  const fs: ReleaseFs = {
    ...base,
    read: async (path) => {
      const bytes = await base.read(path);
      counts.read += bytes.length;
      return bytes;
    },
    readRange: async (path, start, end) => {
      const bytes = await base.readRange(path, start, end);
      counts.read += bytes.length;
      return bytes;
    },
    create: (path, data) => {
      counts.written += Buffer.byteLength(data);
      return base.create(path, data);
    },
    append: (path, data) => {
      counts.written += Buffer.byteLength(data);
      return base.append(path, data);
    },
  };
  return { fs, counts, reset: () => Object.assign(counts, { written: 0, read: 0 }) };
}

export interface StepFs {
  fs: ReleaseFs;
  /** The writing steps taken so far, as `operation file-name`. */
  steps: string[];
  /** From the next writing step on: `die` leaves it undone and every later operation failing, as a killed process would; `fail` fails that one step; `tear` writes half its data first, then dies. */
  breakAt(step: number, how: 'die' | 'fail' | 'tear'): void;
  dead(): boolean;
}

/** Records each writing step, and breaks the chosen one. */
export function stepFs(base: ReleaseFs = nodeReleaseFs): StepFs {
  const steps: string[] = [];
  let target = Number.POSITIVE_INFINITY;
  let mode: 'die' | 'fail' | 'tear' = 'die';
  let isDead = false;
  const killed = () => Object.assign(new Error('the process was killed (simulated)'), { code: 'EKILLED' });
  const wrap = <K extends FsOperation>(name: K): ReleaseFs[K] =>
    (async (...args: unknown[]) => {
      if (isDead) throw killed();
      const op = base[name] as (...a: unknown[]) => Promise<unknown>;
      if (!WRITES.includes(name)) return op(...args);
      const step = steps.length;
      steps.push(`${name} ${String(args[0]).split('/').pop()}`);
      if (step !== target) return op(...args);
      if (mode === 'fail') throw Object.assign(new Error(`EIO: i/o error, ${name} (simulated)`), { code: 'EIO' });
      isDead = true;
      if (mode === 'tear' && (name === 'create' || name === 'append')) {
        const data = args[1] as string;
        await op(args[0], data.slice(0, Math.max(1, Math.floor(data.length / 2))));
      }
      throw killed();
    }) as ReleaseFs[K];
  const fs = Object.fromEntries((Object.keys(base) as FsOperation[]).map((name) => [name, wrap(name)])) as unknown as ReleaseFs;
  return {
    fs,
    steps,
    breakAt: (step, how) => {
      target = steps.length + step;
      mode = how;
    },
    dead: () => isDead,
  };
}
