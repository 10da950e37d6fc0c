import { deepFreeze } from '../../src/domain/deep-freeze.js';
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { StoreError, type Quarantine } from '../../src/app/store-port.js';
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import { canonicalJson, stateHashOf } from '../../src/domain/audit.js';
import type { Release } from '../../src/domain/release.js';
import { verifyRecord } from '../../src/domain/record-verify.js';
import { RecordStream } from '../../src/domain/record-stream.js';
import { AuditIndex } from './audit-log.js';
import { planCommit, type CommitPlan } from './commit-plan.js';
import { convertV1, exists } from './convert-v1.js';
import { OutboxState, outboxLine } from './outbox-log.js';
import { readHistory } from './release-history.js';
import { digestOf, loadRelease, type LoadContext, type Loaded } from './release-load.js';
import type { StringShare } from './shared-strings.js';
import { nodeReleaseFs, reasonOf, type ReleaseFs } from './release-fs.js';
import { releasePaths, scanNames, tempPathFor, type FolderScan, type ReleasePaths } from './release-paths.js';
import { stateFileOf, storedOf, type StateFile } from './state-file.js';
import type { AuditedRecord, Commit, RecordCheck, StoredRelease } from './stored-release.js';
import { nextTurn } from '../../src/next-turn.js';

// One release on disk, append-only (issue 9). In the releases folder:
//
//   <id>.state.json       {version: 2, revision, release, head, refusals?}: small, replaced whole
//                         (written, fsynced, renamed into place, folder fsynced) by each commit
//                         that changes it; `revision` counts those commits.
//   <id>.audit.jsonl      one AuditEntry a line (canonical JSON), appended and fsynced, never rewritten.
//   <id>.outbox.jsonl     {revision, messages} a line, one line per commit that touched the outbox;
//                         a message's newest version wins. Rewritten whole (temp, fsync, rename)
//                         only once three message versions in four are superseded.
//   <id>.state.next.json  only while a commit is under way: the state it will install.
//
// A commit, each step on disk (fsynced) before the next begins:
//   1. the new state (revision + 1) to <id>.state.next.json; when the commit has audit entries,
//      the folder is fsynced too, so the file cannot vanish in a power cut once the entries are in;
//   2. the outbox line, tagged with the revision the commit leaves the state at;
//   3. the audit entries, appended to the log;
//   4. the next state renamed over the state; the folder fsynced.
// Steps are left out when they have nothing to write. The commit point is the last entry's line
// in the log for a commit with entries, the rename for one that changes only the refusal tally,
// and the outbox line for one that changes only the outbox (tagged with the current revision).
//
// Recovery, at open (recovery.ts decides, release-load.ts applies), from the log's last complete entry
// (read from the end of the file alone; the whole log only when something is to be put right):
//   - it is the next state's head, not the state's: the commit reached the log; finish step 4;
//   - it is the state's head: a next-state file (whole or torn) is from a commit that never reached
//     its commit point; remove it;
//   - it comes after the state's head but before the next state's: the log holds only the first
//     entries of a commit that never completed; cut them and remove the next-state file;
//   - a last line not ended by a newline, or not JSON, is torn and cut, as no state refers to it;
//   - outbox lines tagged with a revision the state never reached (always the last ones), and a
//     torn last outbox line, were written by a commit that did not happen: cut;
//   - anything else (the state's head missing from the log, entries after it with no commit under
//     way to explain them) is damage, not a crash: the release is quarantined and nothing is touched.
// The next-state file is what lets recovery go forward: an entry seals the state by its hash but
// does not hold it, so the state an entry in the log seals must already be on disk beside it.
//
// A create writes the next state, the outbox and the log (each a new file), fsyncs the folder and
// renames next to state. With no state file, a log holding the next state's head finishes that
// rename; otherwise the create never happened and its files are removed. A version-1 document is
// converted the same way (convert-v1.ts), then renamed <id>.v1.json.bak.
//
// A commit that fails in this process (an I/O error at any step) runs the same recovery at once:
// it resolves if the files show the commit whole, and rejects if they show none of it; if that
// recovery fails too, the release takes no more writes until golive restarts (and recovers it).

export interface ReleaseFilesOptions {
  /** The file operations behind every read and write; tests wrap them. */
  fs?: ReleaseFs;
  /** Told about repairs: a commit finished or undone after a crash, a conversion, a compaction that failed. */
  log?: (message: string) => void;
  /**
   * Checks the record once its log is read; one that fails is quarantined (readable, never
   * written). Defaults to verifyRecord without a key: pass the app's policy (record-check.ts).
   */
  verify?: RecordCheck;
  /**
   * Read the log and verify the record at the release's first use (loadHistory(): any read of its
   * history, any write, or the store asking for its verdict) rather than at open, unless a crash
   * is to be put right. Default false: open reads and verifies everything.
   */
  deferLog?: boolean;
  /** The outbox file is compacted once at least this many bytes (default 64 KiB) and mostly superseded. */
  compactOutboxAt?: number;
}

