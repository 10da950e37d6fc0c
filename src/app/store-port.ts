import type { AuditEntry } from '../domain/audit-entry.js';
import type { Platform } from '../domain/primitives.js';
import type { Channel, Release } from '../domain/release.js';
import type { OutboxMessage } from './delivery/outbox-message.js';
import type { RefusalTally } from './refusal-tally.js';

export interface ReleaseSummary {
  id: string;
  name: string;
  channels: Channel[];
}

/** See Store.heads. `quarantined` is absent where the verdict would need the record read. */
export interface ReleaseHead {
  seq: number;
  quarantined?: boolean;
}

/** A release whose record failed verification when the store opened: readable, never written. */
export interface Quarantine {
  /** The first audit entry that is wrong (0 when there is none to name). */
  seq: number;
  message: string;
}

/** What the store holds for one release apart from its audit log and outbox: small, rewritten on each write. */
export interface StoredRelease {
  release: Release;
  /** The newest audit entry (the chain's head), if any. Its stateHash seals `release`. */
  head?: AuditEntry;
  /** Refusals counted beside the chain (see change.ts). */
  refusals?: RefusalTally;
}

/**
 * What `shared` hands out: the release as stored and, read with it, why it is kept read-only (as
 * `quarantine` would answer), so a command that only looks asks the store once.
 */
export type SharedRelease = StoredRelease & { readonly quarantine?: Quarantine };

/** What one transaction commits, atomically: all of it or nothing. */
export interface Commit<T> {
  /** The new state; absent: unchanged. */
  release?: Release;
  /** Entries to append, already sealed, continuing from `current.head`. */
  append?: AuditEntry[];
  /** Outbox messages to insert or replace (by id). */
  outbox?: OutboxMessage[];
  /** The refusal tally after this commit: a value replaces it, null clears it, absent keeps it. */
  refusals?: RefusalTally | null;
  /**
   * Claims (see claimDue) this commit ends, with it: each message's claim is cleared if `holder`
   * still holds it, whether or not the message is in `outbox`. How a delivery's outcome is
   * recorded; another write to a message leaves its claim as it is.
   */
  endClaims?: EndClaims;
  result: T;
}

export interface EndClaims {
  holder: string;
  /** Ids of the release's outbox messages. */
  messageIds: readonly string[];
}

/** Who claims due outbox messages, for how long, and for which recipients (see claimDue). */
export interface ClaimRequest {
  /** One per process (host, pid, random): see src/app/delivery/claimant.ts. At most 200 characters. */
  holder: string;
  /** How long the claim lasts, in milliseconds (whole, from 1 to a day); another holder may claim the message once it has ended. */
  leaseMs: number;
  /** Only messages to a channel or person on one of these platforms: those this process delivers to. */
  platforms: readonly Platform[];
}

/** An outbox message claimed for delivery. */
export interface ClaimedMessage {
  releaseId: string;
  message: OutboxMessage;
  /**
   * Set when an earlier claim on the message ended without an outcome (a replica died
   * mid-delivery, or this process before a restart), so the platform may have it already:
   * `since` is when the first such claim was taken (ISO 8601), for looking it up.
   */
  stale?: { since: string };
}

/**
 * Where releases, their audit chains and their outboxes live. Every method is async, even where
 * the data is in memory. What a read returns is the caller's own copy: changing it changes
 * nothing in the store, and the store never hands out an object a later write changes.
 */
