import type { AuditEntry } from '../domain/audit-entry.js';
import type { Channel, Release } from '../domain/release.js';
import type { OutboxMessage } from './delivery/outbox-message.js';
import type { RefusalTally } from './refusal-tally.js';

export interface ReleaseSummary {
  id: string;
  name: string;
  channels: Channel[];
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
  result: T;
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
  /** Why a release is kept read-only: its record failed verification when the store opened. */
  quarantine(id: string): Promise<Quarantine | undefined>;
  /** The release linked to a channel, if any. */
  findByChannel(channel: Channel): Promise<string | undefined>;
  /** Audit entries in order; `fromSeq`/`toSeq` inclusive bounds. None for an unknown release. */
  audit(id: string, range?: { fromSeq?: number; toSeq?: number }): Promise<AuditEntry[]>;
  /** The entry recording the platform request `requestId`, if any (a replay after a crash applies once). */
  auditByRequest(id: string, requestId: string): Promise<AuditEntry | undefined>;
  /** Every outbox message of a release, in the order first inserted (delivered ones included, for status and tests). */
  outbox(id: string): Promise<OutboxMessage[]>;
  /**
   * Pending messages due at `now` (no `nextAttemptAt`, or one at or before `now`), across
   * releases, oldest `createdAt` first, at most `limit`.
   */
  dueOutbox(now: Date, limit: number): Promise<Array<{ releaseId: string; message: OutboxMessage }>>;
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
