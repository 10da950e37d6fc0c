import type { AuditEntry } from '../../src/domain/audit-entry.js';
import type { Channel, Release } from '../../src/domain/release.js';
import type { OutboxMessage } from '../../src/app/delivery/outbox-message.js';
import type { Queryable } from './db.js';
import type { RefusalTally } from '../../src/app/refusal-tally.js';
import { ChannelTakenError, StoreError, type Quarantine } from '../../src/app/store-port.js';

// The SQL of one release's rows, read under its lock and written in the same transaction.
// jsonb goes in as JSON text: both drivers would turn a JavaScript array into a PostgreSQL one.

/** The releases row with its head entry, as a transaction sees it. */
export interface ReleaseRow {
  state: unknown;
  refusals: unknown;
  quarantine: Quarantine | null;
  head_seq: number;
  head_hash: string | null;
  /** The audit row at head_seq, if there is one. */
  head: unknown;
}

/**
 * The head entry of the release row `r`, by the audit table's whole key. A subquery, not a join: the
 * statements are prepared, and a plan made while the audit table was small (a new database, never
 * analyzed) joined every entry of the release and kept the head, a cost that grew with its history.
 */
export const HEAD_ENTRY = '(SELECT a.entry FROM audit a WHERE a.release_id = r.id AND a.seq = r.head_seq) AS head';

const SELECT_ROW = `SELECT r.state, r.refusals, r.quarantine, r.head_seq, r.head_hash, ${HEAD_ENTRY} FROM releases r WHERE r.id = $1`;

/** The release's row, locked until the transaction ends: writes to it from any replica wait. */
export async function lockRelease(tx: Queryable, id: string): Promise<ReleaseRow | undefined> {
  const row = (await tx.query<Omit<ReleaseRow, 'head'>>('SELECT state, refusals, quarantine, head_seq, head_hash FROM releases WHERE id = $1 FOR UPDATE', [id])).rows[0];
  if (!row) return undefined;
  // Read by a statement of its own, after the lock: a statement that waited for the lock sees the
  // row as the writer before it left it, but anything joined to it as it was when it began.
  const head = row.head_seq > 0 ? (await tx.query<{ entry: unknown }>('SELECT entry FROM audit WHERE release_id = $1 AND seq = $2', [id, row.head_seq])).rows[0]?.entry : undefined;
  return { ...row, head: head ?? null };
}

export async function readRelease(db: Queryable, id: string): Promise<ReleaseRow | undefined> {
  return (await db.query<ReleaseRow>(SELECT_ROW, [id])).rows[0];
}

/** The rows of these releases with their head entries, by id; ids not there are missing from the map. */
export async function readReleases(db: Queryable, ids: readonly string[]): Promise<Map<string, ReleaseRow>> {
  const rows = (
    await db.query<ReleaseRow & { id: string }>(`SELECT r.id, r.state, r.refusals, r.quarantine, r.head_seq, r.head_hash, ${HEAD_ENTRY} FROM releases r WHERE r.id = ANY($1::text[])`, [ids])
  ).rows;
  return new Map(rows.map(({ id, ...row }) => [id, row]));
}

/** Inserts the row of a new release; false when the id is taken (also by a create racing this one). */
export async function insertRelease(tx: Queryable, release: Release, head: AuditEntry): Promise<boolean> {
  const inserted = await tx.query(`INSERT INTO releases (id, state, head_seq, head_hash) VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (id) DO NOTHING RETURNING id`, [
    release.id,
    JSON.stringify(release),
    head.seq,
    head.hash,
  ]);
  return inserted.rowCount === 1;
}

export interface RowChange {
  release?: Release;
  head?: AuditEntry;
  /** null clears the tally. */
  refusals?: RefusalTally | null;
}