export interface Store {
  /** Every release, in creation order. */
  list(): Promise<ReleaseSummary[]>;
  get(id: string): Promise<StoredRelease | undefined>;
  /**
   * Several releases as `get` gives each (undefined for an id that is not there), in the order
   * asked, in one read: for a caller that goes through every release (start-up), where a read each
   * would cost a round trip each. Optional: callers fall back to `get`.
   */
  getMany?(ids: readonly string[]): Promise<Array<StoredRelease | undefined>>;
  /**
   * The release as `get` gives it, but deep-frozen and shared between readers instead of copied:
   * for a caller that only looks (a status), so a read costs no copy. The exception to "the
   * caller's own copy" above: nobody can change it (it is frozen), and a later write commits a new
   * object instead of changing this one, so it always means the version it was read at. Optional:
   * callers fall back to `get` on a store without it.
   */
  shared?(id: string): Promise<SharedRelease | undefined>;
  /**
   * Several releases deep-frozen and shared as `shared` gives each, in the order asked, but without
   * the verdict: for a pass over every release that only looks at their state (start-up's, the
   * scheduler's), where a copy each would copy the whole store and the verdict would read every
   * release's whole log. Whether one is quarantined is still quarantine()'s to say. Optional:
   * callers fall back to `getMany` or `get`.
   */
  sharedMany?(ids: readonly string[]): Promise<Array<StoredRelease | undefined>>;
  /**
   * `findByChannel` and `shared` in one read: the release a channel follows, as a command that
   * only looks reads it. Optional: callers fall back to the two.
   */
  sharedByChannel?(channel: Channel): Promise<{ id: string; shared: SharedRelease } | undefined>;
  /** Why a release is kept read-only: its record failed verification when the store opened. */
  quarantine(id: string): Promise<Quarantine | undefined>;
  /**
   * Every release's head (the seq of its newest entry, 0 for none) and, where the store knows it
   * without reading a record, whether it is quarantined, in one read: for a pass over every release
   * that acts only on what changed since it last looked (every change to a release seals an entry).
   * Optional: callers fall back to asking release by release.
   */
  heads?(): Promise<ReadonlyMap<string, ReleaseHead>>;
  /** The release linked to a channel, if any. */
  findByChannel(channel: Channel): Promise<string | undefined>;
  /** Audit entries in order; `fromSeq`/`toSeq` inclusive bounds. None for an unknown release. */
  audit(id: string, range?: { fromSeq?: number; toSeq?: number }): Promise<AuditEntry[]>;
  /** The entry recording the platform request `requestId`, if any (a replay after a crash applies once). */
  auditByRequest(id: string, requestId: string): Promise<AuditEntry | undefined>;
  /** Every outbox message of a release, in the order first inserted (delivered ones included, for status and tests). */
  outbox(id: string): Promise<OutboxMessage[]>;
  /**
   * Claims, atomically, at most `limit` (whole, 1 to 1000) pending messages due at `now`, oldest
   * `createdAt` first, that no claim holds (none was taken, or its lease ended by `now`), whose
   * recipient is on one of `claim.platforms`, in releases that are not quarantined. Each stays
   * claimed by `claim.holder` until `now + claim.leaseMs` or until a commit ends the claim
   * (Commit.endClaims): no other holder is given it meanwhile, on this store or, for a shared
   * database, any other. The claim is durable before this resolves, so an earlier claim that
   * ended without an outcome is reported as `stale` also after a crash. Rejects with StoreError,
   * claiming nothing, for a bad argument.
   */
  claimDue(now: Date, limit: number, claim: ClaimRequest): Promise<ClaimedMessage[]>;
  /**
   * Takes or renews the lease called `name` for `holder` until `now + ms`: true when `holder`
   * has it (it was free, had ended by `now`, or was already its own), false when another holder's
   * lease runs past `now`. One holder at a time across every process on the store (the JSON
   * folder is one process's, so there it is decided in memory). Rejects with StoreError for a bad argument.
   */
  lease(name: string, holder: string, now: Date, ms: number): Promise<boolean>;
  /** A new release with its first audit entry and outbox; rejects if the id is taken, ChannelTakenError for a taken channel. */
  create(release: Release, first: AuditEntry, outbox: OutboxMessage[]): Promise<void>;
  /**
   * Runs `fn` on the latest committed state of `id` (never a cached object another write may
   * change) and commits what it returns atomically; writes to one release are serialised (across
   * processes for a shared database). If `fn` throws or the commit fails, nothing changes.
   * Rejects with ChannelTakenError when the new state adds a channel another release follows, and
   * with StoreError for an unknown or quarantined release, or entries that do not continue the chain.
   *
   * While it runs, `fn` may read release `id` through this store (`audit`, `auditByRequest`,
   * `outbox`) and sees the state it runs on; it must not call `create` or `transact`.
   */
  transact<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T>;
  close(): Promise<void>;
}

export class StoreError extends Error {
  constructor(
    message: string,
    readonly file?: string,
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

/**
 * A write that would make a second release follow a channel: refused inside the store, so two
 * writes racing for one channel cannot both pass a check made before them.
 */
export class ChannelTakenError extends StoreError {
  constructor(
    readonly channel: Channel,
    /** The release that follows the channel already, or is being written with it right now. */
    readonly releaseId: string,
  ) {
    super(`channel ${channel.platform}:${channel.id} already follows release "${releaseId}"`);
    this.name = 'ChannelTakenError';
  }
}

/**
 * Releases a pass over every release reads at once where the store reads several in one go
 * (getMany, sharedMany): on a database a read each is a round trip each, a thousand at a seeded start.
 */
export const RELEASES_PER_READ = 100;