export interface WriteHooks {
  /**
   * Called once a commit is validated, before anything is written, with the state it will leave
   * and the one it started from (neither to be changed): where the store claims the channels a
   * write adds, or checks its index file. It may throw (or reject) to refuse the commit, and
   * nothing is written; a function it returns is called once the write has settled either way.
   */
  beforeWrite?: (next: StoredRelease, current: StoredRelease) => Settle | Promise<Settle>;
}

export type Settle = (() => void) | undefined;

/** A release as create() takes it: the state, the entry that created it, its first messages. */
export interface NewRelease {
  release: Release;
  first: AuditEntry;
  outbox: OutboxMessage[];
}

const DEFAULT_COMPACT_AT = 64 * 1024;

/** The release ids with files in `folder` (a version-1 document counts), and names that belong to none. */
export async function scanReleaseFolder(folder: string, fs: ReleaseFs = nodeReleaseFs): Promise<FolderScan> {
  try {
    return scanNames(await fs.list(folder));
  } catch (error) {
    throw new StoreError(`${folder}: cannot be read (${reasonOf(error)})`, folder);
  }
}

/**
 * Opens release `id` in `folder`: converts a version-1 document first, then recovers what a crash
 * left and indexes the log. Undefined when the release has no files (or its create never
 * completed). A file that does not parse rejects with a StoreError naming it.
 */
export function openReleaseFiles(folder: string, id: string, options: ReleaseFilesOptions = {}, listed?: Listed): Promise<ReleaseFiles | undefined> {
  return ReleaseFiles.open(folder, id, options, listed);
}

/** What a listing of the folder, made just before, showed: files it did not show are not read for. */
export interface Listed {
  names: ReadonlySet<string>;
  /** This release's temp files. */
  temps: readonly string[];
  /** Shared by the releases opened together, so equal long texts are held once. */
  share?: StringShare;
}

/**
 * Creates release `init.release.id` in `folder`: next state, outbox and log (each created new),
 * the folder fsynced, then the rename that makes it exist. Rejects with a StoreError if any of its
 * files exists, if a part is invalid, or if the write fails (a half-made create is removed again).
 */
export function createReleaseFiles(folder: string, init: NewRelease, options: ReleaseFilesOptions = {}): Promise<ReleaseFiles> {
  return ReleaseFiles.create(folder, init, options);
}

/**
 * One release's files. Reads are served from memory (state, outbox) or read from the log by
 * offset (audit entries); writes go through transact(), one at a time, each atomic and durable
 * before its promise resolves. What the async methods return is the caller's own copy;
 * current() and currentOutbox() share the committed objects, for callers that only look.
 */
export class ReleaseFiles {
  private readonly fs: ReleaseFs;
  private readonly log: (message: string) => void;
  private readonly verify: RecordCheck;
  private readonly compactAt: number;
  private readonly deferLog: boolean;
  private loaded!: Loaded;
  // The log being read and the record verified, when open left that for later.
  private history: Promise<void> | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  // Why writes are refused until a restart: a failed write whose files could not be checked.
  private broken: string | undefined;
  private closed = false;

  private constructor(
    readonly paths: ReleasePaths,
    options: ReleaseFilesOptions,
  ) {
    this.fs = options.fs ?? nodeReleaseFs;
    this.log = options.log ?? (() => undefined);
    this.verify = options.verify ?? defaultVerify;
    this.compactAt = options.compactOutboxAt ?? DEFAULT_COMPACT_AT;
    this.deferLog = options.deferLog ?? false;
  }

  static async open(folder: string, id: string, options: ReleaseFilesOptions, listed?: Listed): Promise<ReleaseFiles | undefined> {
    const files = new ReleaseFiles(releasePaths(folder, id), options);
    const { paths } = files;
    // A conversion writes new files: the listing no longer shows them all.
    const converting = listed === undefined || listed.names.has(basename(paths.v1));
    try {
      if (converting) await convertV1(paths, files.fs, files.log);
    } catch (error) {
      throw error instanceof StoreError ? error : new StoreError(`${paths.v1}: could not be converted (${reasonOf(error)})`, paths.v1);
    }
    const known = listed && !converting ? { temps: listed.temps, hasNext: listed.names.has(basename(paths.next)) } : {};
    const share = listed?.share && { share: listed.share };
    return (await files.reload({ deferLog: files.deferLog, ...known, ...share })) ? files : undefined;
  }

