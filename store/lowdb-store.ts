import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { z } from 'zod';
import { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { RefusalTally } from '../src/app/refusal-tally.js';
import { ChannelTakenError, StoreError, type Commit, type Quarantine, type ReleaseSummary, type Store, type StoredRelease } from '../src/app/store-port.js';
import { AuditEntry, GENESIS_HASH } from '../src/domain/audit-entry.js';
import { SLUG_PATTERN, Slug } from '../src/domain/primitives.js';
import { Channel, Release } from '../src/domain/release.js';
import { DOCUMENT_VERSION, ReleaseDocument } from './release-document.js';
import { DurableJsonFile, isTempFileName, nodeFs, type DurableFs } from './durable-json-file.js';
import { lockFolder, type FolderLock } from './folder-lock.js';
import { KeyedQueue } from './keyed-queue.js';

// Layout: <dataDir>/index.json lists the releases in creation order with what list() and
// findByChannel() need; <dataDir>/releases/<id>.json holds one ReleaseDocument (the release, its
// audit chain, outbox and counted refusals). A transaction rewrites that one document, so its
// cost does not grow with the number of releases (it does with the release's history).
// A release file is the truth: the index is rewritten only when a summary changes, and is
// repaired from the release files at open if a crash left it behind. <dataDir>/golive.lock
// keeps a second golive out of the folder while this one has it open.

const INDEX_VERSION = 1;

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
  /** Told about repairs made at open (a release missing from the index, a leftover temp file, a stale lock taken over). */
  log?: StoreLog;
  /** The file operations behind every read and durable write; tests wrap them. */
  fs?: DurableFs;
  /**
   * Checks each release's record when the store opens; one that fails is quarantined (kept
   * readable, never written) instead of stopping the store, so the other releases keep working.
   */
  verify?: (doc: ReleaseDocument) => Quarantine | undefined;
}

type ReleaseFile = Low<ReleaseDocument | null>;

/**
 * Opens (or starts) a store in `dataDir`, which it locks until close(): while another golive has
 * it open, this rejects with a StoreError naming that one. Every file is read and validated
 * first: one that does not parse or validate rejects with a StoreError naming it, and nothing on
 * disk is touched.
 */
export async function openLowdbStore(dataDir: string, options: LowdbStoreOptions | StoreLog = {}): Promise<Store> {
  const { log = () => undefined, fs = nodeFs, verify = () => undefined } = typeof options === 'function' ? { log: options } : options;
  const lock = await lockFolder(dataDir, log);
  const store = new LowdbStore(dataDir, fs, log, verify, lock);
  try {
    await store.load();
  } catch (error) {
    await lock.release();
    throw error;
  }
  return store;
}

class LowdbStore implements Store {
  private readonly releasesDir: string;
  private readonly index: Low<IndexFile>;
  private readonly indexFile: DurableJsonFile<IndexFile>;
  private readonly files = new Map<string, ReleaseFile>();
  private readonly order: string[] = [];
  private readonly creating = new Set<string>();
  private readonly quarantined = new Map<string, Quarantine>();
  // Channels being written right now, to the release writing them: taken synchronously before
  // the awaited write, so of two writes racing for one channel the second sees the first.
  private readonly channelsInFlight = new Map<string, string>();
  private readonly releaseWrites = new KeyedQueue();
  private readonly indexWrites = new KeyedQueue();
  // Bumped whenever a summary changes; an index write records the revision it saved, so queued
  // index writes that an earlier one already covered are skipped, and close() can retry a failed one.
  private summaryRevision = 0;
  private savedRevision = 0;
  private closed = false;

  constructor(
    private readonly dataDir: string,
    private readonly fs: DurableFs,
    private readonly log: StoreLog,
    private readonly verify: (doc: ReleaseDocument) => Quarantine | undefined,
    private readonly lock: FolderLock,
  ) {
    this.releasesDir = join(dataDir, 'releases');
    this.indexFile = new DurableJsonFile(join(dataDir, 'index.json'), parserFor(IndexFile, join(dataDir, 'index.json')), fs);
    this.index = new Low(this.indexFile, { version: INDEX_VERSION, releases: [] });
  }

  async load(): Promise<void> {
    await makeFolder(this.releasesDir);
    await this.index.read();
    const temps = [...(await leftoverTemps(this.dataDir)), ...(await leftoverTemps(this.releasesDir))];
    for (const id of await this.releaseIdsOnDisk()) {
      const file = this.fileFor(id);
      await file.read();
      const holds = file.data?.release.id;
      if (holds === undefined) throw new StoreError(`${this.pathOf(id)}: disappeared while the store was opening`, this.pathOf(id));
      if (holds !== id) throw new StoreError(`${this.pathOf(id)}: holds release "${holds}", but its file name says "${id}"`, this.pathOf(id));
      this.files.set(id, file);
      markIfNumbered(file.data!.audit);
      const problem = this.verify(file.data!);
      if (problem) {
        this.quarantined.set(id, problem);
        this.log(`${this.pathOf(id)}: quarantined, its record fails verification at entry ${problem.seq}: ${problem.message}`);
      }
    }
    const repaired = this.reconcileIndex();
    // Only now that every file has loaded may anything on disk change.
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
    const doc = this.loaded(id);
    return doc && storedOf(doc);
  }

