import { deepFreeze } from '../../src/domain/deep-freeze.js';
import type { Quarantine, SharedRelease, StoredRelease } from '../../src/app/store-port.js';
import type { Channel } from '../../src/domain/release.js';
import { briefly, type Db } from './db.js';
import { JoinedReads } from './joined-reads.js';
import { HEAD_ENTRY, type ReleaseRow } from './release-rows.js';

// Store.shared on PostgreSQL. Every read still asks the database (another replica may have written),
// but only for the row's version. While the version is the one of the copy kept, that frozen copy
// (with the quarantine read from the same row) is handed out again, so a status does not parse the
// state again, and evaluate() and the renderers find what they made of it.
//
// The version is the row version PostgreSQL keeps anyway: the transaction that wrote it (xmin) and
// where it lies (ctid). Any UPDATE of the row, golive's or one made behind its back, writes a new
// version with both changed, and costs nothing to read; a digest of the state cost the server a
// hash of the whole state on every status. Reads of one release's version (or one channel's) at the
// same moment share a statement sent after each asked (joined-reads.ts).

/** Releases whose copy is kept, the most recently read: a burst of statuses is about a few at a time. */
const KEPT = 64;

const VERSION = `r.xmin::text || '/' || r.ctid::text`;

export class SharedCopies {
  private readonly kept = new Map<string, { version: string; shared: SharedRelease }>();
  private readonly versions = new JoinedReads<{ id: string; version: string } | undefined>();

  constructor(private readonly storedOf: (row: ReleaseRow) => StoredRelease) {}

  async read(db: Db, id: string): Promise<SharedRelease | undefined> {
    const now = await this.version(
      db,
      `r\u0000${id}`,
      async () => (await briefly(db)<{ id: string; version: string }>(`SELECT r.id, ${VERSION} AS version FROM releases r WHERE r.id = $1`, [id])).rows[0],
    );
    return now ? this.atVersion(db, id, now.version) : this.forget(id);
  }

  /** The release `channel` follows, with its id: the channel's row and the release's version in one statement. */
  async readByChannel(db: Db, channel: Channel): Promise<{ id: string; shared: SharedRelease } | undefined> {
    const now = await this.version(
      db,
      `c\u0000${channel.platform}\u0000${channel.id}`,
      async () =>
        (
          await briefly(db)<{ id: string; version: string }>(
            `SELECT r.id, ${VERSION} AS version FROM release_channels c JOIN releases r ON r.id = c.release_id WHERE c.platform = $1 AND c.channel_id = $2`,
            [channel.platform, channel.id],
          )
        ).rows[0],
    );
    if (!now) return undefined;
    const shared = await this.atVersion(db, now.id, now.version);
    return shared && { id: now.id, shared };
  }

  /** Inside a transaction a read sees what it wrote and has not committed: never shared. */
  private version(db: Db, key: string, read: () => Promise<{ id: string; version: string } | undefined>): Promise<{ id: string; version: string } | undefined> {
    return db.inTransaction() ? read() : this.versions.read(key, read);
  }

  private forget(id: string): undefined {
    this.kept.delete(id);
    return undefined;
  }

  private async atVersion(db: Db, id: string, version: string): Promise<SharedRelease | undefined> {
    const known = this.kept.get(id);
    this.kept.delete(id);
    if (known?.version === version) {
      // Re-inserted: the Map's order is the order of use, oldest first.
      this.kept.set(id, known);
      return known.shared;
    }
    // The row and its version in one statement, so the copy is kept under its own version.
    const row = (
      await briefly(db)<ReleaseRow & { version: string }>(`SELECT r.state, r.refusals, r.quarantine, r.head_seq, r.head_hash, ${HEAD_ENTRY}, ${VERSION} AS version FROM releases r WHERE r.id = $1`, [
        id,
      ])
    ).rows[0];
    if (!row) return undefined;
    const quarantine: Quarantine | null = row.quarantine;
    const shared = Object.freeze(deepFreeze({ ...this.storedOf(row), ...(quarantine && { quarantine }) }));
    this.kept.set(id, { version: row.version, shared });
    if (this.kept.size > KEPT) this.kept.delete(this.kept.keys().next().value!);
    return shared;
  }
}