  static async create(folder: string, init: NewRelease, options: ReleaseFilesOptions): Promise<ReleaseFiles> {
    const files = new ReleaseFiles(releasePaths(folder, init.release.id), options);
    const { paths, fs } = files;
    for (const file of [paths.state, paths.next, paths.audit, paths.outbox, paths.v1]) {
      if (await exists(fs, file)) throw new StoreError(`a release with id "${paths.id}" already exists (${file})`, file);
    }
    // Planned as a commit onto an empty release, so it is validated exactly as every later write is.
    const base = stateFileOf({ release: init.release }, 0);
    const plan = planCommit(paths.id, base, stateHashOf(base.release), { release: init.release, append: [init.first], outbox: init.outbox, result: undefined });
    if (!plan?.next || plan.entries.length !== 1) throw new StoreError(`release "${paths.id}": a new release needs the one audit entry that creates it`);
    try {
      await fs.create(paths.next, plan.next.text);
      await fs.create(paths.outbox, plan.outboxText);
      await fs.create(paths.audit, plan.entriesText);
      await fs.syncFolder(paths.folder);
      await fs.rename(paths.next, paths.state);
      await fs.syncFolder(paths.folder);
    } catch (error) {
      let created: boolean;
      try {
        created = await files.reload();
        // The step that failed may have been a sync: what the files show is durable only once synced again.
        if (created) await files.syncAll();
      } catch (again) {
        throw new StoreError(`release "${paths.id}" could not be created (${reasonOf(error)}), and its files could not be checked afterwards (${reasonOf(again)}); the next start puts them right`);
      }
      if (!created) throw new StoreError(`release "${paths.id}" could not be created (${reasonOf(error)}); nothing was saved`);
      files.log(`release "${paths.id}": a step of its creation failed (${reasonOf(error)}), but its files show it complete`);
      return files;
    }
    files.adopt(base, plan);
    return files;
  }

  get id(): string {
    return this.paths.id;
  }

  /**
   * Why the release is read-only: its record failed verification, or its files did not fit
   * together. Known for certain once historyRead; await loadHistory() first for the verdict.
   */
  get quarantine(): Quarantine | undefined {
    return this.loaded.quarantine;
  }

  /** Whether the log has been read and the record verified (at open, or by loadHistory()). */
  get historyRead(): boolean {
    return this.loaded.index !== undefined;
  }

  /**
   * Reads the log, indexes it and verifies the record, if open left that for later; a record that
   * fails is quarantined, as it would have been at open. Once only, however many ask at once; a
   * read that fails (an I/O error) rejects, and the next call tries again.
   */
  loadHistory(): Promise<void> {
    if (this.loaded.index) return Promise.resolve();
    this.history ??= this.readHistoryNow().finally(() => {
      this.history = undefined;
    });
    return this.history;
  }

  /** The committed state, shared: for a caller that only looks (list, channels, due messages), never changes it. */
  current(): StoredRelease {
    return storedOf(this.loaded.state);
  }

  /** The committed outbox, shared, in the order messages were first written; never to be changed. */
  currentOutbox(): OutboxMessage[] {
    return [...this.loaded.outbox.messages.values()];
  }

  async get(): Promise<StoredRelease> {
    return structuredClone(this.current());
  }

  /**
   * The committed state, deep-frozen and shared: no copy per read. Safe because a commit never
   * changes the committed object, it replaces it (see apply), so a later write gives readers a new
   * object and the one handed out here keeps meaning the version it was.
   */
  shared(): StoredRelease {
    return Object.freeze(deepFreeze(this.current()));
  }

  /** Audit entries in order; `fromSeq`/`toSeq` inclusive. Reads only the lines asked for. */
  async audit(range: { fromSeq?: number; toSeq?: number } = {}): Promise<AuditEntry[]> {
    const index = await this.readIndex();
    return index.read(this.fs, this.paths.audit, index.lines(range.fromSeq ?? Number.NEGATIVE_INFINITY, range.toSeq ?? Number.POSITIVE_INFINITY));
  }

  /** The first entry recording platform request `requestId`, if any. */
  async auditByRequest(requestId: string): Promise<AuditEntry | undefined> {
    const index = await this.readIndex();
    const line = index.lineOfRequest(requestId);
    return line === undefined ? undefined : (await index.read(this.fs, this.paths.audit, [line]))[0];
  }

  async outbox(): Promise<OutboxMessage[]> {
    return structuredClone(this.currentOutbox());
  }

