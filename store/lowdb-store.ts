import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import {
  ChannelTakenError,
  StoreError,
  type ClaimedMessage,
  type ClaimRequest,
  type Commit,
  type EndClaims,
  type Quarantine,
  type ReleaseSummary,
  type Store,
  type ReleaseHead,
  type SharedRelease,
  type StoredRelease,
} from '../src/app/store-port.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { SLUG_PATTERN, Slug } from '../src/domain/primitives.js';
import { Channel, type Release } from '../src/domain/release.js';
import { DurableJsonFile, isTempFileName, nodeFs, type DurableFs } from './durable-json-file.js';
import { lockFolder, type FolderLock } from './folder-lock.js';
import { KeyedQueue } from './keyed-queue.js';
import { createReleaseFiles, openReleaseFiles, scanReleaseFolder, type ReleaseFiles, type ReleaseFilesOptions } from './json/release-files.js';
import { StringShare } from './json/shared-strings.js';
import type { ReleaseFs } from './json/release-fs.js';
import { isTempOf } from './json/release-paths.js';
import type { RecordCheck } from './json/stored-release.js';
import { checkClaim, checkEndClaims, checkLease, isClaimable } from './claim-args.js';
import { CLAIMS_FILE, OutboxClaims } from './json/outbox-claims.js';
import { nextTurn } from '../src/next-turn.js';

// Layout: <dataDir>/index.json lists the releases in creation order with what list() and
// findByChannel() need; <dataDir>/releases/ holds each release in the append-only layout of
// store/json/release-files.ts (<id>.state.json, <id>.audit.jsonl, <id>.outbox.jsonl), so a
// transaction writes the new state and appends its entries and messages: its cost grows with
// neither the number of releases nor the release's history. A version-1 document (<id>.json, the
// whole record in one file, as golive wrote it before) is converted when the store opens.
// The release files are the truth: the index is rewritten only when a summary changes, and is
// repaired from the release files at open if a crash left it behind. <dataDir>/golive.lock
// keeps a second golive out of the folder while this one has it open, so claims on outbox
// messages and leases are decided in memory; <dataDir>/outbox-claims.json keeps the claims of
// the batch being delivered, so one a crash interrupted is known at the next start (json/outbox-claims.ts).
//
// Opening reads what list(), findByChannel(), get() and the outbox need: each release's state and
// outbox, and the last line of its log. A log is read whole and its record verified at the
// release's first use (reading its history, writing to it, asking whether it is quarantined, or
// delivering its messages), and by a sweep after open that goes through every release, letting
// other work run between releases and within a long log, so start-up does not grow with history.

const INDEX_VERSION = 1;
const SWEEP_AFTER_MS = 2_000;
// Releases opened at once: their reads overlap (the thread pool has four), each release's own in order.
const OPENING_AT_ONCE = 8;

const IndexFile = z
  .object({
    version: z.literal(INDEX_VERSION),
    releases: z.array(z.object({ id: Slug, name: z.string(), channels: z.array(Channel) }).strict()),
  })
  .strict()
  .superRefine((index, context) => {
    const seen = new Set<string>();
    index.releases.forEach((entry, position) => {
      if (seen.has(entry.id)) context.addIssue({ code: 'custom', path: ['releases', position, 'id'], message: `lists release "${entry.id}" twice` });
      seen.add(entry.id);
    });
  });
type IndexFile = z.infer<typeof IndexFile>;

export type StoreLog = (message: string) => void;

export interface LowdbStoreOptions {
  /** Told about repairs made at open (a release missing from the index, a commit a crash interrupted, a conversion, a stale lock taken over). */
  log?: StoreLog;
  /** The file operations behind index.json; tests wrap them. */
  fs?: DurableFs;
  /** The file operations behind the release files (store/json/release-fs.ts); tests wrap them. */
  releaseFs?: ReleaseFs;
  /**
   * Checks each release's record (at its first use, or by the sweep); one that fails is
   * quarantined (kept readable, never written) instead of stopping the store, so the other
   * releases keep working.
   */
  verify?: RecordCheck;
  /**
   * Verify every release's record in the background, starting this many milliseconds after open
   * (default 2,000: after start-up's own work, which it would otherwise slow); false, each record
   * is verified at its release's first use only.
   */
  sweepAfterMs?: number | false;
}

/**
 * Opens (or starts) a store in `dataDir`, which it locks until close(): while another golive has
 * it open, this rejects with a StoreError naming that one. A file that does not parse or validate
 * rejects with a StoreError naming it. Opening converts version-1 documents and finishes or undoes
 * a commit a crash interrupted (see store/json/release-files.ts), logging each.
 */
