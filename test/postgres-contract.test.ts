import type { Quarantine, Store } from '../src/app/store-port.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import { storeContract, type OpenedStore } from './store-contract.js';
import { claimsContract } from './store-contract-claims.js';
import { forEachTarget } from './support/postgres.js';

// The Store contract on PostgreSQL: on PGlite always, on the server when it answers (required in
// CI). Each test gets a fresh schema; a quarantine is what the verify option returns at open.
forEachTarget('the Store contract on PostgreSQL', (target) => {
  const openPostgres = async (): Promise<OpenedStore> => {
    const schema = await target.schema();
    const db = await schema.db();
    let store: Store = await openPostgresStore(db, { closeDb: false });
    const reopenWith = async (quarantined?: { id: string; quarantine: Quarantine }) => {
      await store.close();
      store = await openPostgresStore(db, { closeDb: false, verify: (record) => (record.release.id === quarantined?.id ? quarantined.quarantine : undefined) });
      return store;
    };
    return {
      store,
      reopen: () => reopenWith(),
      quarantine: (id, quarantine) => reopenWith({ id, quarantine }),
      async cleanup() {
        await store.close();
        await schema.drop();
      },
    };
  };
  storeContract(`PostgreSQL store on ${target.name} (store/postgres)`, openPostgres);
  claimsContract(`PostgreSQL store on ${target.name} (store/postgres)`, openPostgres);
});
