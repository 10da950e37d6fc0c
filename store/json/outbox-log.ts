import { z } from 'zod';
import { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { StoreError } from '../../src/app/store-port.js';
import { parseJsonLines } from './json-lines.js';

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
  const { values, ends, complete, size, torn } = parseJsonLines<OutboxLine>(bytes, file, (value, line, before) => {
    const parsed = OutboxLine.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
      throw new StoreError(`${file}: line ${line} is not an outbox line (${where}${issue?.message ?? 'invalid'}); golive will not start until it is repaired`, file);
    }
    const previous = before[before.length - 1];
    if (previous && parsed.data.revision < previous.revision) {
      throw new StoreError(`${file}: line ${line} has revision ${parsed.data.revision}, older than the line before it; golive will not start until it is repaired`, file);
    }
    return parsed.data;
  });
  const lines = values.map((value, i) => ({ ...value, end: ends[i]! }));
  return { lines, complete, size, ...(torn !== undefined && { torn }) };
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
