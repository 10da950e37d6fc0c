import { storedMessage } from '../../src/app/delivery/outbox-message.js';
import type { ClaimedMessage, EndClaims } from '../../src/app/store-port.js';
import type { Platform } from '../../src/domain/primitives.js';
import type { Queryable } from './db.js';

// The SQL of claims on outbox messages and of named leases (migration 002). A claim is one
// statement: the due rows nobody holds are locked as they are found, skipping rows another
// replica has locked this moment (FOR UPDATE SKIP LOCKED), and marked with the holder and the
// lease's end. A row a replica claimed and committed since this statement began is looked at
// again as it is now (READ COMMITTED re-checks a locked row), so its lease keeps it out.

/** Claims up to `limit` due messages for `holder`; see Store.claimDue. */
export async function claimRows(db: Queryable, now: Date, limit: number, holder: string, leaseMs: number, platforms: ReadonlySet<Platform>): Promise<ClaimedMessage[]> {
  const rows = (
    await db.query<{ release_id: string; message: unknown; was_held_by: string | null; was_since: Date | string | null }>(
      `WITH picked AS (
         SELECT o.release_id, o.id, o.claimed_by AS was_held_by, o.claimed_since AS was_since, o.created_at, r.created_order, o.position
           FROM outbox o JOIN releases r ON r.id = o.release_id
          WHERE o.status = 'pending'
            AND (o.due_at IS NULL OR o.due_at <= $1::timestamptz)
            AND (o.lease_until IS NULL OR o.lease_until <= $1::timestamptz)
            AND r.quarantine IS NULL
            -- The last: a message an older golive stored rendered, with its channel at the top.
            AND COALESCE(o.message #>> '{to,channel,platform}', o.message #>> '{to,person,platform}', o.message #>> '{channel,platform}') IN (SELECT jsonb_array_elements_text($3::jsonb))
          ORDER BY o.created_at, r.created_order, o.position
          LIMIT $2
          FOR UPDATE OF o SKIP LOCKED
       ), claimed AS (
         UPDATE outbox o
            SET claimed_by = $4, lease_until = $5::timestamptz,
                -- A claim taken over keeps the time of the first one without an outcome.
                claimed_since = CASE WHEN p.was_held_by IS NULL THEN $1::timestamptz ELSE COALESCE(p.was_since, $1::timestamptz) END
           FROM picked p
          WHERE o.release_id = p.release_id AND o.id = p.id
         RETURNING o.release_id, o.message, p.was_held_by, p.was_since, p.created_at, p.created_order, p.position
       )
       SELECT release_id, message, was_held_by, was_since FROM claimed ORDER BY created_at, created_order, position`,
      [now.toISOString(), limit, JSON.stringify([...platforms]), holder, new Date(now.getTime() + leaseMs).toISOString()],
    )
  ).rows;
  return rows.map((row) => ({
    releaseId: row.release_id,
    message: storedMessage(row.message),
    ...(row.was_held_by !== null && { stale: { since: new Date(row.was_since ?? now).toISOString() } }),
  }));
}

/** The releases, not quarantined, with a message due at `now`: those whose records a claim must know are checked. */
export async function releasesWithDue(db: Queryable, now: Date): Promise<string[]> {
  const rows = (
    await db.query<{ release_id: string }>(
      `SELECT DISTINCT o.release_id FROM outbox o JOIN releases r ON r.id = o.release_id
        WHERE o.status = 'pending' AND (o.due_at IS NULL OR o.due_at <= $1::timestamptz) AND r.quarantine IS NULL`,
      [now.toISOString()],
    )
  ).rows;
  return rows.map((row) => row.release_id);
}

/** Ends `ends.holder`'s claims on these messages of release `id`, in the transaction recording their outcome. */
export async function endClaimRows(tx: Queryable, id: string, ends: EndClaims): Promise<void> {
  if (ends.messageIds.length === 0) return;
  await tx.query(
    `UPDATE outbox SET claimed_by = NULL, lease_until = NULL, claimed_since = NULL
      WHERE release_id = $1 AND claimed_by = $2 AND id IN (SELECT jsonb_array_elements_text($3::jsonb))`,
    [id, ends.holder, JSON.stringify(ends.messageIds)],
  );
}

/**
 * Takes or renews lease `name` for `holder` until `now + ms`; true when it is `holder`'s. Of two
 * replicas inserting it at once, the second waits for the first and then finds it taken.
 */
export async function takeLease(db: Queryable, name: string, holder: string, now: Date, ms: number): Promise<boolean> {
  const result = await db.query(
    `INSERT INTO leases (name, holder, lease_until) VALUES ($1, $2, $4::timestamptz)
     ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, lease_until = excluded.lease_until
      WHERE leases.holder = excluded.holder OR leases.lease_until <= $3::timestamptz
     RETURNING holder`,
    [name, holder, now.toISOString(), new Date(now.getTime() + ms).toISOString()],
  );
  return result.rowCount === 1;
}