  async quarantine(id: string): Promise<Quarantine | undefined> {
    const quarantine = this.quarantined.get(id);
    return quarantine && { ...quarantine };
  }

  async findByChannel(channel: Channel): Promise<string | undefined> {
    return this.follower(channel);
  }

  async audit(id: string, range: { fromSeq?: number; toSeq?: number } = {}): Promise<AuditEntry[]> {
    return structuredClone(entriesIn(this.loaded(id)?.audit ?? [], range));
  }

  async auditByRequest(id: string, requestId: string): Promise<AuditEntry | undefined> {
    const entry = this.loaded(id)?.audit.find((candidate) => candidate.request === requestId);
    return entry && structuredClone(entry);
  }

  async outbox(id: string): Promise<OutboxMessage[]> {
    return structuredClone(this.loaded(id)?.outbox ?? []);
  }

  async dueOutbox(now: Date, limit: number): Promise<Array<{ releaseId: string; message: OutboxMessage }>> {
    const due: Array<{ releaseId: string; message: OutboxMessage; order: [number, number, number] }> = [];
    this.order.forEach((releaseId, releaseAt) => {
      this.document(releaseId).outbox.forEach((message, at) => {
        if (isDue(message, now)) due.push({ releaseId, message, order: [Date.parse(message.createdAt), releaseAt, at] });
      });
    });
    due.sort((a, b) => a.order[0] - b.order[0] || a.order[1] - b.order[1] || a.order[2] - b.order[2]);
    return due.slice(0, Math.max(0, limit)).map(({ releaseId, message }) => ({ releaseId, message: structuredClone(message) }));
  }

  async create(release: Release, first: AuditEntry, outbox: OutboxMessage[]): Promise<void> {
    this.assertOpen();
    const next = validated(structuredClone({ version: DOCUMENT_VERSION, release, audit: [first], outbox }), `the new release${describeId({ release })}`);
    const id = next.release.id;
    // Checked before the id becomes a path: only a slug ever does.
    if (!SLUG_PATTERN.test(id)) throw new StoreError(`"${id}" is not a valid release id`);
    if (this.files.has(id) || this.creating.has(id)) throw new StoreError(`a release with id "${id}" already exists`);
    assertContinues(id, undefined, next.audit);
    numbered.add(next.audit);
    const releaseChannels = this.takeChannels(id, next.release.channels);
    this.creating.add(id);
    try {
      await this.releaseWrites.run(id, async () => {
        await this.assertIndexUnchanged();
        const file = this.fileFor(id);
        await file.adapter.write(next);
        file.data = next;
        this.files.set(id, file);
        this.order.push(id);
      });
    } finally {
      this.creating.delete(id);
      releaseChannels();
    }
    await this.saveIndexOrLog();
  }

