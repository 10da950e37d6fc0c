import { StoreError } from '../../src/app/store-port.js';
import type { AuditKey } from '../../src/domain/audit.js';
import { AuditEntry } from '../../src/domain/audit-entry.js';
import { identityProblem } from '../identity-record.js';
import type { Db } from './db.js';
import { WHERE } from './identity-postgres.js';

// Copying the identity record (identities.json) into identity_audit, for `migrate`: verified before
// it is copied and again as the database then holds it, in one transaction, into an empty table.

const ENTRIES_PER_STATEMENT = 500;

export async function importIdentityRecord(db: Db, entries: readonly AuditEntry[], key: AuditKey): Promise<void> {
  const before = identityProblem(entries, key, 'identities.json');
  if (before) throw new StoreError(`identities.json is not copied: ${before}`);
  await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtextextended('golive.identities.' || current_schema(), 0))`);
    const held = Number((await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM identity_audit')).rows[0]?.n ?? 0);
    if (held > 0) throw new StoreError(`${db.label} already holds an identity record (${held} entries): identities.json is not copied over it`);
    for (let from = 0; from < entries.length; from += ENTRIES_PER_STATEMENT) {
      const batch = entries.slice(from, from + ENTRIES_PER_STATEMENT);
      await tx.query(`INSERT INTO identity_audit (seq, entry) SELECT (e.value->>'seq')::integer, e.value FROM jsonb_array_elements($1::jsonb) AS e(value)`, [JSON.stringify(batch)]);
    }
    const copied = (await tx.query<{ entry: unknown }>('SELECT entry FROM identity_audit ORDER BY seq')).rows.map((row) => AuditEntry.parse(row.entry));
    const after = copied.length === entries.length ? identityProblem(copied, key, WHERE) : `the database holds ${copied.length} entries of ${entries.length}`;
    if (after) throw new StoreError(`identities.json is not copied: the copy fails verification: ${after}`);
  });
}
