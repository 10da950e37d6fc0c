import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Channel } from '../src/domain/release.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { withHistory } from './long-history.js';
import { writeCopies } from './seeded-store.js';
import { seedScenarioRecord } from './startup-verify.js';

export const SEEDED_RELEASES = 1_000;
export const LONG_HISTORY = 100_000;
/** The release the platform benchmarks ask about, linked to their Slack and Teams channels. */
export const ASKED = 'rel-1';
/** The release whose record holds LONG_HISTORY entries. */
export const LONG = 'rel-0';

export interface Seeded {
  releases: number;
  longHistory: number;
  seedMs: number;
}

/**
 * A data folder as a long-lived golive leaves it: SEEDED_RELEASES copies of the seed scenario's
 * record (roles, answers, sign-offs, risks, switches, made through the console), ASKED linked to
 * `channels`, LONG grown to LONG_HISTORY audit entries. Opened once so the conversion to the
 * append-only layout is done before anything is timed.
 */
export async function seedDataFolder(root: string, channels: Channel[] = []): Promise<Seeded> {
  const started = performance.now();
  const template = await seedScenarioRecord();
  await writeCopies(root, template, SEEDED_RELEASES, undefined, (n) => (`rel-${n}` === ASKED ? channels : []));
  const long = withHistory({ ...template, release: { ...template.release, id: LONG, name: 'Release 0' } }, LONG_HISTORY);
  await writeFile(join(root, 'releases', `${LONG}.json`), JSON.stringify(long));
  const store = await openLowdbStore(root);
  await store.close();
  return { releases: SEEDED_RELEASES, longHistory: LONG_HISTORY, seedMs: performance.now() - started };
}
