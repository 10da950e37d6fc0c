import { randomUUID } from 'node:crypto';
import { writeSync } from 'node:fs';
import * as fsp from 'node:fs/promises';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { assertTime, INBOX_LEASE_MS, InboxRecord, keptReceived, outcomeLineOf, type Inbox, type Keeping, type Received } from '../src/app/inbox.js';
import { systemClock, type Clock } from '../src/app/clock.js';
import type { Platform } from '../src/domain/primitives.js';
import { StoreError } from '../src/app/store-port.js';
import { detached } from '../src/detached-string.js';

// <dataDir>/inbox.jsonl: one JSON record a line, only ever appended to. A `received` record is
// written before the platform is acknowledged, a `done` record once the person has been answered.
// Appends are group-committed: whatever arrives while one write+fsync is in flight goes to disk
// together in the next one, so a burst of requests costs a few fsyncs, not one each. Only a
// durable receipt waits for an fsync: a `done` record, and the receipt of a request that changes
// nothing (`written`), are appended and flushed by the next fsync (of a receipt, or at close). A
// power cut may lose them: the request is then handled again after the restart, as a replay.
// One process owns the folder (the store's lock), so a request is abandoned exactly when it was
// received and not done before this process opened the file; what this process receives, it handles.

export const INBOX_FILE = 'inbox.jsonl';

/** The file operations the inbox needs; tests pass a wrapper to count or break them. */
export interface InboxFs {
  readFile(path: string): Promise<string>;
  open(path: string, flags: 'a' | 'wx' | 'r'): Promise<InboxHandle>;
  rename(from: string, to: string): Promise<void>;
}

export interface InboxHandle {
  append(data: string): Promise<void>;
  sync(): Promise<void>;
  truncate(length: number): Promise<void>;
  close(): Promise<void>;
}

export const nodeInboxFs: InboxFs = {
  readFile: (path) => fsp.readFile(path, 'utf8'),
  open: async (path, flags) => {
    const handle = await fsp.open(path, flags);
    return {
      append: async (data) => appendNow(handle.fd, data),
      sync: () => handle.sync(),
      truncate: (length) => handle.truncate(length),
      close: () => handle.close(),
    };
  },
  rename: (from, to) => fsp.rename(from, to),
};

/**
 * Appends `data` whole, synchronously. Every request appends twice (received, done), and an
 * asynchronous write costs a trip through libuv's thread pool: measured under the status
 * benchmark it was most of the inbox's cost (about 0.4 ms of the event loop's time per append,
 * against 0.01 ms written here). A small append only reaches the page cache; what waits for the
 * disk is the fsync, which stays asynchronous. A write that fails throws, which the caller takes
 * back as it takes back any failed append.
 */
function appendNow(fd: number, data: string): void {
  const bytes = Buffer.from(data, 'utf8');
  for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
}

export interface InboxFileOptions {
  /** Told about a torn last line skipped at open, and a compaction that failed. */
  log?: (message: string) => void;
  fs?: InboxFs;
  /** Once every entry is done and the file is at least this many bytes, it is rewritten empty. */
  compactAt?: number;
  /** Stamps `done` records. */
  clock?: Clock;
  /** How long `abandoned` claims a request for its caller (default INBOX_LEASE_MS). */
  leaseMs?: number;
}

/** The inbox file, with what a test or a tool may look at besides the port. */
export interface FileInbox extends Inbox {
  /** Received and not done, in the order received (abandoned or being handled). */
  unfinished(): Received[];
}

const DEFAULT_COMPACT_AT = 1024 * 1024;
// Ids remembered after compaction, so a late platform retry is still recognised by this process.
const REMEMBERED_IDS = 10_000;

interface Queued {
  text: string;
  /** Settled only once fsynced; otherwise as soon as appended. */
  durable_: boolean;
  /** Runs as soon as the batch holding this record is on disk, before anything else can run. */
  durable: () => void;
  settle: (error?: unknown) => void;
}

/**
 * Opens (or creates) the inbox in `dataDir`. A last line cut short by a crash is skipped with a
 * log (a durable receipt is acknowledged only after its fsync; what else it held was only written); any other line that
 * does not parse stops here with a StoreError naming the file and line, and nothing is changed.
 */
export async function openInboxFile(dataDir: string, options: InboxFileOptions = {}): Promise<FileInbox> {
  const inbox = new InboxFile(join(dataDir, INBOX_FILE), dataDir, options);
  await inbox.open();
  return inbox;
}

