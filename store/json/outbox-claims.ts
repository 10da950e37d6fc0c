import { z } from 'zod';
import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import { StoreError, type ClaimedMessage, type EndClaims } from '../../src/app/store-port.js';
import { Instant } from '../../src/domain/primitives.js';
import { DurableJsonFile, type DurableFs } from '../durable-json-file.js';

// The JSON folder's claims on outbox messages being delivered (Store.claimDue). The folder is one
// process's, so claims are decided in memory; what they are for is the crash. Each batch claimed
// is written to <dataDir>/outbox-claims.json (whole, fsynced, renamed: one write per batch)
// before its messages are handed out, with each message's delivery state (attempts, next
// attempt) as it was claimed. A delivery's outcome changes that state in the release's outbox,
// and ends the claim in memory without another write. So at the next start, a claim in the file
// whose message is still pending and still in the state it was claimed in ended without an
// outcome: the platform may have the message, and its next claim says so (stale).

const ClaimLine = z
  .object({
    release: z.string().min(1),
    message: z.string().min(1),
    holder: z.string().min(1),
    /** When the first claim without an outcome was taken. */
    since: Instant,
    until: Instant,
    attempts: z.number().int().nonnegative(),
    nextAttemptAt: Instant.optional(),
  })
  .strict();
type ClaimLine = z.infer<typeof ClaimLine>;

const ClaimsFile = z.object({ version: z.literal(1), claims: z.array(ClaimLine) }).strict();
type ClaimsFile = z.infer<typeof ClaimsFile>;

export const CLAIMS_FILE = 'outbox-claims.json';

interface Held {
  holder: string;
  since: string;
  /** Epoch ms; -Infinity for a claim of a process that is gone. */
  until: number;
  attempts: number;
  nextAttemptAt?: string;
}

/** The message `id` of release `releaseId` as the store holds it now, if any. */
export type MessageOf = (releaseId: string, id: string) => OutboxMessage | undefined;

export class OutboxClaims {
  private readonly held = new Map<string, Held>();
  private writes: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: DurableJsonFile<ClaimsFile>,
    private readonly messageOf: MessageOf,
  ) {}

  /**
   * Reads the claims the last run left. Its process is gone (the folder lock says so), so each
   * has ended; one whose message is untouched since is kept, to be reported stale when the
   * message is claimed again. A file that does not parse rejects with a StoreError naming it.
   */
  static async open(path: string, fs: DurableFs, messageOf: MessageOf, log: (message: string) => void): Promise<OutboxClaims> {
    const file = new DurableJsonFile(path, parse(path), fs);
    const claims = new OutboxClaims(file, messageOf);
    const data = await file.read();
    for (const line of data?.claims ?? []) {
      const message = messageOf(line.release, line.message);
      const held: Held = { holder: line.holder, since: line.since, until: Number.NEGATIVE_INFINITY, attempts: line.attempts, ...(line.nextAttemptAt && { nextAttemptAt: line.nextAttemptAt }) };
      if (message && untouched(message, held)) claims.held.set(keyOf(line.release, line.message), held);
    }
    if (claims.held.size > 0) {
      log(`${path}: ${claims.held.size} outbox message(s) were being delivered when golive last stopped; each is looked for on its platform, where the platform allows, before it is sent again`);
    }
    return claims;
  }

  /**
   * Claims for `holder` until `now + leaseMs`, in the order given, those of `candidates` (due
   * messages) that no claim holds at `now`, at most `limit`; resolves once the claims are on disk.
   */
  async claim(candidates: ReadonlyArray<{ releaseId: string; message: OutboxMessage }>, limit: number, now: Date, holder: string, leaseMs: number): Promise<ClaimedMessage[]> {
    const at = now.getTime();
    const taken: Array<{ key: string; before: Held | undefined; mine: Held; claimed: ClaimedMessage }> = [];
    // Synchronous from here to the write: two claims in this process cannot pick the same message.
    for (const { releaseId, message } of candidates) {
      if (taken.length >= limit) break;
      const key = keyOf(releaseId, message.id);
      const before = this.held.get(key);
      if (before && before.until > at) continue;
      const stale = before && untouched(message, before) ? before.since : undefined;
      const mine: Held = { holder, since: stale ?? now.toISOString(), until: at + leaseMs, attempts: message.attempts, ...(message.nextAttemptAt && { nextAttemptAt: message.nextAttemptAt }) };
      this.held.set(key, mine);
      taken.push({ key, before, mine, claimed: { releaseId, message: structuredClone(message), ...(stale && { stale: { since: stale } }) } });
    }
    if (taken.length === 0) return [];
    try {
      await this.save(at);
    } catch (error) {
      for (const { key, before, mine } of taken) {
        if (this.held.get(key) !== mine) continue;
        if (before) this.held.set(key, before);
        else this.held.delete(key);
      }
      throw error;
    }
    return taken.map((t) => t.claimed);
  }

  /** Ends the claims `ends.holder` holds on these messages of `releaseId` (their outcome is committed). */
  end(releaseId: string, ends: EndClaims): void {
    for (const id of ends.messageIds) {
      const key = keyOf(releaseId, id);
      if (this.held.get(key)?.holder === ends.holder) this.held.delete(key);
    }
  }

  /** Waits for the claims being written. */
  async idle(): Promise<void> {
    await this.writes.catch(() => undefined);
  }

  // Writes every claim that still matters: one running, or one that ended on a message left as it was.
  private save(at: number): Promise<void> {
    const write = this.writes.then(
      () => this.file.write({ version: 1, claims: this.lines(at) }),
      () => this.file.write({ version: 1, claims: this.lines(at) }),
    );
    this.writes = write.catch(() => undefined);
    return write;
  }

  private lines(at: number): ClaimLine[] {
    const lines: ClaimLine[] = [];
    for (const [key, held] of this.held) {
      const [release, id] = JSON.parse(key) as [string, string];
      const message = this.messageOf(release, id);
      if (message?.status !== 'pending' || (held.until <= at && !untouched(message, held))) {
        this.held.delete(key);
        continue;
      }
      lines.push({
        release,
        message: id,
        holder: held.holder,
        since: held.since,
        // A gone process's claim is written as ended at its start.
        until: new Date(Number.isFinite(held.until) ? held.until : Date.parse(held.since)).toISOString(),
        attempts: held.attempts,
        ...(held.nextAttemptAt && { nextAttemptAt: held.nextAttemptAt }),
      });
    }
    return lines;
  }
}

/** Nothing recorded about the message's delivery since the claim: every outcome changes its attempts or next attempt. */
function untouched(message: OutboxMessage, held: Held): boolean {
  return message.status === 'pending' && message.attempts === held.attempts && (message.nextAttemptAt ?? null) === (held.nextAttemptAt ?? null);
}

function keyOf(releaseId: string, messageId: string): string {
  return JSON.stringify([releaseId, messageId]);
}

function parse(path: string): (value: unknown) => ClaimsFile {
  return (value) => {
    const result = ClaimsFile.safeParse(value);
    if (result.success) return result.data;
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    throw new StoreError(`${path}: is not golive's outbox claims file (${where}${issue?.message ?? 'invalid'}); golive will not start until it is repaired or removed`, path);
  };
}
