import { z } from 'zod';
import { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { StoreError } from '../../src/app/store-port.js';
import { reasonOf } from './release-fs.js';

// <id>.outbox.jsonl: one line per commit that touched the outbox, holding the new version of
// each message it inserted or changed, and the state revision it was written under. The newest
// version of a message wins. One line a commit, so a commit's messages land together or (torn)
// not at all. The file is rewritten (atomically) only when most of it is superseded versions.

export const OutboxLine = z
  .object({
    revision: z.number().int().nonnegative(),
    messages: z.array(OutboxMessage),
  })
  .strict();
export type OutboxLine = z.infer<typeof OutboxLine>;

export interface ParsedOutbox {
  lines: Array<{ revision: number; messages: OutboxMessage[]; end: number }>;
  /** Bytes of the complete lines. */
  complete: number;
  size: number;
  torn?: string;
}

export function outboxLine(revision: number, messages: readonly OutboxMessage[]): string {
  return `${JSON.stringify({ revision, messages })}\n`;
}

/** Parses the whole file; a torn last line is reported, any other bad line stops with a StoreError. */
export function parseOutbox(bytes: Buffer, file: string): ParsedOutbox {
  const lines: ParsedOutbox['lines'] = [];
  let start = 0;
  while (start < bytes.length) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline < 0 ? bytes.length : newline;
    const text = bytes.toString('utf8', start, end);
    const last = newline < 0 || newline === bytes.length - 1;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      if (last) return { lines, complete: start, size: bytes.length, torn: text.slice(0, 120) };
      throw new StoreError(`${file}: line ${lines.length + 1} is not valid JSON (${reasonOf(error)}); golive will not start until it is repaired`, file);
    }
    if (newline < 0) return { lines, complete: start, size: bytes.length, torn: text.slice(0, 120) };
    const parsed = OutboxLine.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new StoreError(`${file}: line ${lines.length + 1} is not an outbox line (${where}${issue?.message ?? 'invalid'}); golive will not start until it is repaired`, file);
    }
    const previous = lines[lines.length - 1];
    if (previous && parsed.data.revision < previous.revision) {
      throw new StoreError(`${file}: line ${lines.length + 1} has revision ${parsed.data.revision}, older than the line before it; golive will not start until it is repaired`, file);
    }
    lines.push({ ...parsed.data, end: newline + 1 });
    start = newline + 1;
  }
  return { lines, complete: start, size: bytes.length };
}

/** The newest version of each message, in the order the messages first appeared. */
export class OutboxState {
  readonly messages = new Map<string, OutboxMessage>();
  /** Message versions in the file: compaction pays off once most are superseded. */
  versions = 0;
  size = 0;

  apply(messages: readonly OutboxMessage[], lineBytes: number): void {
    for (const message of messages) this.messages.set(message.id, message);
    this.versions += messages.length;
    this.size += lineBytes;
  }

  /** At least `minBytes` and three versions in four superseded: rewriting costs less than a third of what was appended since. */
  worthCompacting(minBytes: number): boolean {
    return this.size >= minBytes && this.versions >= 4 * this.messages.size;
  }
}