export async function updateRelease(tx: Queryable, id: string, change: RowChange): Promise<void> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown, cast = '') => {
    params.push(value);
    sets.push(`${column} = $${params.length}${cast}`);
  };
  if (change.release) set('state', JSON.stringify(change.release), '::jsonb');
  if (change.head) {
    set('head_seq', change.head.seq);
    set('head_hash', change.head.hash);
  }
  if (change.refusals !== undefined) set('refusals', change.refusals === null ? null : JSON.stringify(change.refusals), '::jsonb');
  if (sets.length > 0) await tx.query(`UPDATE releases SET ${sets.join(', ')} WHERE id = $1`, params);
}

export async function setQuarantine(tx: Queryable, id: string, quarantine: Quarantine | null): Promise<void> {
  await tx.query('UPDATE releases SET quarantine = $2::jsonb WHERE id = $1', [id, quarantine === null ? null : JSON.stringify(quarantine)]);
}

export async function appendEntries(tx: Queryable, id: string, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO audit (release_id, seq, request_id, entry)
     SELECT $1, (e.value->>'seq')::integer, e.value->>'request', e.value FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS e(value, n) ORDER BY e.n`,
    [id, JSON.stringify(entries)],
  );
}

/** Inserts new messages at the end and replaces others in place; a replica's claim on one is left as it is. */
export async function upsertOutbox(tx: Queryable, id: string, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  await tx.query(
    `INSERT INTO outbox (release_id, id, message, status, created_at, due_at)
     SELECT $1, m.value->>'id', m.value, m.value->>'status', (m.value->>'createdAt')::timestamptz, (m.value->>'nextAttemptAt')::timestamptz
       FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS m(value, n) ORDER BY m.n
     ON CONFLICT (release_id, id) DO UPDATE SET message = excluded.message, status = excluded.status, created_at = excluded.created_at, due_at = excluded.due_at`,
    [id, JSON.stringify(messages)],
  );
}

/**
 * Makes release `id` follow exactly `channels`, or throws ChannelTakenError naming the release
 * that follows one of them. A channel another transaction is taking right now is waited for:
 * of two racing for it, the second sees the first's once it commits.
 */
export async function followChannels(tx: Queryable, id: string, channels: readonly Channel[]): Promise<void> {
  // One order for every writer, so two taking the same channels cannot deadlock.
  const wanted = [...new Map(channels.map((channel) => [`${channel.platform}:${channel.id}`, { platform: channel.platform, id: channel.id }])).entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, channel]) => channel);
  const json = JSON.stringify(wanted);
  await tx.query(
    `DELETE FROM release_channels rc WHERE rc.release_id = $1
       AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements($2::jsonb) c WHERE c->>'platform' = rc.platform AND c->>'id' = rc.channel_id)`,
    [id, json],
  );
  // A channel another release gave up between the insert and the look that follows is tried again.
  for (let attempt = 1; wanted.length > 0; attempt++) {
    await tx.query(
      `INSERT INTO release_channels (platform, channel_id, release_id)
       SELECT c.value->>'platform', c.value->>'id', $1 FROM jsonb_array_elements($2::jsonb) WITH ORDINALITY AS c(value, n) ORDER BY c.n
       ON CONFLICT (platform, channel_id) DO NOTHING`,
      [id, json],
    );
    const holders = await tx.query<{ platform: string; channel_id: string; release_id: string }>(
      `SELECT rc.platform, rc.channel_id, rc.release_id FROM release_channels rc JOIN jsonb_array_elements($1::jsonb) c ON c->>'platform' = rc.platform AND c->>'id' = rc.channel_id`,
      [json],
    );
    const holderOf = (channel: { platform: string; id: string }) => holders.rows.find((row) => row.platform === channel.platform && row.channel_id === channel.id)?.release_id;
    const taken = wanted.find((channel) => holderOf(channel) !== undefined && holderOf(channel) !== id);
    if (taken) throw new ChannelTakenError(channels.find((channel) => channel.platform === taken.platform && channel.id === taken.id)!, holderOf(taken)!);
    if (wanted.every((channel) => holderOf(channel) === id)) return;
    if (attempt === 3) throw new StoreError(`release "${id}": its channels kept changing hands while it was written; try again`);
  }
}