class InboxFile implements FileInbox {
  readonly shared = false;
  private readonly fs: InboxFs;
  private readonly clock: Clock;
  private readonly leaseMs: number;
  /** Unfinished when the file was opened: their handler was a process that has stopped. */
  private readonly orphans = new Set<string>();
  /** Orphans handed out by `abandoned`, until when (ms). */
  private readonly claims = new Map<string, number>();
  private readonly log: (message: string) => void;
  private readonly compactAt: number;
  private handle: InboxHandle | undefined;
  private size = 0;
  private readonly open_ = new Map<string, Received>();
  private readonly seen = new Set<string>();
  private queue: Queued[] = [];
  private writing: Promise<void> | undefined;
  private broken: string | undefined;
  private closed = false;
  /** Appended since the last fsync. */
  private unsynced = false;

  constructor(
    readonly file: string,
    private readonly folder: string,
    options: InboxFileOptions,
  ) {
    this.fs = options.fs ?? nodeInboxFs;
    this.log = options.log ?? (() => undefined);
    this.compactAt = options.compactAt ?? DEFAULT_COMPACT_AT;
    this.clock = options.clock ?? systemClock;
    this.leaseMs = options.leaseMs ?? INBOX_LEASE_MS;
  }

  async open(): Promise<void> {
    try {
      await mkdir(this.folder, { recursive: true });
    } catch (error) {
      throw new StoreError(`${this.folder}: cannot be created as the data folder (${reasonOf(error)})`, this.folder);
    }
    let text: string | undefined;
    try {
      text = await this.fs.readFile(this.file);
    } catch (error) {
      if (!isCode(error, 'ENOENT')) throw new StoreError(`${this.file}: cannot be read (${reasonOf(error)})`, this.file);
    }
    const complete = text === undefined ? 0 : this.load(text);
    for (const id of this.open_.keys()) this.orphans.add(id);
    try {
      this.handle = await this.fs.open(this.file, 'a');
      if (text === undefined) {
        // A new file's name is durable only once its folder is.
        await this.handle.sync();
        await this.syncFolder();
      } else if (complete < Buffer.byteLength(text)) {
        // Cut the torn bytes, so the next append starts on a line of its own.
        await this.handle.truncate(complete);
        await this.handle.sync();
      }
    } catch (error) {
      throw new StoreError(`${this.file}: cannot be opened for writing (${reasonOf(error)})`, this.file);
    }
    this.size = complete;
    if (this.open_.size === 0 && this.size > 0) await this.compact().catch((error: unknown) => this.log(reasonOf(error)));
  }

  async receive(entry: Received, keeping: Keeping = 'durable'): Promise<boolean> {
    // Checked and reserved before the first await, so a retry arriving during the write is recognised.
    if (this.seen.has(entry.id)) return false;
    // Only what reads back at start-up is written.
    const record = keptReceived(entry);
    this.remember(record.id);
    this.open_.set(record.id, record);
    try {
      await this.append(JSON.stringify(record), keeping === 'durable', () => undefined);
      return true;
    } catch (error) {
      this.open_.delete(record.id);
      this.seen.delete(record.id);
      throw error;
    }
  }

  async done(id: string, outcome: string): Promise<void> {
    if (!this.open_.has(id)) return;
    const record = { type: 'done' as const, id, at: this.clock.now().toISOString(), outcome: outcomeLineOf(outcome) };
    await this.append(JSON.stringify(record), false, () => {
      this.open_.delete(id);
      this.orphans.delete(id);
      this.claims.delete(id);
    });
  }

  async abandoned(now: Date, platforms: readonly Platform[]): Promise<Received[]> {
    assertTime(now);
    const at = now.getTime();
    const found: Received[] = [];
    for (const id of this.orphans) {
      const entry = this.open_.get(id);
      if (!entry || !platforms.includes(entry.platform) || (this.claims.get(id) ?? -Infinity) > at) continue;
      this.claims.set(id, at + this.leaseMs);
      found.push(structuredClone(entry));
    }
    return found;
  }

  unfinished(): Received[] {
    return [...this.open_.values()].map((entry) => structuredClone(entry));
  }

  /** One process owns the file: nothing it handles can be taken by another, so there is nothing to renew. */
  async renew(now: Date): Promise<number> {
    assertTime(now);
    return 0;
  }

  async close(): Promise<void> {
    this.closed = true;
    while (this.writing) await this.writing;
    // What was only written is made durable on the way out: a clean stop leaves nothing to replay.
    if (this.unsynced && !this.broken) await this.handle?.sync().catch((error: unknown) => this.log(`${this.file}: could not be flushed at close (${reasonOf(error)})`));
    await this.handle?.close();
    this.handle = undefined;
  }

