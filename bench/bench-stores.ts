import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ReleaseDocument } from '../store/release-document.js';
import type { Inbox } from '../src/app/inbox.js';
import { recordVerifier } from '../src/app/record-check.js';
import type { Store } from '../src/app/store-port.js';
import { openInboxFile } from '../store/inbox-file.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { postgresServer } from './postgres-bench-store.js';

/**
 * A store the long-history benchmarks (confirm-at-scale, healthz-under-writes) run against. They
 * reach it only through these three calls and then through golive's own code, so measuring
 * another implementation means adding one of these to BENCH_STORES.
 */
export interface BenchStore {
  /** Named in the benchmark's output. */
  name: string;
  /**
   * Makes `dir` (a fresh, empty temp folder) hold `docs` as if golive had written them over time,
   * quickly: a history of 100,000 entries must not take 100,000 durable writes to build. A store
   * that lives elsewhere (a database) may use `dir` only to name a fresh schema or database.
   */
  seed(dir: string, docs: readonly ReleaseDocument[]): Promise<void>;
  /**
   * Opens the seeded store as golive's start-up does (records verified); `sweep: false` leaves out
   * the verification sweep that starts after open, for a figure it must not fall into.
   */
  open(dir: string, options?: { sweep?: boolean }): Promise<Store>;
  /** The inbox golive serving a chat platform saves requests to before acknowledging them. */
  openInbox(dir: string): Promise<Inbox>;
  /** Removes what `seed` made outside `dir` (a schema), once the store and inbox are closed. */
  drop?(dir: string): Promise<void>;
  /** Why this store cannot be measured here (no server answers), or undefined when it can. */
  unavailable?(): Promise<string | undefined>;
}

/** The default: a JSON folder, each release's state, audit log and outbox in its own files (store/lowdb-store.ts). */
export const jsonFolder: BenchStore = {
  name: 'JSON folder',
  async seed(dir, docs) {
    await mkdir(join(dir, 'releases'), { recursive: true });
    for (const doc of docs) await writeFile(join(dir, 'releases', `${doc.release.id}.json`), JSON.stringify(doc));
    const releases = docs.map((doc) => ({ id: doc.release.id, name: doc.release.name, channels: doc.release.channels }));
    await writeFile(join(dir, 'index.json'), JSON.stringify({ version: 1, releases }));
    // Written as version-1 documents, the quickest whole records to write, and converted to the
    // append-only layout by one open, so the benchmark's own open finds the layout golive keeps.
    await (await openLowdbStore(dir)).close();
  },
  open: (dir, options) => openLowdbStore(dir, { verify: recordVerifier({}), ...(options?.sweep === false && { sweepAfterMs: false }) }),
  openInbox: (dir) => openInboxFile(dir),
};

/** A release's whole record read through the port, as the document `seed` takes: a template for seeding. */
export async function documentOf(store: Store, id: string): Promise<ReleaseDocument | undefined> {
  const stored = await store.get(id);
  if (!stored) return undefined;
  return { version: 1, release: stored.release, audit: await store.audit(id), outbox: await store.outbox(id), ...(stored.refusals && { refusals: stored.refusals }) };
}

/** Every store the long-history benchmarks measure, each the same way, one after another. */
export const BENCH_STORES: readonly BenchStore[] = [jsonFolder, postgresServer];

/** Each store to measure, after printing `<title> (<store>): skipped, <reason>` for one that cannot be. */
export async function availableStores(title: string): Promise<BenchStore[]> {
  const available: BenchStore[] = [];
  for (const store of BENCH_STORES) {
    const reason = await store.unavailable?.();
    if (reason === undefined) available.push(store);
    else console.log(`${title} (${store.name}): skipped, ${reason}`);
  }
  return available;
}
