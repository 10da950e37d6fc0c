import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { StoreError, type Quarantine } from '../../src/app/store-port.js';
import { AuditIndex, lastEntry, parseLog } from './audit-log.js';
import { OutboxState, parseOutbox } from './outbox-log.js';
import { isTempOf, type ReleasePaths } from './release-paths.js';
import { isCode, reasonOf, type ReleaseFs } from './release-fs.js';
import { planRecovery, same, type FoundNext, type Recovery } from './recovery.js';
import type { StringShare } from './shared-strings.js';
import { StateFile } from './state-file.js';
import { stateHashOf } from '../../src/domain/audit.js';
import { AuditEntry } from '../../src/domain/audit-entry.js';
import type { RecordCheck } from './stored-release.js';

/** One release as held in memory between writes. */
export interface Loaded {
  state: StateFile;
  /** stateHashOf(state.release), kept so a write need not hash the release it starts from; worked out at the first write. */
  stateHash?: string;
  /** sha256 of the state file's text as last read or written: anything else there was written behind golive's back. */
  stateDigest: string;
  /** Undefined until the log is read (release-history.ts): `logSize` is then its size at open. */
  index?: AuditIndex;
  logSize: number;
  outbox: OutboxState;
  quarantine?: Quarantine;
}

export interface LoadContext {
  paths: ReleasePaths;
  fs: ReleaseFs;
  log: (message: string) => void;
  verify: RecordCheck;
  /**
   * Leave the log unread when no crash is to be put right (its last line is the state's head, and
   * no commit was under way): it is read and verified at the release's first use instead.
   */
  deferLog?: boolean;
  /** The names of this release's temp files, when the caller listed the folder already. */
  temps?: readonly string[];
  /** Whether that listing showed a next-state file: when it did not, none is looked for. */
  hasNext?: boolean;
  /** Shares the state's strings with the other releases opened with it (see shared-strings.ts). */
  share?: StringShare;
}

/**
 * Reads a release's files, puts right what a crash left (see recovery.ts), and indexes them.
 * Undefined when the release does not exist (no files, or a create that never completed).
 * A file that cannot be read or parsed rejects with a StoreError naming it, before anything is changed.
 */
