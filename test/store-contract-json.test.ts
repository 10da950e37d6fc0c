import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Quarantine, Store } from '../src/app/store-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { storeContract, type OpenedStore } from './store-contract.js';
import { claimsContract } from './store-contract-claims.js';

// The Store contract on the JSON folder store; a quarantine is what its verify option returns at open.
const openJson = async (): Promise<OpenedStore> => {
  const dir = await mkdtemp(join(tmpdir(), 'golive-contract-'));
  let store: Store = await openLowdbStore(dir);
  const reopenWith = async (quarantined?: { id: string; quarantine: Quarantine }) => {
    await store.close();
    store = await openLowdbStore(dir, { verify: (doc) => (doc.release.id === quarantined?.id ? quarantined.quarantine : undefined) });
    return store;
  };
  return {
    store,
    reopen: () => reopenWith(),
    quarantine: (id, quarantine) => reopenWith({ id, quarantine }),
    async cleanup() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
};
storeContract('JSON folder (store/lowdb-store.ts)', openJson);
claimsContract('JSON folder (store/lowdb-store.ts)', openJson);