  /** Reads every record; returns the byte length of the complete lines. */
  private load(text: string): number {
    const lines = text.split('\n');
    const torn = lines.pop() ?? '';
    if (torn !== '') this.log(`${this.file}: skipped a torn last line (a write cut short by a crash: a durable receipt it held was never acknowledged): ${torn.slice(0, 120)}`);
    lines.forEach((line, index) => {
      const where = `${this.file}: line ${index + 1}`;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new StoreError(`${where} is not valid JSON (${reasonOf(error)}); golive will not start until it is repaired or removed`, this.file);
      }
      const parsed = InboxRecord.safeParse(value);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const path = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
        throw new StoreError(`${where} is not an inbox record (${path}${issue?.message ?? 'invalid'}); golive will not start until it is repaired or removed`, this.file);
      }
      const record = parsed.data;
      if (record.type === 'received') {
        if (this.seen.has(record.id)) throw new StoreError(`${where} receives request "${record.id}" a second time; golive will not start until it is repaired or removed`, this.file);
        this.remember(record.id);
        this.open_.set(record.id, record);
      } else if (!this.open_.delete(record.id)) {
        this.log(`${where}: marks request "${record.id}" done, which is not waiting; ignored`);
      }
    });
    return Buffer.byteLength(text) - Buffer.byteLength(torn);
  }

  private remember(id: string): void {
    // Kept long after the request is done: not as a piece of its body (detached-string.ts).
    this.seen.add(detached(id));
    if (this.seen.size > REMEMBERED_IDS) {
      for (const old of this.seen) {
        if (this.open_.has(old)) continue;
        this.seen.delete(old);
        break;
      }
    }
  }

  private append(line: string, durable_: boolean, durable: () => void): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError(`${this.file}: the inbox is closed`, this.file));
    if (this.broken) return Promise.reject(new StoreError(`${this.file}: cannot be written since an earlier failure (${this.broken})`, this.file));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ text: `${line}\n`, durable_, durable, settle: (error) => (error === undefined ? resolve() : reject(error)) });
      this.writing ??= this.drain();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      const waiting = new Set(batch);
      const settle = (items: Queued[]) => {
        for (const item of items) item.durable();
        for (const item of items) {
          item.settle();
          waiting.delete(item);
        }
      };
      try {
        // What need not be durable is settled once appended, without waiting for the fsync.
        await this.appendSynced(
          batch.map((item) => item.text).join(''),
          batch.some((item) => item.durable_),
          () => settle(batch.filter((item) => !item.durable_)),
        );
        settle([...waiting]);
      } catch (error) {
        const failure = new StoreError(`${this.file}: could not be saved (${reasonOf(error)})`, this.file);
        for (const item of waiting) item.settle(failure);
      }
      if (this.queue.length === 0 && this.open_.size === 0 && this.size >= this.compactAt && !this.closed) {
        await this.compact().catch((error: unknown) => this.log(reasonOf(error)));
      }
    }
    this.writing = undefined;
  }

  /**
   * Appends `text`, runs `appended`, then fsyncs when `sync` asks (flushing any earlier appends
   * too). A failure takes the whole batch back, even what `appended` already settled: to that
   * written-only part, this is what a power cut would have done.
   */
  private async appendSynced(text: string, sync: boolean, appended: () => void): Promise<void> {
    if (this.broken) throw new Error(this.broken);
    const handle = this.handle;
    if (!handle) throw new Error('the inbox is not open');
    const before = this.size;
    try {
      await handle.append(text);
      this.unsynced = true;
      appended();
      if (sync) {
        await handle.sync();
        this.unsynced = false;
      }
      this.size += Buffer.byteLength(text);
    } catch (error) {
      // Take back a partial append, so no later record follows half a line.
      try {
        await handle.truncate(before);
        await handle.sync();
        this.unsynced = false;
      } catch (cleanup) {
        this.broken = `${reasonOf(error)}; then ${reasonOf(cleanup)}`;
      }
      throw error;
    }
  }

  /** Every entry is done: start again from an empty file, replaced atomically. */
  private async compact(): Promise<void> {
    const temp = join(this.folder, `.${INBOX_FILE}.${randomUUID()}.tmp`);
    try {
      const empty = await this.fs.open(temp, 'wx');
      try {
        await empty.sync();
      } finally {
        await empty.close();
      }
      await this.fs.rename(temp, this.file);
      await this.syncFolder();
    } catch (error) {
      throw new StoreError(`${this.file}: could not be compacted, it keeps growing until the next try (${reasonOf(error)})`, this.file);
    }
    // The old handle points at the replaced file: appends must go to the new one.
    const old = this.handle;
    this.handle = undefined;
    await old?.close().catch(() => undefined);
    try {
      this.handle = await this.fs.open(this.file, 'a');
      this.size = 0;
      this.unsynced = false;
    } catch (error) {
      this.broken = `it could not be reopened after compaction (${reasonOf(error)})`;
      throw new StoreError(`${this.file}: ${this.broken}`, this.file);
    }
  }

  private async syncFolder(): Promise<void> {
    // Windows cannot open a folder for syncing, and NTFS journals renames itself.
    if (process.platform === 'win32') return;
    const handle = await this.fs.open(this.folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