export async function loadRelease(context: LoadContext): Promise<Loaded | undefined> {
  const { paths, fs, log } = context;
  const stateText = await readText(fs, paths.state);
  const nextText = context.hasNext === false ? undefined : await readText(fs, paths.next);
  const logSize = await sizeOf(fs, paths.audit);
  const outboxBytes = await readBytes(fs, paths.outbox);
  if (stateText === undefined && nextText === undefined) {
    const orphan = logSize !== undefined ? paths.audit : outboxBytes !== undefined ? paths.outbox : undefined;
    if (orphan === undefined) return undefined;
    throw new StoreError(`${orphan}: there is no ${paths.state} beside it; golive will not start until it is restored, or the file removed`, orphan);
  }
  const read = stateText === undefined ? undefined : parseState(stateText, paths.state);
  const state = read?.state;
  if (state !== undefined) context.share?.shareIn(state.release);
  const next = nextText === undefined ? undefined : parseNext(nextText);
  if (state !== undefined && logSize === undefined) throw new StoreError(`${paths.audit}: is missing; golive will not start until it is restored`, paths.audit);
  if (state !== undefined && outboxBytes === undefined) throw new StoreError(`${paths.outbox}: is missing; golive will not start until it is restored`, paths.outbox);
  const outboxFile = parseOutbox(outboxBytes ?? Buffer.alloc(0), paths.outbox);

  // The usual case after a clean stop, or a crash between commits: only the outbox can need putting right.
  if (context.deferLog && state?.head !== undefined && next === undefined && same(await lastEntry(fs, paths.audit, logSize!), state.head)) {
    const committed = outboxFile.lines.filter((line) => line.revision <= state.revision);
    const outboxEnd = committed[committed.length - 1]?.end ?? 0;
    try {
      await applyRecovery(context, { kind: 'state', state, promote: false, dropNext: false, entries: 0 }, logSize!, undefined, outboxFile.size, outboxEnd);
      await removeTemps(context);
    } catch (error) {
      throw new StoreError(`${paths.state}: could not be put right after a crash (${reasonOf(error)})`, paths.state);
    }
    const outbox = new OutboxState();
    for (const line of committed) outbox.apply(line.messages, 0);
    outbox.size = outboxEnd;
    return { state, ...(read?.stateHash !== undefined && { stateHash: read.stateHash }), stateDigest: digestOf(stateText!), logSize: logSize!, outbox };
  }

  const logBytes = await readBytes(fs, paths.audit);
  const auditLog = parseLog(logBytes ?? Buffer.alloc(0), paths.audit);
  const plan = planRecovery(state, next, auditLog);

  if (plan.kind === 'unreadable') throw new StoreError(`${paths.audit}: ${plan.message}; golive will not start until it is repaired`, paths.audit);
  if (plan.kind === 'uncreated') {
    try {
      for (const file of [paths.next, paths.audit, paths.outbox]) await removeIfThere(fs, file);
      await fs.syncFolder(paths.folder);
      await removeTemps(context);
    } catch (error) {
      throw new StoreError(`${paths.next}: the files of a create that never completed could not be removed (${reasonOf(error)})`, paths.next);
    }
    log(`${paths.next}: removed with the log and outbox of release "${paths.id}", whose creation never completed`);
    return undefined;
  }

  // Only lines from commits the state reached; the rest (always at the end) never happened.
  const committed = outboxFile.lines.filter((line) => line.revision <= plan.state.revision);
  let text = stateText!;
  let entries = auditLog.entries.length;
  let outboxEnd = outboxFile.size;
  if (plan.kind === 'state') {
    entries = plan.entries;
    outboxEnd = committed[committed.length - 1]?.end ?? 0;
    try {
      if (await applyRecovery(context, plan, auditLog.size, auditLog.torn, outboxFile.size, outboxEnd)) text = nextText!;
      await removeTemps(context);
    } catch (error) {
      throw new StoreError(`${paths.state}: could not be put right after a crash (${reasonOf(error)})`, paths.state);
    }
  } else {
    log(`${paths.state}: quarantined (read-only), its files do not fit together: ${plan.problem.message}`);
  }

  const audit = auditLog.entries.slice(0, entries);
  const index = new AuditIndex();
  index.add(
    audit,
    auditLog.ends.slice(0, entries).map((end, at) => end - (at > 0 ? auditLog.ends[at - 1]! : 0)),
  );
  const outbox = new OutboxState();
  for (const line of committed) outbox.apply(line.messages, 0);
  outbox.size = outboxEnd;
  const quarantine = plan.kind === 'quarantine' ? plan.problem : context.verify({ release: plan.state.release, audit, ...(plan.state.refusals && { refusals: plan.state.refusals }) });
  if (quarantine && plan.kind === 'state') log(`${paths.audit}: quarantined (read-only), its record fails verification at entry ${quarantine.seq}: ${quarantine.message}`);
  return {
    state: plan.state,
    stateDigest: digestOf(text),
    index,
    logSize: index.size,
    outbox,
    ...(quarantine && { quarantine }),
  };
}

