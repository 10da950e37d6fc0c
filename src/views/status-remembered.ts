import type { Release } from '../domain/release.js';
import type { Readiness } from '../domain/readiness.js';
import { deepFreeze } from '../domain/deep-freeze.js';
import type { View } from './elements.js';
import { statusTimes, statusViewAt, type RecordHead, type Undelivered } from './status.js';

// A status is asked for far more often than a release changes: many people, many times a day, the
// same version. A frozen release (the store's shared copy of one version) cannot change, so its
// view is built once for each text that depends on the time and handed out frozen; the platform
// renderers then remember what they made of that one object (see renderBlocks, renderCard).

/** A release changes its time text about once a minute; a few keep a burst around a minute's turn. */
const KEPT_PER_RELEASE = 4;

const remembered = new WeakMap<Release, Map<string, View>>();

/** statusView, the same object each time for the same version, time text, undelivered list and record. */
export function rememberedStatusView(release: Release, readiness: Readiness, now: Date, undelivered: readonly Undelivered[], record: RecordHead | undefined): View {
  const times = statusTimes(release, readiness, now);
  if (!Object.isFrozen(release)) return statusViewAt(release, readiness, times, undelivered, record);
  const key = JSON.stringify([times.left, times.after ?? null, undelivered, record?.seq ?? null, record?.head ?? null]);
  let views = remembered.get(release);
  if (!views) remembered.set(release, (views = new Map()));
  let view = views.get(key);
  if (!view) {
    view = deepFreeze(statusViewAt(release, readiness, times, undelivered, record));
    views.set(key, view);
    // Insertion order: the first key is the oldest.
    if (views.size > KEPT_PER_RELEASE) views.delete(views.keys().next().value!);
  }
  return view;
}
