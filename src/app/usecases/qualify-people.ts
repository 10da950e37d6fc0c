import type { AuditKey } from '../../domain/audit.js';
import { stateFingerprint } from '../../domain/fingerprint.js';
import { isPersonPlatform, isQualified, qualify, type PersonPlatform } from '../../domain/person-id.js';
import type { Release } from '../../domain/release.js';
import { bareIds, mapPeople } from '../../domain/release-people.js';
import type { Clock } from '../clock.js';
import { GOLIVE_ACTOR } from '../request.js';
import { RELEASES_PER_READ, type Store, type StoredRelease } from '../store-port.js';
import { changeRelease, newestRecord } from './change.js';

// Records written before people ids carried their platform hold bare ids (`U123`, `dan`), which
// meant people of the platform of the release's first channel. Each such release is brought to the
// qualified form once, at start, by one sealed change made by golive: the history stays as it was
// written, and the chain covers the new state.

export const QUALIFY_COMMAND = 'golive: people ids qualified with their platform';

/**
 * Qualifies the bare ids of every release that verifies; quarantined releases are left alone.
 * Resolves with the ids of the releases changed. A release already qualified is not touched, so
 * a second start adds nothing.
 */
export async function qualifyPeople(store: Store, clock: Clock, auditKey: AuditKey, log?: (message: string) => void): Promise<string[]> {
  const changed: string[] = [];
  const ids = (await store.list()).map((summary) => summary.id);
  for (let at = 0; at < ids.length; at += RELEASES_PER_READ) {
    const page = ids.slice(at, at + RELEASES_PER_READ);
    // Only looked at: shared, not copied (a seeded start copied every release here).
    const read = store.sharedMany ? await store.sharedMany(page) : store.getMany ? await store.getMany(page) : await Promise.all(page.map((id) => store.get(id)));
    for (const [i, stored] of read.entries()) {
      const id = page[i]!;
      // Asked last: on the JSON store, the verdict reads the release's whole log.
      if (!stored || bareIds(stored.release).length === 0 || (await store.quarantine(id))) continue;
      await qualifyOne(store, clock, auditKey, id, stored, log);
      changed.push(id);
    }
  }
  return changed;
}

async function qualifyOne(store: Store, clock: Clock, auditKey: AuditKey, id: string, stored: StoredRelease, log?: (message: string) => void): Promise<void> {
  // Never dated before what the record already holds, whatever the clock says.
  const newest = newestRecord(stored);
  const now = new Date(Math.max(clock.now().getTime(), newest === undefined ? 0 : Date.parse(newest)));
  await changeRelease(store, id, { actor: GOLIVE_ACTOR, command: QUALIFY_COMMAND, now, auditKey, evenIfClosed: true }, (release) => {
    const platform = platformOfPeople(release);
    const ids = bareIds(release);
    const qualified = qualifyRelease(release, platform);
    Object.assign(release, qualified);
    return { before: { ids }, after: { ids: ids.map((bare) => qualify(platform, bare)) }, result: undefined };
  });
  log?.(`release "${id}": people ids qualified with their platform (${platformOfPeople(stored.release)}), one entry added to its record`);
}

/** Whose people a bare id named: the platform of the first channel, the console when there is none. */
function platformOfPeople(release: Release): PersonPlatform {
  const platform = release.channels[0]?.platform;
  return platform !== undefined && isPersonPlatform(platform) ? platform : 'console';
}

/**
 * The release with every bare id qualified with `platform`. A decision made on the state before
 * is still made on the same state, ids aside: its basis is moved along with the ids, so it stays current.
 */
export function qualifyRelease(release: Release, platform: PersonPlatform): Release {
  const was = stateFingerprint(release);
  const next = mapPeople(release, (id) => (isQualified(id) ? id : qualify(platform, id)));
  const now = stateFingerprint(next);
  next.decisions = next.decisions.map((d) => (d.basis === was ? { ...d, basis: now } : d));
  return next;
}