/** Puts the files right as `plan` says; true when the next state became the state. */
async function applyRecovery(
  { paths, fs, log }: LoadContext,
  plan: Extract<Recovery, { kind: 'state' }>,
  logSize: number,
  torn: string | undefined,
  outboxSize: number,
  outboxEnd: number,
): Promise<boolean> {
  if (plan.cutLogTo !== undefined) {
    await fs.truncate(paths.audit, plan.cutLogTo);
    log(`${paths.audit}: cut ${logSize - plan.cutLogTo} bytes at its end, written by a commit that never completed${torn !== undefined ? ` (a torn line: ${torn})` : ''}`);
  }
  if (plan.promote) {
    await fs.rename(paths.next, paths.state);
    log(`${paths.state}: finished a commit interrupted after its audit entries were written (entry ${plan.state.head?.seq})`);
  } else if (plan.dropNext) {
    await fs.unlink(paths.next);
    log(`${paths.next}: removed, left by a commit that never completed`);
  }
  if (plan.promote || plan.dropNext) await fs.syncFolder(paths.folder);
  if (outboxEnd < outboxSize) {
    await fs.truncate(paths.outbox, outboxEnd);
    log(`${paths.outbox}: cut ${outboxSize - outboxEnd} bytes at its end, written by a commit that never completed`);
  }
  return plan.promote;
}

export function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parseState(text: string, file: string): { state: StateFile; stateHash?: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoreError(`${file}: is not valid JSON (${reasonOf(error)})`, file);
  }
  const sealed = sealedState(value);
  if (sealed) return sealed;
  const parsed = StateFile.safeParse(value);
  if (parsed.success) return { state: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  throw new StoreError(`${file}: is not a release state file (${where}${issue?.message ?? 'invalid'})`, file);
}

// A next-state file that does not parse was cut short while being written: its commit never
// reached the log (the log is appended only once it is on disk).
function parseNext(text: string): FoundNext {
  try {
    const parsed = StateFile.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'torn';
  } catch {
    return 'torn';
  }
}

async function readBytes(fs: ReleaseFs, file: string): Promise<Buffer | undefined> {
  try {
    return await fs.read(file);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}

async function sizeOf(fs: ReleaseFs, file: string): Promise<number | undefined> {
  try {
    return await fs.size(file);
  } catch (error) {
    if (isCode(error, 'ENOENT')) return undefined;
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}

async function readText(fs: ReleaseFs, file: string): Promise<string | undefined> {
  return (await readBytes(fs, file))?.toString('utf8');
}

async function removeIfThere(fs: ReleaseFs, file: string): Promise<void> {
  try {
    await fs.unlink(file);
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw error;
  }
}

async function removeTemps({ paths, fs, log, temps }: LoadContext): Promise<void> {
  for (const name of temps ?? (await fs.list(paths.folder))) {
    if (!isTempOf(name, paths.id)) continue;
    await removeIfThere(fs, join(paths.folder, name));
    log(`${join(paths.folder, name)}: removed a temp file left by a rewrite that never finished`);
  }
}

/**
 * The state as golive wrote it, without validating its release field by field: when the release
 * hashes to the stateHash its head seals, it is exactly a release golive validated before writing
 * it (every write is validated with the schema, then sealed), so validating it again at every start
 * only costs time (0.5 to 1 ms a release, most of opening a thousand). The small parts (version,
 * revision, head, refusals) are still validated. Anything else (a state edited, damaged, or not
 * sealed) is validated in full, and one that fails stops the store with the error naming the file,
 * as before. The hash is kept, so the first write need not work it out again. A change of the
 * schema that old states would fail comes with a new STATE_VERSION (and a conversion), which this
 * path refuses.
 */
function sealedState(value: unknown): { state: StateFile; stateHash: string } | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { release, head, refusals, ...rest } = value as Record<string, unknown>;
  const small = SealedParts.safeParse({ ...rest, head, ...(refusals !== undefined && { refusals }) });
  if (!small.success || typeof release !== 'object' || release === null || Array.isArray(release)) return undefined;
  const stateHash = small.data.head.stateHash;
  if (stateHash === undefined || stateHashOf(release) !== stateHash) return undefined;
  // In the schema's order, as a validated state would be.
  const { version, revision, head: sealedHead, refusals: tally } = small.data;
  return { state: { version, revision, release: release as StateFile['release'], head: sealedHead, ...(tally !== undefined && { refusals: tally }) }, stateHash };
}

/** The state file without its release, with a head that seals a state: what sealedState still validates. */
const SealedParts = StateFile.omit({ release: true }).extend({ head: AuditEntry });
