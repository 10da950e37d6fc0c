// Until branch store-async lands the async port in src/app/store-port.ts: its agreed shape.
import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Channel, Release } from '../../src/domain/release.js';
import type { OutboxMessage } from '../../src/app/document.js';
import { RefusalTally } from '../../src/app/document.js';
import type { Quarantine, ReleaseSummary } from '../../src/app/store-port.js';

export { ChannelTakenError, StoreError, type Quarantine, type ReleaseSummary } from '../../src/app/store-port.js';
export { RefusalTally };

export interface StoredRelease {
  release: Release;
  head?: AuditEntry;
  refusals?: RefusalTally;
}

export interface Commit<T> {
  release?: Release;
  append?: AuditEntry[];
  outbox?: OutboxMessage[];
  refusals?: RefusalTally | null;
  result: T;
}

export interface Store {
  list(): Promise<ReleaseSummary[]>;
  get(id: string): Promise<StoredRelease | undefined>;
  quarantine(id: string): Promise<Quarantine | undefined>;
  findByChannel(channel: Channel): Promise<string | undefined>;
  audit(id: string, range?: { fromSeq?: number; toSeq?: number }): Promise<AuditEntry[]>;
  auditByRequest(id: string, requestId: string): Promise<AuditEntry | undefined>;
  outbox(id: string): Promise<OutboxMessage[]>;
  dueOutbox(now: Date, limit: number): Promise<Array<{ releaseId: string; message: OutboxMessage }>>;
  create(release: Release, first: AuditEntry, outbox: OutboxMessage[]): Promise<void>;
  transact<T>(id: string, fn: (current: StoredRelease) => Commit<T> | Promise<Commit<T>>): Promise<T>;
  close(): Promise<void>;
}

export interface ReleaseRecord {
  release: Release;
  audit: readonly AuditEntry[];
  refusals?: RefusalTally | undefined;
}
