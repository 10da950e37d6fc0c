import { StoreError } from '../../src/app/store-port.js';
import { AuditEntry } from '../../src/domain/audit-entry.js';
import { canonicalJson } from '../../src/domain/audit.js';
import { reasonOf, type ReleaseFs } from './release-fs.js';
import { parseJsonLines } from './json-lines.js';

// <id>.audit.jsonl: one audit entry a line, as canonical JSON (so the file is exactly what
// `audit export --jsonl` gives), only ever appended. Read whole once, to verify the chain and
// index it (at open when a crash is to be put right, else at the release's first use or by the
// store's sweep: release-history.ts); after that only the lines asked for are read, by their byte offsets.

/** The log as read at open: every complete entry, where each line ends, and any torn tail. */
export interface ParsedLog {
  entries: AuditEntry[];
  /** ends[i]: the byte just after entry i's newline. */
  ends: number[];
  /** Bytes of the complete lines; the rest of the file, if any, is a torn tail. */
  complete: number;
  size: number;
  /** The start of a last line cut short by a crash (not ended by a newline, or not JSON). */
  torn?: string;
}

export function entryLine(entry: AuditEntry): string {
  return `${canonicalJson(entry)}\n`;
}

/**
 * Parses a whole log. A last line that is unfinished or not JSON is a torn tail, which only a
 * crash mid-append leaves; any other line that is not an audit entry stops with a StoreError
 * naming the file and line, since that is damage, not a crash.
 */
export function parseLog(bytes: Buffer, file: string): ParsedLog {
  const { values: entries, ...rest } = parseJsonLines(bytes, file, (value, line) => entryFrom(value, file, line));
  return { entries, ...rest };
}

function entryFrom(value: unknown, file: string, line: number): AuditEntry {
  const entry = asEntry(value);
  if (typeof entry !== 'string') return entry;
  throw new StoreError(`${file}: line ${line} ${entry}; golive will not start until it is repaired`, file);
}

/** The entry `value` is, or what is wrong with it ("is not an audit entry (…)"). */
function asEntry(value: unknown): AuditEntry | string {
  const parsed = AuditEntry.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `is not an audit entry (${where}${issue?.message ?? 'invalid'})`;
}

/** The entry one line of the log holds (without its newline), or what is wrong with it ("is not valid JSON (…)"). */
export function entryOfLine(text: string): AuditEntry | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `is not valid JSON (${reasonOf(error)})`;
  }
  return asEntry(value);
}

// Most lines are well under this; a longer one is read with a window four times larger, and so on.
const TAIL_BYTES = 4 * 1024;

/**
 * The last line of a log `size` bytes long, read from its end alone: the entry, when the file ends
 * with a newline and that line is an entry; undefined otherwise (empty, torn, or not an entry).
 */
export async function lastEntry(fs: ReleaseFs, file: string, size: number): Promise<AuditEntry | undefined> {
  for (let window = TAIL_BYTES; ; window *= 4) {
    const start = Math.max(0, size - window);
    let bytes: Buffer;
    try {
      bytes = await fs.readRange(file, start, size);
    } catch (error) {
      throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
    }
    if (bytes.length === 0 || bytes[bytes.length - 1] !== 0x0a) return undefined;
    const newline = bytes.lastIndexOf(0x0a, bytes.length - 2);
    // The line began before the window: read a larger one.
    if (newline < 0 && start > 0) continue;
    const entry = entryOfLine(bytes.toString('utf8', newline + 1, bytes.length - 1));
    return typeof entry === 'string' ? undefined : entry;
  }
}

/**
 * Where each committed entry's line is, and which entry answers which request: enough to read a
 * range or one entry without parsing the rest. Holds two numbers an entry, never the entries.
 */
export class AuditIndex {
  private readonly starts: number[] = [];
  private readonly seqs: number[] = [];
  private readonly requests = new Map<string, number>();
  private ordered = true;
  /** Bytes of the committed lines: where the next append goes. */
  size = 0;

  get count(): number {
    return this.seqs.length;
  }

  /** Records entries whose lines were appended (committed) at the current end. */
  add(entries: readonly AuditEntry[], lineBytes: readonly number[]): void {
    entries.forEach((entry, at) => {
      const previous = this.seqs[this.seqs.length - 1];
      if (previous !== undefined && entry.seq <= previous) this.ordered = false;
      if (entry.request !== undefined && !this.requests.has(entry.request)) this.requests.set(entry.request, this.seqs.length);
      this.starts.push(this.size);
      this.seqs.push(entry.seq);
      this.size += lineBytes[at]!;
    });
  }

  /** Line numbers (from 0) of the entries with fromSeq <= seq <= toSeq, in log order. */
  lines(fromSeq: number, toSeq: number): number[] {
    if (!this.ordered) return this.seqs.flatMap((seq, at) => (seq >= fromSeq && seq <= toSeq ? [at] : []));
    const first = this.firstAtLeast(fromSeq);
    const after = this.firstAtLeast(toSeq + 1);
    return Array.from({ length: Math.max(0, after - first) }, (_, at) => first + at);
  }

  lineOfRequest(requestId: string): number | undefined {
    return this.requests.get(requestId);
  }

  /** Reads the given lines (in order, adjacent ones in one read) and checks each is the entry indexed there. */
  async read(fs: ReleaseFs, file: string, lines: readonly number[]): Promise<AuditEntry[]> {
    const entries: AuditEntry[] = [];
    let at = 0;
    while (at < lines.length) {
      let until = at + 1;
      while (until < lines.length && lines[until] === lines[until - 1]! + 1) until++;
      const first = lines[at]!;
      const last = lines[until - 1]!;
      let bytes: Buffer;
      try {
        bytes = await fs.readRange(file, this.starts[first]!, this.endOf(last));
      } catch (error) {
        throw new StoreError(`${file}: cannot be read (${reasonOf(error)})`, file);
      }
      const texts = bytes.toString('utf8').split('\n');
      for (let line = first; line <= last; line++) entries.push(this.checked(texts[line - first]!, file, line));
      at = until;
    }
    return entries;
  }

  private checked(text: string, file: string, line: number): AuditEntry {
    let entry: AuditEntry | undefined;
    try {
      entry = AuditEntry.parse(JSON.parse(text));
    } catch {
      entry = undefined;
    }
    if (entry === undefined || entry.seq !== this.seqs[line]) {
      throw new StoreError(`${file} was changed on disk by something other than this golive since it was loaded (line ${line + 1} is not the entry it held). Restart golive to check it again.`, file);
    }
    return entry;
  }

  private endOf(line: number): number {
    return this.starts[line + 1] ?? this.size;
  }

  private firstAtLeast(seq: number): number {
    let low = 0;
    let high = this.seqs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.seqs[middle]! < seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
