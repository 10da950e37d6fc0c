import { StoreError, type Quarantine } from '../../src/app/store-port.js';
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import { AuditIndex, entryOfLine, parseLog } from './audit-log.js';
import { mismatch, same } from './recovery.js';
import { reasonOf, type ReleaseFs } from './release-fs.js';
import type { StateFile } from './state-file.js';
import type { RecordCheck } from './stored-release.js';
import { CHECKED_A_TURN, nextTurn } from '../../src/next-turn.js';

// A release opened without a crash to put right needs only its state to be listed, found by
// channel or shown: its log (which grows with its history, to 100 MB and more) is read and its
// chain verified here, once, at the release's first use or by the store's sweep after start.
// Read in chunks, the event loop let go between them, and no entry held: only the index.

/** Bytes read at a time: a few milliseconds of parsing and hashing (256 KiB held the event loop 30-60 ms under load), so /healthz and other requests stay quick. */
const CHUNK_BYTES = 64 * 1024;

export interface HistoryContext {
  fs: ReleaseFs;
  /** The release's audit log. */
  file: string;
  /** The state as opened; nothing has been written to the release since. */
  state: StateFile;
  /** The log's size when the release was opened, its last line then the state's head. */
  size: number;
  verify: RecordCheck;
  /** Resolves once other work has had its turn; between chunks. */
  pause?: () => Promise<void>;
}

export interface History {
  index: AuditIndex;
  quarantine?: Quarantine;
  /** Whether the files did not fit together (changed, damaged), or the record failed verification. */
  found?: 'files' | 'record';
}

/**
 * Reads and indexes the log, and checks it is what the state says (its head last) and that the
 * record verifies. A log changed since open, a line that is not an entry, or a record that fails
 * gives the quarantine; only an unreadable file rejects (with a StoreError naming it).
 */
export async function readHistory({ fs, file, state, size, verify, pause = nextTurn }: HistoryContext): Promise<History> {
  const index = new AuditIndex();
  const now = await sizeOf(fs, file);
  if (now !== size) return { index, quarantine: changed(state, `it is ${now} bytes long, but was ${size} when golive started`), found: 'files' };
  const stream = verify.streaming?.();
  // Only a check that cannot stream needs the entries, all at once.
  const held: AuditEntry[] | undefined = stream ? undefined : [];
  let passing = true;
  let headFound = false;
  let last: AuditEntry | undefined;
  let line = 0;
  let rest: Buffer = Buffer.alloc(0);
  for (let at = 0; at < size; at += CHUNK_BYTES) {
    const chunk = await readRange(fs, file, at, Math.min(size, at + CHUNK_BYTES));
    const bytes = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let newline = bytes.indexOf(0x0a); newline >= 0; newline = bytes.indexOf(0x0a, start)) {
      line += 1;
      const entry = entryOfLine(bytes.toString('utf8', start, newline));
      if (typeof entry === 'string') return { index, quarantine: { seq: line, message: `Line ${line} of its audit log ${entry}: the log was changed outside golive.` }, found: 'files' };
      index.add([entry], [newline + 1 - start]);
      headFound ||= same(entry, state.head);
      last = entry;
      if (held) held.push(entry);
      else passing &&= stream!.add(entry);
      start = newline + 1;
      // A 64 KiB chunk holds about a hundred entries: checked a few at a time, requests answered between.
      if (line % CHECKED_A_TURN === 0) await pause();
    }
    rest = bytes.subarray(start);
    await pause();
  }
  // At open the log ended with a newline after the state's head: its bytes differ now.
  if (rest.length > 0) return { index, quarantine: changed(state, 'its last line is no longer whole'), found: 'files' };
  if (!same(last, state.head)) return { index, quarantine: mismatch(state, last, headFound, false), found: 'files' };
  const record = { release: state.release, ...(state.refusals && { refusals: state.refusals }) };
  if (stream && passing && stream.passes(record)) return { index };
  // Failing, or unable to stream: the check over the whole record names what is wrong, in its own words.
  const audit = held ?? (await wholeLog(fs, file, size));
  if (audit === undefined) return { index, quarantine: changed(state, 'it changed while it was being read'), found: 'files' };
  const quarantine = verify({ ...record, audit });
  return { index, ...(quarantine && { quarantine, found: 'record' as const }) };
}

function changed(state: StateFile, how: string): Quarantine {
  return {
    seq: state.head?.seq ?? 0,
    message: `The audit log was changed on disk by something other than golive after it started (${how}). Restart golive to check it again.`,
  };
}

async function wholeLog(fs: ReleaseFs, file: string, size: number): Promise<AuditEntry[] | undefined> {
  const bytes = await readRange(fs, file, 0, size);
  try {
    const parsed = parseLog(bytes, file);
    return parsed.complete === size ? parsed.entries : undefined;
  } catch {
    // A line that streamed as an entry a moment ago no longer parses.
    return undefined;
  }
}

async function sizeOf(fs: ReleaseFs, file: string): Promise<number> {
  try {
    return await fs.size(file);
  } catch (error) {
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}

async function readRange(fs: ReleaseFs, file: string, start: number, end: number): Promise<Buffer> {
  try {
    return await fs.readRange(file, start, end);
  } catch (error) {
    throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
  }
}
