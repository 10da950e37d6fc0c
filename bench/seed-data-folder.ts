import { performance } from 'node:perf_hooks';
import type { Channel } from '../src/domain/release.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { withHistory } from './long-history.js';
import { writeCopies } from './seeded-store.js';
import { seedVariant, seedVariants, type Variant } from './seed-variants.js';

export const SEEDED_RELEASES = 1_000;
export const LONG_HISTORY = 100_000;
/** The release the platform benchmarks ask about, linked to their Slack and Teams channels. */
export const ASKED = 'rel-1';
/** The release whose record holds LONG_HISTORY entries. */
export const LONG = 'rel-0';
// The long history's answers come this often, so 100,000 of them end before now (2.8 hours).
const LONG_SPACING_MS = 100;
const HOUR = 3_600_000;

export interface Seeded {
  releases: number;
  longHistory: number;
  /** Distinct releases made through the app, of which the others are copies. */
  variants: number;
  /** How many releases of each kind ("sec-release past": 250, ...). */
  kinds: Record<string, number>;
  /** How many are linked to a channel, decided, closed. */
  linked: number;
  decided: number;
  closed: number;
  seedMs: number;
}

/**
 * A data folder as a long-lived golive leaves it: SEEDED_RELEASES releases from both templates,
 * copies of the variants seed-variants.ts makes through the console (roles, answers met, not met
 * and asking for information with their comments, sign-offs, risks, switches, decisions, outcomes,
 * the schedule run), one in seven linked to a Slack channel of its own and ASKED to `channels`;
 * LONG an upcoming SEC release grown to LONG_HISTORY audit entries. Opened once so the conversion
 * to the append-only layout is done before anything is timed.
 */
export async function seedDataFolder(root: string, channels: Channel[] = []): Promise<Seeded> {
  const started = performance.now();
  const now = new Date();
  // The long release: its own upcoming SEC release, its script ending hours ago, so its long history ends before now.
  const [variants, longVariant] = await Promise.all([seedVariants(now), seedVariant({ key: 1, template: 'sec-release', when: 'upcoming' }, new Date(now.getTime() - 3 * HOUR))]);
  const channelsOf = (n: number): Channel[] => (`rel-${n}` === ASKED ? channels : n % 7 === 3 ? [{ platform: 'slack', id: `C0REL${n}` }] : []);
  const long = withHistory(longVariant.doc, LONG_HISTORY, LONG_SPACING_MS);
  await writeCopies(root, (n) => (n === 0 ? long : variants[n % variants.length]!.doc), SEEDED_RELEASES, undefined, channelsOf);
  const store = await openLowdbStore(root);
  await store.close();
  const kinds: Record<string, number> = {};
  let decided = 0;
  let closed = 0;
  let linked = 0;
  for (let n = 0; n < SEEDED_RELEASES; n++) {
    const variant: Variant = n === 0 ? longVariant : variants[n % variants.length]!;
    kinds[variant.label] = (kinds[variant.label] ?? 0) + 1;
    if (variant.doc.release.decisions.length > 0) decided += 1;
    if (variant.doc.release.outcome) closed += 1;
    if (channelsOf(n).length > 0) linked += 1;
  }
  return { releases: SEEDED_RELEASES, longHistory: LONG_HISTORY, variants: variants.length + 1, kinds, linked, decided, closed, seedMs: performance.now() - started };
}
