import type { Channel } from '../domain/release.js';
import type { ReleaseDocument } from './document.js';

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

/**
 * Where release documents live. Reads are served from memory; every write is validated,
 * atomic and durable before its promise resolves. Writes to one release are serialised.
 */
export interface Store {
  /** Every release, in creation order. */
  list(): ReleaseSummary[];
  get(id: string): ReleaseDocument | undefined;
  /** Why a release is kept read-only: its record failed verification at open. */
  quarantine(id: string): Quarantine | undefined;
  /** The release linked to a channel, if any. */
  findByChannel(channel: Channel): string | undefined;
  /** Saves a new release; rejects if the id is taken, or with ChannelTakenError if one of its channels is. */
  create(doc: ReleaseDocument): Promise<void>;
  /**
   * Applies `change` to a private copy of the current document and saves what it returns.
   * If `change` throws, or the result does not validate, or the write fails, nothing changes.
   * Rejects with ChannelTakenError when the result adds a channel another release follows.
   */
  update(id: string, change: (doc: ReleaseDocument) => ReleaseDocument | Promise<ReleaseDocument>): Promise<ReleaseDocument>;
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
