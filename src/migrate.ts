import { auditPolicy, ConfigError, readConfig } from './config.js';
import { recordVerifier } from './app/record-check.js';
import { StoreError } from './app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { describeUrl } from '../store/postgres/db.js';
import { importRecord } from '../store/postgres/import-record.js';
import { applyMigrations } from '../store/postgres/migrate.js';
import { openPoolDb } from '../store/postgres/pool-db.js';
import { copySideRecords, heldAlready, readSideRecords } from './migrate-side-records.js';

// `npm run migrate -- --to <postgres URL>`: copies the JSON store in GOLIVE_DATA_DIR into PostgreSQL,
// with people.json, identities.json and teams-conversations.json when they are there. Every chain
// (each release's, the identity record's) is verified before it is copied and again as the
// database holds it; a database that already holds any of the releases, or people's settings, an
// identity record or Teams references when those files are to be copied, gets none of it. golive
// must be stopped (the folder's lock says so otherwise), and the JSON folder is left as it was.

const log = (message: string) => console.error(message);

function target(argv: readonly string[]): string {
  const at = argv.indexOf('--to');
  const url = at >= 0 ? argv[at + 1] : process.env.DATABASE_URL;
  if (!url || !/^postgres(ql)?:\/\/\S+$/.test(url)) {
    throw new ConfigError('Usage: npm run migrate -- --to postgres://user@host/database (or set DATABASE_URL): the PostgreSQL database to copy the JSON store into.');
  }
  return url;
}

async function migrate(): Promise<number> {
  const url = target(process.argv.slice(2));
  const config = readConfig(process.env);
  const audit = auditPolicy(config);
  const verify = recordVerifier(audit);
  const store = await openLowdbStore(config.GOLIVE_DATA_DIR, { log, verify });
  const db = openPoolDb(url, { log });
  try {
    const releases = await store.list();
    const failing: string[] = [];
    for (const { id } of releases) if (await store.quarantine(id)) failing.push(id);
    if (failing.length > 0) throw new StoreError(`Nothing was copied: these releases fail verification here and must be looked at first: ${failing.join(', ')}. \`audit verify\` shows why.`);
    const side = await readSideRecords(config.GOLIVE_DATA_DIR, audit.key);
    await applyMigrations(db, { log });
    const ids = releases.map((r) => r.id);
    const taken = (await db.query<{ id: string }>('SELECT id FROM releases WHERE id = ANY($1::text[]) ORDER BY id', [ids])).rows.map((r) => r.id);
    if (taken.length > 0) throw new StoreError(`Nothing was copied: ${describeUrl(url)} already holds ${taken.length === 1 ? 'a release' : 'releases'} of the same id: ${taken.join(', ')}.`);
    const held = await heldAlready(db, side);
    if (held.length > 0) throw new StoreError(`Nothing was copied: ${describeUrl(url)} already holds ${held.join(', ')}; golive does not copy over them.`);
    let entries = 0;
    const copied: string[] = [];
    for (const { id } of releases) {
      const stored = await store.get(id);
      if (!stored) continue;
      const audited = await store.audit(id);
      try {
        await importRecord(db, { release: stored.release, audit: audited, ...(stored.refusals && { refusals: stored.refusals }), outbox: await store.outbox(id) }, verify);
      } catch (error) {
        // Each release is copied in one transaction: this one left nothing; those before it are there.
        const reason = error instanceof Error ? error.message : String(error);
        throw new StoreError(`Copying ${id} failed, and nothing of it was kept: ${reason}. Copied before it: ${copied.length > 0 ? copied.join(', ') : 'none'}.`);
      }
      copied.push(id);
      entries += audited.length;
      log(`copied ${id}: ${audited.length} audit entries, verified here and in the database`);
    }
    const others = await copySideRecords(db, side, audit.key);
    console.log(
      `Copied ${releases.length} release${releases.length === 1 ? '' : 's'} (${entries} audit entries) from ${config.GOLIVE_DATA_DIR} into ${describeUrl(url)}; every chain verified on both sides. Start golive with DATABASE_URL set to use it.`,
    );
    for (const line of others) console.log(line);
    return 0;
  } finally {
    await db.close();
    await store.close();
  }
}

migrate().then(
  (status) => {
    process.exitCode = status;
  },
  (error: unknown) => {
    console.error(error instanceof ConfigError || error instanceof StoreError ? error.message : `migrate failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 2;
  },
);