  /**
   * Runs `fn` on a private copy of the latest committed state, after every earlier write to this
   * release has settled, and commits what it returns atomically. If `fn` throws, the commit is
   * invalid or the write fails, nothing changes and the promise rejects.
   */
  transact<T>(fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>, hooks: WriteHooks = {}): Promise<T> {
    // A write waits for the record to be verified: a release found tampered takes none.
    const run = this.queue.then(() => this.transactNow(fn, hooks));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Waits for writes under way; later ones are refused. */
  async close(): Promise<void> {
    this.closed = true;
    await this.queue;
    await this.history?.catch(() => undefined);
  }

  /** Reads the files again, recovering what a crash or failed write left; false when the release does not exist. */
  private async reload(options: Pick<LoadContext, 'deferLog' | 'temps' | 'hasNext' | 'share'> = {}): Promise<boolean> {
    const loaded = await loadRelease({ ...this.context(), ...options });
    if (!loaded) return false;
    this.loaded = loaded;
    return true;
  }

  private async readHistoryNow(): Promise<void> {
    const loaded = this.loaded;
    // A long log is given up at close(), between chunks: its verdict is needed by nobody then.
    const pause = async () => {
      await nextTurn();
      if (this.closed) throw new StoreError('the store is closed');
    };
    const history = await readHistory({ fs: this.fs, file: this.paths.audit, state: loaded.state, size: loaded.logSize, verify: this.verify, pause });
    // Nothing is written before the history is read, so the state it was read against is still the one loaded.
    loaded.index = history.index;
    const quarantine = history.quarantine;
    if (!quarantine) return;
    loaded.quarantine = quarantine;
    if (history.found === 'record') this.log(`${this.paths.audit}: quarantined (read-only), its record fails verification at entry ${quarantine.seq}: ${quarantine.message}`);
    else this.log(`${this.paths.state}: quarantined (read-only), its files do not fit together: ${quarantine.message}`);
  }

  private async readIndex(): Promise<AuditIndex> {
    await this.loadHistory();
    return this.loaded.index!;
  }

  /** Takes the state a create just wrote as loaded, without reading it back. */
  private adopt(base: StateFile, plan: CommitPlan): void {
    this.loaded = { state: base, stateHash: stateHashOf(base.release), stateDigest: '', index: new AuditIndex(), logSize: 0, outbox: new OutboxState() };
    this.applyToMemory(plan);
  }

  private context(): LoadContext {
    return { paths: this.paths, fs: this.fs, log: this.log, verify: this.verify };
  }

  private async transactNow<T>(fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>, hooks: WriteHooks): Promise<T> {
    // A write waits for the record to be verified: a release found tampered takes none.
    if (!this.historyRead) {
      this.assertWritable();
      await this.loadHistory();
    }
    this.assertWritable();
    const current = this.current();
    const commit = await fn(structuredClone(current));
    const plan = planCommit(this.id, this.loaded.state, (this.loaded.stateHash ??= stateHashOf(this.loaded.state.release)), commit);
    if (!plan) return commit.result;
    await this.assertUnchanged();
    const settle = await hooks.beforeWrite?.(plan.stored, current);
    try {
      await this.write(plan);
    } catch (error) {
      await this.recoverFrom(plan, error);
    } finally {
      settle?.();
    }
    await this.compactOutboxIfWorth();
    return commit.result;
  }

  private assertWritable(): void {
    if (this.closed) throw new StoreError('the store is closed');
    const quarantine = this.loaded.quarantine;
    // A record that failed verification is evidence: nothing is ever written over it.
    if (quarantine) throw new StoreError(`release "${this.id}" is read-only: its record fails verification at entry ${quarantine.seq}`);
    if (this.broken) throw new StoreError(`release "${this.id}" takes no more writes until golive restarts: ${this.broken}`);
  }

  // A file changed behind golive's back is never written over or appended to: compared by bytes
  // for the state (an edit within one timestamp tick keeps size and mtime), by size for the logs,
  // whose content the chain verification at the next start checks.
  private async assertUnchanged(): Promise<void> {
    const { paths, fs } = this;
    const changed = (file: string) =>
      new StoreError(`${file} was changed on disk by something other than this golive since it was loaded; nothing was written. Restart golive to load it again (start-up checks it).`, file);
    let text: string | undefined;
    let logSize: number | undefined;
    let outboxSize: number | undefined;
    try {
      text = (await fs.read(paths.state)).toString('utf8');
      logSize = await fs.size(paths.audit);
      outboxSize = await fs.size(paths.outbox);
    } catch {
      // Missing or unreadable: not the file this golive wrote.
    }
    if (text === undefined || digestOf(text) !== this.loaded.stateDigest) throw changed(paths.state);
    if (logSize !== this.loaded.index!.size) throw changed(paths.audit);
    if (outboxSize !== this.loaded.outbox.size) throw changed(paths.outbox);
  }

  private async write(plan: CommitPlan): Promise<void> {
    const { paths, fs } = this;
    if (plan.next) {
      await fs.create(paths.next, plan.next.text);
      if (plan.entries.length > 0) await fs.syncFolder(paths.folder);
    }
    if (plan.outboxText) await fs.append(paths.outbox, plan.outboxText);
    if (plan.entriesText) await fs.append(paths.audit, plan.entriesText);
    if (plan.next) {
      await fs.rename(paths.next, paths.state);
      await fs.syncFolder(paths.folder);
    }
    this.applyToMemory(plan);
  }

  private applyToMemory(plan: CommitPlan): void {
    const loaded = this.loaded;
    if (plan.next) {
      loaded.state = plan.next.state;
      loaded.stateHash = stateHashOf(plan.next.state.release);
      loaded.stateDigest = digestOf(plan.next.text);
    }
    loaded.index!.add(plan.entries, plan.entryBytes);
    loaded.outbox.apply(plan.outbox, Buffer.byteLength(plan.outboxText));
  }

  // The files decide: recovery makes them whole again, and the commit happened if they show it.
  private async recoverFrom(plan: CommitPlan, error: unknown): Promise<void> {
    const reason = reasonOf(error);
    let shown = false;
    try {
      if (!(await this.reload())) throw new Error('its state file is gone');
      shown = this.shows(plan);
      if (shown) await this.syncAll();
    } catch (again) {
      this.broken = `a write failed (${reason}) and its files could not be checked afterwards (${reasonOf(again)})`;
      throw new StoreError(`release "${this.id}": ${this.broken}; it takes no more writes until golive restarts, which puts its files right`);
    }
    if (shown) {
      this.log(`release "${this.id}": a step of a write failed (${reason}), but its files show the write complete`);
      return;
    }
    throw new StoreError(`release "${this.id}" could not be saved (${reason}); nothing was changed`);
  }

  /** Flushes the release's files and their folder: after a failed step, what they show is durable only once synced again. */
  private async syncAll(): Promise<void> {
    const { paths, fs } = this;
    for (const file of [paths.state, paths.audit, paths.outbox]) await fs.syncFile(file);
    await fs.syncFolder(paths.folder);
  }

  private shows(plan: CommitPlan): boolean {
    if (plan.next) return this.loaded.stateDigest === digestOf(plan.next.text);
    const messages = this.loaded.outbox.messages;
    return plan.outbox.every((message) => canonicalJson(messages.get(message.id) ?? null) === canonicalJson(message));
  }

  // Rewrites the outbox file as one line of the newest versions. A failure leaves the old file,
  // which is as good, so it is only logged.
  private async compactOutboxIfWorth(): Promise<void> {
    const { paths, fs } = this;
    const outbox = this.loaded.outbox;
    if (!outbox.worthCompacting(this.compactAt)) return;
    const text = outboxLine(this.loaded.state.revision, [...outbox.messages.values()]);
    const temp = tempPathFor(paths.folder, paths.id, 'outbox.jsonl', randomUUID());
    try {
      if ((await fs.size(paths.outbox)) !== outbox.size) throw new Error(`${paths.outbox} was changed on disk by something other than this golive`);
      await fs.create(temp, text);
      await fs.rename(temp, paths.outbox);
    } catch (error) {
      await fs.unlink(temp).catch(() => undefined);
      this.log(`${paths.outbox}: not compacted (${reasonOf(error)}); it stays as it was`);
      return;
    }
    outbox.size = Buffer.byteLength(text);
    outbox.versions = outbox.messages.size;
    await fs.syncFolder(paths.folder).catch((error: unknown) => this.log(`${paths.folder}: could not be flushed after compacting ${paths.outbox} (${reasonOf(error)})`));
  }
}

const defaultVerify: RecordCheck = Object.assign(
  (record: AuditedRecord): Quarantine | undefined => {
    const verdict = verifyRecord(record);
    return verdict.ok ? undefined : { seq: verdict.seq, message: verdict.message };
  },
  {
    streaming: () => {
      const stream = new RecordStream();
      return { add: (entry: AuditEntry) => stream.add(entry), passes: ({ release }: Pick<AuditedRecord, 'release'>) => stream.verdict(release) !== undefined };
    },
  },
);
