import type { Actor } from './request.js';

/**
 * The identities a person has linked across platforms (`whoami link`), kept in a record of its
 * own. Authorisation, ownership and to-do lists ask it who else an actor is. Every read answers
 * from the record as it stands now: a link made by another golive on the same database counts at
 * the next request.
 */
export interface IdentityPort {
  /** The person and every identity linked to them; just the person when nothing is linked or the record failed. */
  aliases(id: string): Promise<string[]>;
  /** The record as it stands now, for looking up many people at once and for `whoami`. */
  read(): Promise<IdentityReading>;
  /**
   * A one-time code for `actor`, valid ten minutes; any older code of theirs stops working. Each
   * change is recorded at `now`, or, when the record's newest entry is later (the request waited
   * behind another's), at `refreshNow()`, read when its turn came.
   */
  issue(actor: Actor, now: Date, refreshNow?: () => Date): Promise<{ code: string; expiresAt: Date }>;
  /** Links `actor` with whoever issued `code` on another platform; refusals are recorded. Returns the other identity. */
  redeem(actor: Actor, code: string, now: Date, refreshNow?: () => Date): Promise<string>;
  /** Unlinks `actor` from `other`; recorded. */
  unlink(actor: Actor, other: string, now: Date, refreshNow?: () => Date): Promise<void>;
}

/** The identity record at one moment. */
export interface IdentityReading {
  aliases(id: string): string[];
  /** Why the record is not trusted (it failed verification), if it is not: links are then ignored and linking refused. */
  problem: string | undefined;
  /** How many entries it holds, and the newest one's hash. */
  entries: number;
  head?: string;
}