export async function openLowdbStore(dataDir: string, options: LowdbStoreOptions | StoreLog = {}): Promise<Store> {
  const { log = () => undefined, fs = nodeFs, releaseFs, verify = () => undefined, sweepAfterMs = SWEEP_AFTER_MS } = typeof options === 'function' ? { log: options } : options;
  const lock = await lockFolder(dataDir, log);
  const store = new LowdbStore(dataDir, fs, log, { log, verify, deferLog: true, ...(releaseFs && { fs: releaseFs }) }, lock);
  try {
    await store.load();
  } catch (error) {
    await store.closeReleases();
    await lock.release();
    throw error;
  }
  if (sweepAfterMs !== false) store.startSweep(sweepAfterMs);
  return store;
}

class LowdbStore implements Store {
  private readonly releasesDir: string;
  private readonly index: Low<IndexFile>;
  private readonly indexFile: DurableJsonFile<IndexFile>;
  private readonly files = new Map<string, ReleaseFiles>();
  private readonly order: string[] = [];
  // Creates under way, by id: a transaction on a release being created waits for it, as it would behind a write.
  private readonly creating = new Map<string, Promise<void>>();
  // Channels being written right now, to the release writing them: taken synchronously before
  // the awaited write, so of two writes racing for one channel the second sees the first.
  private readonly channelsInFlight = new Map<string, string>();
  private readonly indexWrites = new KeyedQueue();
  // Bumped whenever a summary changes; an index write records the revision it saved, so queued
  // index writes that an earlier one already covered are skipped, and close() can retry a failed one.
  private summaryRevision = 0;
  private savedRevision = 0;
  private closed = false;
  private claims!: OutboxClaims;
  private readonly leases = new Map<string, { holder: string; until: number }>();
  private sweeping: Promise<void> | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly fs: DurableFs,
    private readonly log: StoreLog,
    private readonly releaseOptions: ReleaseFilesOptions,
    private readonly lock: FolderLock,
  ) {
    this.releasesDir = join(dataDir, 'releases');
    this.indexFile = new DurableJsonFile(join(dataDir, 'index.json'), parserFor(IndexFile, join(dataDir, 'index.json')), fs);
    this.index = new Low(this.indexFile, { version: INDEX_VERSION, releases: [] });
  }

  async load(): Promise<void> {
    await makeFolder(this.releasesDir);
    await this.index.read();
    const temps = await leftoverTemps(this.dataDir);
    const scan = await scanReleaseFolder(this.releasesDir, this.releaseOptions.fs);
    for (const stray of scan.strays) this.log(`${join(this.releasesDir, stray)}: ignored, it is not a release file`);
    // The folder is listed once, not once a release.
    const names = new Set(scan.names);
    // Releases made from one template hold its texts: each is kept once (dropped with this open).
    const share = new StringShare();
    const opened = await inTurns(scan.ids, OPENING_AT_ONCE, (id) =>
      openReleaseFiles(this.releasesDir, id, this.releaseOptions, { names, temps: scan.temps.filter((name) => isTempOf(name, id)), share }),
    );
    scan.ids.forEach((id, at) => {
      const files = opened[at];
      if (files) this.files.set(id, files);
    });
    const repaired = this.reconcileIndex();
    this.claims = await OutboxClaims.open(
      join(this.dataDir, CLAIMS_FILE),
      this.fs,
      (releaseId, id) =>
        this.files
          .get(releaseId)
          ?.currentOutbox()
          .find((m) => m.id === id),
      this.log,
    );
    for (const temp of temps) {
      await unlink(temp).catch(() => undefined);
      this.log(`${temp}: removed a temp file left by a write that never finished`);
    }
    if (repaired) await this.saveIndex();
  }

  async list(): Promise<ReleaseSummary[]> {
    return this.summaries();
  }

  async get(id: string): Promise<StoredRelease | undefined> {
    return this.files.get(id)?.get();
  }

  async shared(id: string): Promise<SharedRelease | undefined> {
    const files = this.files.get(id);
    if (!files) return undefined;
    // The verdict needs the log read and checked, as quarantine() does.
    await files.loadHistory();
    const stored = files.shared();
    const quarantine = files.quarantine;
    return quarantine ? { ...stored, quarantine: { ...quarantine } } : stored;
  }

  async sharedMany(ids: readonly string[]): Promise<Array<StoredRelease | undefined>> {
    return ids.map((id) => this.files.get(id)?.shared());
  }

  async heads(): Promise<ReadonlyMap<string, ReleaseHead>> {
    const heads = new Map<string, ReleaseHead>();
    for (const id of this.order) {
      const files = this.releaseFiles(id);
      // The verdict is known once the log has been read and checked; before that, quarantine() reads it.
      heads.set(id, { seq: files.current().head?.seq ?? 0, ...(files.historyRead && { quarantined: files.quarantine !== undefined }) });
    }
    return heads;
  }

  async quarantine(id: string): Promise<Quarantine | undefined> {
    const files = this.files.get(id);
    await files?.loadHistory();
    const quarantine = files?.quarantine;
    return quarantine && { ...quarantine };
  }

  async findByChannel(channel: Channel): Promise<string | undefined> {
    return this.follower(channel);
  }

  async audit(id: string, range: { fromSeq?: number; toSeq?: number } = {}): Promise<AuditEntry[]> {
    return (await this.files.get(id)?.audit(range)) ?? [];
  }

  async auditByRequest(id: string, requestId: string): Promise<AuditEntry | undefined> {
    return this.files.get(id)?.auditByRequest(requestId);
  }

  async outbox(id: string): Promise<OutboxMessage[]> {
    return (await this.files.get(id)?.outbox()) ?? [];
  }

  async claimDue(now: Date, limit: number, claim: ClaimRequest): Promise<ClaimedMessage[]> {
    this.assertOpen();
    const { holder, leaseMs, platforms } = checkClaim(now, limit, claim);
    await this.verifyReleasesWith((message) => isClaimable(message, now, platforms));
    const due: Array<{ releaseId: string; message: OutboxMessage; order: [number, number, number] }> = [];
    this.order.forEach((releaseId, releaseAt) => {
      const files = this.releaseFiles(releaseId);
      if (!isDeliverable(files)) return;
      files.currentOutbox().forEach((message, at) => {
        if (isClaimable(message, now, platforms)) due.push({ releaseId, message, order: [Date.parse(message.createdAt), releaseAt, at] });
      });
    });
    due.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
    return this.claims.claim(due, limit, now, holder, leaseMs);
  }

  async lease(name: string, holder: string, now: Date, ms: number): Promise<boolean> {
    this.assertOpen();
    checkLease(name, holder, now, ms);
    const current = this.leases.get(name);
    if (current && current.holder !== holder && current.until > now.getTime()) return false;
    this.leases.set(name, { holder, until: now.getTime() + ms });
    return true;
  }

  async create(release: Release, first: AuditEntry, outbox: OutboxMessage[]): Promise<void> {
    this.assertOpen();
    const id = (release as { id?: unknown } | null)?.id;
    // Checked before the id becomes a path: only a slug ever does.
    if (typeof id !== 'string' || !SLUG_PATTERN.test(id)) throw new StoreError(`${typeof id === 'string' ? `"${id}"` : 'the new release has no id, so it'} is not a valid release id`);
    if (this.files.has(id) || this.creating.has(id)) throw new StoreError(`a release with id "${id}" already exists`);
    const channels = Array.isArray(release.channels) ? release.channels : [];
    const releaseChannels = this.takeChannels(id, channels);
    const done = (async () => {
      try {
        await this.assertIndexUnchanged();
        // The files copy and validate what they are given; the caller keeps its objects.
        const files = await createReleaseFiles(this.releasesDir, { release, first, outbox }, this.releaseOptions);
        this.files.set(id, files);
        this.order.push(id);
      } finally {
        this.creating.delete(id);
        releaseChannels();
      }
    })();
    this.creating.set(id, done);
    await done;
    await this.saveIndexOrLog();
  }

  async transact<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T> {
    this.assertOpen();
    const creating = this.creating.get(id);
    // Queued at once unless the release is still being created: close() waits for what is queued.
    if (creating) await creating.catch(() => undefined);
    const files = this.files.get(id);
    if (!files) throw new StoreError(`there is no release with id "${id}"`);
    let summaryChanged = false;
    let ends: EndClaims | undefined;
    const result = await files.transact(
      async (current) => {
        const commit = await fn(current);
        ends = checkEndClaims(commit.endClaims, id);
        return commit;
      },
      {
        beforeWrite: async (next, current) => {
          summaryChanged = !sameSummary(summaryOf(current.release), summaryOf(next.release));
          const releaseChannels = this.takeChannels(
            id,
            next.release.channels.filter((channel) => !current.release.channels.some(sameChannel(channel))),
          );
          try {
            if (summaryChanged) await this.assertIndexUnchanged();
          } catch (error) {
            releaseChannels();
            throw error;
          }
          return releaseChannels;
        },
      },
    );
    // The outcome is durable: the claim needs no write of its own (json/outbox-claims.ts).
    if (ends) this.claims.end(id, ends);
    if (summaryChanged) await this.saveIndexOrLog();
    return result;
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await Promise.allSettled([...this.creating.values()]);
      // Also stops the sweep, at the next chunk of the log it is reading.
      await this.closeReleases();
      clearTimeout(this.sweepTimer);
      await this.sweeping;
      await this.claims?.idle();
      await this.indexWrites.idle();
      if (this.savedRevision < this.summaryRevision) await this.saveIndex();
    } finally {
      await this.lock.release();
    }
  }

  /**
   * Verifies every release not yet used, one at a time in the background, so a tampered record is
   * found (and quarantined, and logged) soon after start even if nobody asks about it. Stops at close().
   */
  startSweep(afterMs: number): void {
    // Not keeping the process alive: a console that quits before the sweep starts just ends.
    this.sweepTimer = setTimeout(() => (this.sweeping = this.sweep()), afterMs).unref();
  }

  private async sweep(): Promise<void> {
    for (const id of [...this.order]) {
      await nextTurn();
      if (this.closed) return;
      const files = this.files.get(id);
      if (!files || files.historyRead) continue;
      // A log that cannot be read now is read again at the release's first use, which reports it.
      await files.loadHistory().catch((error: unknown) => {
        if (!this.closed) this.log(`release "${id}": its audit log could not be verified after start (${reasonOf(error)}); it is tried again at the release's first use`);
      });
    }
  }

  /**
   * A quarantined release's messages are never delivered: before any is, its record is verified.
   * Only the releases with a message `wanted` are, so a pass with nothing to deliver reads no log.
   */
  private async verifyReleasesWith(wanted: (message: OutboxMessage) => boolean): Promise<void> {
    for (const id of this.order) {
      const files = this.releaseFiles(id);
      if (files.historyRead || !files.currentOutbox().some(wanted)) continue;
      // Left out of this pass (see isDeliverable) and tried again at the next.
      await files.loadHistory().catch((error: unknown) => this.log(`release "${id}": its messages wait, its audit log could not be verified (${reasonOf(error)})`));
    }
  }

  /** Waits for every release's writes under way; later ones are refused. */
  async closeReleases(): Promise<void> {
    await Promise.all([...this.files.values()].map((files) => files.close()));
  }

  private assertOpen(): void {
    if (this.closed) throw new StoreError('the store is closed');
  }

  /**
   * Claims `channels` for release `id` until the returned function is called, or throws
   * ChannelTakenError if another release follows one of them or is being written with it.
   * Synchronous on purpose: nothing can run between the check and the claim.
   */
  private takeChannels(id: string, channels: Channel[]): () => void {
    for (const channel of channels) {
      const inFlight = this.channelsInFlight.get(channelKey(channel));
      const follower = inFlight !== undefined && inFlight !== id ? inFlight : this.follower(channel, id);
      if (follower !== undefined) throw new ChannelTakenError(channel, follower);
    }
    const keys = channels.map(channelKey);
    for (const key of keys) this.channelsInFlight.set(key, id);
    return () => {
      for (const key of keys) if (this.channelsInFlight.get(key) === id) this.channelsInFlight.delete(key);
    };
  }

  // A write that changes a summary rewrites index.json after the release files: checked first, so
  // an index changed by something else refuses the whole change rather than half of it.
  private assertIndexUnchanged(): Promise<void> {
    return this.indexWrites.run('index', () => this.indexFile.assertUnchanged());
  }

  /** The release that follows `channel`, other than `except`. */
  private follower(channel: Channel, except?: string): string | undefined {
    return this.order.find((other) => other !== except && this.releaseFiles(other).current().release.channels.some(sameChannel(channel)));
  }

  private summaries(): ReleaseSummary[] {
    return this.order.map((id) => summaryOf(this.releaseFiles(id).current().release));
  }

  private releaseFiles(id: string): ReleaseFiles {
    const files = this.files.get(id);
    if (!files) throw new Error(`release "${id}" is listed but not loaded`);
    return files;
  }

  private stateFileOf(id: string): string {
    return join(this.releasesDir, `${id}.state.json`);
  }

  // Orders the loaded releases as the index says, adding back any release a crash left out of
  // it and refreshing stale summaries. Returns whether the index needs rewriting.
  private reconcileIndex(): boolean {
    const indexPath = join(this.dataDir, 'index.json');
    let repaired = false;
    for (const entry of this.index.data.releases) {
      if (!this.files.has(entry.id)) {
        const missing = this.stateFileOf(entry.id);
        throw new StoreError(`${indexPath}: lists release "${entry.id}", but ${missing} is missing`, missing);
      }
      this.order.push(entry.id);
      if (!sameSummary(entry, summaryOf(this.releaseFiles(entry.id).current().release))) {
        this.log(`${indexPath}: the entry for "${entry.id}" was out of date; updated it from ${this.stateFileOf(entry.id)}`);
        repaired = true;
      }
    }
    const listed = new Set(this.order);
    const orphans = [...this.files.keys()].filter((id) => !listed.has(id)).sort((a, b) => byCreation(this.releaseFiles(a).current().release, this.releaseFiles(b).current().release));
    for (const id of orphans) {
      this.log(`${this.stateFileOf(id)}: was missing from ${indexPath} (a write was interrupted); added it back`);
      this.order.push(id);
      repaired = true;
    }
    return repaired;
  }

  private saveIndex(): Promise<void> {
    const wanted = ++this.summaryRevision;
    return this.indexWrites.run('index', async () => {
      if (this.savedRevision >= wanted) return;
      const revision = this.summaryRevision;
      const data: IndexFile = { version: INDEX_VERSION, releases: this.summaries() };
      await this.index.adapter.write(data);
      this.index.data = data;
      this.savedRevision = revision;
    });
  }

  // Called once the release files are durable: that is the commit point, and a stale index is
  // repaired from the release files at open, so a failed index write is reported rather than undoing it.
  private async saveIndexOrLog(): Promise<void> {
    try {
      await this.saveIndex();
    } catch (error) {
      this.log(`${reasonOf(error)}; the index will be rewritten at the next change, at close, or repaired at the next start`);
    }
  }
}