  async transact<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T> {
    this.assertOpen();
    return this.releaseWrites.run(id, async () => {
      const file = this.files.get(id);
      const current = file?.data;
      if (!file || !current) throw new StoreError(`there is no release with id "${id}"`);
      const quarantined = this.quarantined.get(id);
      // A record that failed verification is evidence: nothing is ever written over it.
      if (quarantined) throw new StoreError(`release "${id}" is read-only: its record fails verification at entry ${quarantined.seq}`);
      // fn gets its own copy; the saved document stays as it is until the new one is durable.
      const commit = await fn(storedOf(current));
      const next = committed(id, current, commit);
      if (next === current) return commit.result;
      const summaryChanged = !sameSummary(summaryOf(current), summaryOf(next));
      const releaseChannels = this.takeChannels(
        id,
        next.release.channels.filter((channel) => !current.release.channels.some(sameChannel(channel))),
      );
      try {
        if (summaryChanged) await this.assertIndexUnchanged();
        // Low.write() would show the new data to readers before it is durable: write through the
        // adapter and replace the in-memory copy only once the write succeeded.
        await file.adapter.write(next);
        file.data = next;
      } finally {
        releaseChannels();
      }
      if (summaryChanged) await this.saveIndexOrLog();
      return commit.result;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    try {
      await this.releaseWrites.idle();
      await this.indexWrites.idle();
      if (this.savedRevision < this.summaryRevision) await this.saveIndex();
    } finally {
      await this.lock.release();
    }
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

  // A write that changes a summary rewrites index.json after the release file: checked first, so
  // an index changed by something else refuses the whole change rather than half of it.
  private assertIndexUnchanged(): Promise<void> {
    return this.indexWrites.run('index', () => this.indexFile.assertUnchanged());
  }

  /** The release that follows `channel`, other than `except`. */
  private follower(channel: Channel, except?: string): string | undefined {
    return this.order.find((other) => other !== except && this.document(other).release.channels.some(sameChannel(channel)));
  }

  private summaries(): ReleaseSummary[] {
    return this.order.map((id) => summaryOf(this.document(id)));
  }

  private loaded(id: string): ReleaseDocument | undefined {
    return this.files.get(id)?.data ?? undefined;
  }

  private document(id: string): ReleaseDocument {
    const doc = this.files.get(id)?.data;
    if (!doc) throw new Error(`release "${id}" is listed but not loaded`);
    return doc;
  }

  private pathOf(id: string): string {
    // Defence in depth: whatever validated the id before, only a slug becomes a path.
    if (!SLUG_PATTERN.test(id)) throw new StoreError(`"${id}" is not a valid release id`);
    return join(this.releasesDir, `${id}.json`);
  }

  private fileFor(id: string): ReleaseFile {
    const path = this.pathOf(id);
    return new Low<ReleaseDocument | null>(new DurableJsonFile<ReleaseDocument | null>(path, parserFor(ReleaseDocument, path), this.fs), null);
  }

  private async releaseIdsOnDisk(): Promise<string[]> {
    const ids: string[] = [];
    for (const entry of await listFolder(this.releasesDir)) {
      if (isTempFileName(entry.name)) continue;
      const path = join(this.releasesDir, entry.name);
      if (!entry.isFile() || !entry.name.endsWith('.json')) {
        this.log(`${path}: ignored, it is not a release file`);
        continue;
      }
      const id = entry.name.slice(0, -'.json'.length);
      if (!SLUG_PATTERN.test(id)) {
        throw new StoreError(`${path}: the file name is not a valid release id (lower-case letters, digits and dashes, at most 63)`, path);
      }
      ids.push(id);
    }
    return ids;
  }

  // Orders the loaded releases as the index says, adding back any release a crash left out of
  // it and refreshing stale summaries. Returns whether the index needs rewriting.
  private reconcileIndex(): boolean {
    const indexPath = join(this.dataDir, 'index.json');
    let repaired = false;
    for (const entry of this.index.data.releases) {
      const file = this.files.get(entry.id);
      if (!file) throw new StoreError(`${indexPath}: lists release "${entry.id}", but ${this.pathOf(entry.id)} is missing`, this.pathOf(entry.id));
      this.order.push(entry.id);
      if (!sameSummary(entry, summaryOf(this.document(entry.id)))) {
        this.log(`${indexPath}: the entry for "${entry.id}" was out of date; updated it from ${this.pathOf(entry.id)}`);
        repaired = true;
      }
    }
    const listed = new Set(this.order);
    const orphans = [...this.files.keys()].filter((id) => !listed.has(id)).sort((a, b) => byCreation(this.document(a), this.document(b)));
    for (const id of orphans) {
      this.log(`${this.pathOf(id)}: was missing from ${indexPath} (a write was interrupted); added it back`);
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

  // Called once the release file is durable: that is the commit point, and a stale index is
  // repaired from the release files, so a failed index write is reported rather than undoing it.
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

function validated(doc: unknown, label: string): ReleaseDocument {
  return checked(ReleaseDocument, doc, label);
}

// `at` is where the value sits in the document, so a problem is named as it would be in the file.
function checked<S extends z.ZodType>(schema: S, value: unknown, label: string, at: Array<string | number> = []): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new StoreError(`${label} is not valid: ${problems(result.error, at)}`);
  return result.data;
}

/** A copy of what callers see of a release: never the saved objects themselves. */
function storedOf(doc: ReleaseDocument): StoredRelease {
  const head = doc.audit.at(-1);
  return structuredClone({ release: doc.release, ...(head && { head }), ...(doc.refusals && { refusals: doc.refusals }) });
}

/**
 * The document after `commit`, checked part by part (only what the commit brings: the rest was
 * checked when it was written), or `current` itself when the commit changes nothing.
 */
function committed(id: string, current: ReleaseDocument, commit: Commit<unknown>): ReleaseDocument {
  // Copied first: what the caller keeps (an entry's before/after, say) must not reach the saved document.
  const { release, append = [], outbox = [], refusals } = structuredClone({ release: commit.release, append: commit.append, outbox: commit.outbox, refusals: commit.refusals });
  if (release === undefined && append.length === 0 && outbox.length === 0 && refusals === undefined) return current;
  const next: ReleaseDocument = { ...current };
  if (release !== undefined) {
    next.release = checked(Release, release, `release "${id}"`, ['release']);
    if (next.release.id !== id) throw new StoreError(`release "${id}" cannot change its id to "${next.release.id}"`);
  }
  if (append.length > 0) {
    const entries = append.map((entry, at) => checked(AuditEntry, entry, `release "${id}"`, ['audit', current.audit.length + at]));
    assertContinues(id, current.audit.at(-1), entries);
    next.audit = [...current.audit, ...entries];
    if (numbered.has(current.audit)) numbered.add(next.audit);
  }
  if (outbox.length > 0) {
    const messages = [...current.outbox];
    const at = new Map(messages.map((message, index) => [message.id, index]));
    for (const unchecked of outbox) {
      const known = typeof unchecked.id === 'string' ? at.get(unchecked.id) : undefined;
      const message = checked(OutboxMessage, unchecked, `release "${id}"`, ['outbox', known ?? messages.length]);
      const index = at.get(message.id);
      if (index === undefined) {
        at.set(message.id, messages.length);
        messages.push(message);
      } else messages[index] = message;
    }
    next.outbox = messages;
  }
  if (refusals === null) delete next.refusals;
  else if (refusals !== undefined) next.refusals = checked(RefusalTally, refusals, `release "${id}"`, ['refusals']);
  return next;
}

/** Entries go on the end of the chain, each sealed after the one before: anything else is refused. */
function assertContinues(id: string, head: AuditEntry | undefined, entries: readonly AuditEntry[]): void {
  let prev = head;
  for (const entry of entries) {
    const seq = (prev?.seq ?? 0) + 1;
    if (entry.seq !== seq || entry.prevHash !== (prev?.hash ?? GENESIS_HASH)) {
      throw new StoreError(`release "${id}": audit entry ${entry.seq} does not continue the chain (the next entry must be ${seq}, sealed after ${prev ? `entry ${prev.seq}` : 'the start'})`);
    }
    prev = entry;
  }
}

// Chains whose entry n sits at index n - 1, as every chain this store writes does (appends must
// continue the chain): a range of them is a slice. A chain read from disk is checked once at open.
const numbered = new WeakSet<readonly AuditEntry[]>();

function markIfNumbered(chain: readonly AuditEntry[]): void {
  if (chain.every((entry, at) => entry.seq === at + 1)) numbered.add(chain);
}

/** The entries of `chain` numbered within the inclusive bounds, in chain order. */
function entriesIn(chain: readonly AuditEntry[], { fromSeq = 1, toSeq = Infinity }: { fromSeq?: number; toSeq?: number }): AuditEntry[] {
  if (!numbered.has(chain)) return chain.filter((entry) => entry.seq >= fromSeq && entry.seq <= toSeq);
  const start = Math.max(0, Math.ceil(fromSeq) - 1);
  const end = Math.min(chain.length, Math.floor(toSeq));
  return start < end ? chain.slice(start, end) : [];
}

function isDue(message: OutboxMessage, now: Date): boolean {
  return message.status === 'pending' && (message.nextAttemptAt === undefined || Date.parse(message.nextAttemptAt) <= now.getTime());
}

const SHOWN_PROBLEMS = 3;

// "release.criteria.0.responses.1.at: must be an ISO 8601 timestamp", for the first few issues.
function problems(error: z.ZodError, at: Array<string | number> = []): string {
  const shown = error.issues.slice(0, SHOWN_PROBLEMS).map((issue) => {
    const path = [...at, ...issue.path];
    const where = path.length > 0 ? path.map(String).join('.') : '(top level)';
    return `${where}: ${issue.message}`;
  });
  const more = error.issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (and ${more} more)` : '');
}

function describeId(doc: unknown): string {
  const id = (doc as { release?: { id?: unknown } } | null)?.release?.id;
  return typeof id === 'string' ? ` "${id}"` : '';
}

function summaryOf(doc: ReleaseDocument): ReleaseSummary {
  const { id, name, channels } = doc.release;
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

function byCreation(a: ReleaseDocument, b: ReleaseDocument): number {
  const at = Date.parse(a.release.createdAt) - Date.parse(b.release.createdAt);
  return at !== 0 ? at : a.release.id < b.release.id ? -1 : 1;
}

async function makeFolder(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true });
  } catch (error) {
    throw new StoreError(`${path}: cannot be created as the data folder (${reasonOf(error)})`, path);
  }
}

async function listFolder(path: string) {
  try {
    return (await readdir(path, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1));
  } catch (error) {
    throw new StoreError(`${path}: cannot be read (${reasonOf(error)})`, path);
  }
}

async function leftoverTemps(folder: string): Promise<string[]> {
  return (await listFolder(folder)).filter((entry) => entry.isFile() && isTempFileName(entry.name)).map((entry) => join(folder, entry.name));
}

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
