import { deepFreeze } from '../../src/domain/deep-freeze.js';
import type { StoredRelease } from '../../src/app/store-port.js';
import type { Queryable } from './db.js';
import type { ReleaseRow } from './release-rows.js';

// Store.shared on PostgreSQL. Every read still asks the database (another replica may have written),
// but only for a digest of the row: the state, its head and the refusals as stored now. While the
// digest is the one of the copy kept, that frozen copy is handed out again, so a status does not
// parse the state again, and evaluate() and the renderers find what they made of it; anything else
// in the row, or an edit made behind golive's back, gives another digest and a fresh read.

/** Releases whose copy is kept, the most recently read: a burst of statuses is about a few at a time. */
const KEPT = 64;

const DIGEST = `md5(r.state::text || '|' || r.head_seq || '|' || coalesce(r.head_hash, '') || '|' || coalesce(r.refusals::text, ''))`;

export class SharedCopies {
  private readonly kept = new Map<string, { digest: string; stored: StoredRelease }>();

  constructor(private readonly storedOf: (row: ReleaseRow) => StoredRelease) {}

  async read(db: Queryable, id: string): Promise<StoredRelease | undefined> {
    const now = (await db.query<{ digest: string }>(`SELECT ${DIGEST} AS digest FROM releases r WHERE r.id = $1`, [id])).rows[0];
    const known = this.kept.get(id);
    this.kept.delete(id);
    if (!now) return undefined;
    if (known?.digest === now.digest) {
      // Re-inserted: the Map's order is the order of use, oldest first.
      this.kept.set(id, known);
      return known.stored;
    }
    // The row and its digest in one statement, so the copy is kept under its own digest.
    const row = (
      await db.query<ReleaseRow & { digest: string }>(
        `SELECT r.state, r.refusals, r.quarantine, r.head_seq, r.head_hash, a.entry AS head, ${DIGEST} AS digest
          FROM releases r LEFT JOIN audit a ON a.release_id = r.id AND a.seq = r.head_seq WHERE r.id = $1`,
        [id],
      )
    ).rows[0];
    if (!row) return undefined;
    const stored = Object.freeze(deepFreeze(this.storedOf(row)));
    this.kept.set(id, { digest: row.digest, stored });
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
    return stored;
  }
}