function parserFor<S extends z.ZodType>(schema: S, file: string): (value: unknown) => z.output<S> {
  return (value) => {
    const result = schema.safeParse(value);
    if (!result.success) throw new StoreError(`${file}: ${problems(result.error)}`, file);
    return result.data;
  };
}

/** Verified, and not quarantined. */
function isDeliverable(files: ReleaseFiles): boolean {
  return files.historyRead && files.quarantine === undefined;
}

/**
 * `work` for each item, at most `atOnce` under way, results in the items' order. The first
 * rejection rejects, once everything started has settled, so nothing is left running.
 */
async function inTurns<T, R>(items: readonly T[], atOnce: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (next < items.length && !failed) {
      const at = next++;
      try {
        results[at] = await work(items[at]!);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(atOnce, items.length) }, worker));
  const rejected = settled.find((outcome) => outcome.status === 'rejected');
  if (rejected) throw (rejected as PromiseRejectedResult).reason;
  return results;
}

const SHOWN_PROBLEMS = 3;

// "releases.0.channels.1.id: ...", for the first few issues.
function problems(error: z.ZodError): string {
  const shown = error.issues.slice(0, SHOWN_PROBLEMS).map((issue) => {
    const where = issue.path.length > 0 ? issue.path.map(String).join('.') : '(top level)';
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

function summaryOf(release: Release): ReleaseSummary {
  const { id, name, channels } = release;
  return { id, name, channels: channels.map((channel) => ({ platform: channel.platform, id: channel.id })) };
}

function channelKey(channel: Channel): string {
  return `${channel.platform}:${channel.id}`;
}

function sameChannel(channel: Channel): (other: Channel) => boolean {
  return (other) => other.platform === channel.platform && other.id === channel.id;
}

function sameSummary(a: ReleaseSummary, b: ReleaseSummary): boolean {
  return (
    a.id === b.id &&
    a.name === b.name &&
    a.channels.length === b.channels.length &&
    a.channels.every((channel, at) => channel.platform === b.channels[at]!.platform && channel.id === b.channels[at]!.id)
  );
}

function byCreation(a: Release, b: Release): number {
  const at = Date.parse(a.createdAt) - Date.parse(b.createdAt);
  return at !== 0 ? at : a.id < b.id ? -1 : 1;
}

async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new StoreError(`${path}: cannot be created as the data folder (${reasonOf(error)})`, path);
  }
}

async function leftoverTemps(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true }).catch((error: unknown) => {
    throw new StoreError(`${folder}: cannot be read (${reasonOf(error)})`, folder);
  });
  return entries.filter((entry) => entry.isFile() && isTempFileName(entry.name)).map((entry) => join(folder, entry.name));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
