import type { Release } from '../domain/release.js';
import type { Readiness } from '../domain/readiness.js';
import { deepFreeze } from '../domain/deep-freeze.js';
import type { View } from './elements.js';
import { statusTimes, statusViewAt, type RecordHead, type Undelivered } from './status.js';

// A status is asked for far more often than a release changes: many people, many times a day, the
// same version. A frozen release (the store's shared copy of one version) cannot change, so its
// view is built once for each text that depends on the time and handed out frozen; the platform
// renderers then remember what they made of that one object (keyed by it, in the adapters), for as
// long as the view is kept here.

/**
 * Views kept, the most recently asked for: a burst of statuses is about a few releases at a time.
 * Bounded across releases, as each view keeps its renderings (tens of KB each) alive with it.
 */
const KEPT = 16;

const remembered = new Map<string, { release: Release; view: View }>();

/** statusView, the same object each time for the same version, time text, undelivered list and record. */
export function rememberedStatusView(release: Release, readiness: Readiness, now: Date, undelivered: readonly Undelivered[], record: RecordHead | undefined): View {
  const times = statusTimes(release, readiness, now);
  if (!Object.isFrozen(release)) return statusViewAt(release, readiness, times, undelivered, record);
  const key = JSON.stringify([release.id, times.left, times.after ?? null, undelivered, record?.seq ?? null, record?.head ?? null]);
  const known = remembered.get(key);
  // Another version of the release under the same key (it changed, and its record head did not
  // say so, as on a store without one) is not this one.
  if (known && known.release === release) {
    // Re-inserted: the Map's order is then the order of use, oldest first.
    remembered.delete(key);
    remembered.set(key, known);
    return known.view;
  }
  const view = deepFreeze(statusViewAt(release, readiness, times, undelivered, record));
  remembered.delete(key);
  remembered.set(key, { release, view });
  if (remembered.size > KEPT) remembered.delete(remembered.keys().next().value!);
  return view;
}
