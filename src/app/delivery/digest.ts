import type { Platform } from '../../domain/primitives.js';
import type { Release } from '../../domain/release.js';
import { formatInZone, isWorkingDay, zonedInstant } from '../../domain/calendar.js';
import { criterionOwners, roleMembers } from '../../domain/people.js';
import { todoFor } from '../../domain/todo.js';
import { evaluate, type Readiness } from '../../domain/readiness.js';
import { digestView } from '../../views/digest.js';
import type { ChatPort } from './chat-port.js';
import type { Store } from '../store-port.js';
import type { PeoplePort, PersonKey, PersonPrefs } from '../people-port.js';
import { personOf, type Person } from './outbox-message.js';
import { trustedReleases } from '../usecases/todo.js';
import { TrustedReleaseReader } from '../release-reader.js';
import { isClosed } from '../../domain/outcome.js';
import { nextTurn } from '../../next-turn.js';

// The daily digest: each working day at 09:00, one direct message to each person with something
// waiting, listing all of it.
//
// Exactly once per person per day, across crashes: the day is written to the people file as
// `sending` (durably) before the message goes out and as `sent` after. A `sending` found on a
// later tick means the send failed or golive stopped during it: it is tried again, but a day is
// tried at most DIGEST_TRIES times in all, so a crash at the worst moment (message delivered,
// `sent` not yet written) sends it twice at most, never in a loop. After the last try the day
// is marked `given-up` and the next working day's digest carries the same items anyway.
//
// With several golives on one database, each tick claims a person's day in one update of that
// person (serialised across them) before sending: `sending` with `until`, which the others respect
// until it ends. A golive that dies mid-send leaves the claim to end, then another tries once more.

export const DIGEST_TIME = '09:00';
export const DIGEST_TRIES = 2;
/** How long a send claimed by one tick keeps every other from trying the same digest. */
export const DIGEST_CLAIM_MS = 5 * 60_000;

export interface DigestDeps {
  store: Store;
  people: PeoplePort;
  /** The chat platforms golive delivers to here; a person on any other platform gets no digest. */
  ports: Partial<Record<Platform, ChatPort>>;
  log?: (message: string) => void;
}

/**
 * Sends every digest due at `now`; resolves with how many were sent. Each person is sent theirs on
 * their own platform, the one their id is qualified with; someone on a platform golive is not
 * delivering to here gets none.
 */
export async function digestTick(deps: DigestDeps, now: Date, trusted?: readonly Release[]): Promise<number> {
  const releases = trusted ?? (await trustedReleases(deps.store));
  // A digest is sent in the zone of an open release, on a working day there, from 09:00: before
  // any release is there (every morning, most of the day's ticks) nobody is looked at.
  if (!releases.some(dueForDigest(now))) return 0;
  // Every release is evaluated once for everyone, a few at a time: with a thousand of them a pass
  // takes a few hundred milliseconds of CPU that requests must not wait behind.
  const evaluated = new Map<Release, Readiness>();
  for (const [i, release] of releases.entries()) {
    if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
    evaluated.set(release, evaluate(release, now));
  }
  let sent = 0;
  for (const [i, id] of peopleOf(releases).entries()) {
    if (i > 0 && i % YIELD_EVERY === 0) await nextTurn();
    const person = personOf(id);
    const port = person && deps.ports[person.platform];
    if (!person || !port) continue;
    if (await digestFor(deps, port, person, releases, now, evaluated)) sent += 1;
  }
  return sent;
}

/** Releases evaluated, or people looked at, between two turns of the event loop. */
const YIELD_EVERY = 25;

/** Whether `release` is one a digest could be sent for at `now`: open, and its zone on a working day past 09:00. */
function dueForDigest(now: Date): (release: Release) => boolean {
  const zones = new Map<string, { day: string; past: boolean }>();
  return (release) => {
    if (isClosed(release)) return false;
    const { zone } = release.implementation;
    let here = zones.get(zone);
    if (!here) {
      const day = formatInZone(now, zone, 'yyyy-MM-dd');
      here = { day, past: now.getTime() >= zonedInstant(day, DIGEST_TIME, zone).getTime() };
      zones.set(zone, here);
    }
    return here.past && isWorkingDay(here.day, release.holidays);
  };
}

/**
 * The zone-days whose digests a pass has already covered: once every release's zone is past 09:00
 * and a pass ran without a failed send, later ticks that day cost nothing (no release is evaluated).
 */
function coveredDays(releases: readonly Release[], now: Date): string[] {
  return [...new Set(releases.map((r) => r.implementation.zone))].map((zone) => `${zone}|${formatInZone(now, zone, 'yyyy-MM-dd')}`);
}

function pastDigestTime(releases: readonly Release[], now: Date): boolean {
  return releases.every((r) => {
    const { zone } = r.implementation;
    return now.getTime() >= zonedInstant(formatInZone(now, zone, 'yyyy-MM-dd'), DIGEST_TIME, zone).getTime();
  });
}

/** A tick that is skipped while the previous one still runs: timers and commands may overlap. */
export function digestRunner(deps: DigestDeps): (now: Date) => Promise<number> {
  let running: Promise<number> | undefined;
  const covered = new Set<string>();
  const reader = new TrustedReleaseReader(deps.store);
  const pass = async (now: Date): Promise<number> => {
    const releases = await reader.all();
    const days = coveredDays(releases, now);
    if (days.length > 0 && days.every((day) => covered.has(day))) return 0;
    const complete = pastDigestTime(releases, now);
    let failed = false;
    const log = deps.log;
    const sent = await digestTick({ ...deps, log: (message) => ((failed = true), log?.(message)) }, now, releases);
    if (complete && !failed) for (const day of days) covered.add(day);
    return sent;
  };
  return (now) => {
    if (running) return Promise.resolve(0);
    // A timer's promise is never awaited: a failure (the people file unwritable) is logged, and the next tick tries again.
    running = pass(now)
      .catch((error: unknown) => {
        deps.log?.(`daily digest failed: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      })
      .finally(() => (running = undefined));
    return running;
  };
}

async function digestFor(deps: DigestDeps, port: ChatPort, person: Person, releases: readonly Release[], now: Date, evaluated: ReadonlyMap<Release, Readiness>): Promise<boolean> {
  const { id } = person;
  const key: PersonKey = id;
  const prefs = await deps.people.get(key);
  if (!prefs.notify) return false;
  const todos = todoFor(id, releases, now, evaluated);
  const first = todos[0];
  if (!first) return false;
  // The person's day is that of the release that is due soonest: its zone and its calendar.
  const { zone } = first.release.implementation;
  const day = formatInZone(now, zone, 'yyyy-MM-dd');
  if (!isWorkingDay(day, first.release.holidays)) return false;
  if (now.getTime() < zonedInstant(day, DIGEST_TIME, zone).getTime()) return false;
  // Most ticks end here, on a plain read; the claim below decides, under the person's lock.
  if (!claimable(prefs, day, now)) return false;
  const claim = await claimDay(deps, key, day, now);
  if (claim === undefined) return false;
  if (claim === 'given-up') {
    deps.log?.(`digest for ${key} on ${day} not confirmed sent after ${DIGEST_TRIES} tries; given up for the day`);
    return false;
  }
  const tries = claim;
  try {
    await port.dm(person, digestView(id, todos, now), digestId(key, day));
  } catch (error) {
    deps.log?.(`digest for ${key} on ${day} not sent (try ${tries} of ${DIGEST_TRIES}): ${error instanceof Error ? error.message : String(error)}`);
    // Known not to be under way any more: the next tick may try again without waiting for the claim to end.
    await deps.people.update(key, (p) => (p.digest?.day === day && p.digest.state === 'sending' && p.digest.tries === tries ? { ...p, digest: { day, state: 'sending', tries } } : p));
    return false;
  }
  await deps.people.update(key, (p) => ({ ...p, digest: { day, state: 'sent', tries } }));
  return true;
}

/**
 * Whether the day's digest may be tried now: not sent or given up yet, and not being sent by
 * another tick (another golive on the same database) whose claim has not ended.
 */
function claimable(prefs: PersonPrefs, day: string, now: Date): boolean {
  if (!prefs.notify) return false;
  const last = prefs.digest?.day === day ? prefs.digest : undefined;
  if (!last) return true;
  return last.state === 'sending' && (last.until === undefined || now.getTime() >= Date.parse(last.until));
}

/**
 * Claims the day's digest, as one update of the person: of two golives ticking at once, one sees
 * the other's claim. Resolves with the try this is, 'given-up' when the tries are spent, or
 * undefined when it is not to be sent now.
 */
async function claimDay(deps: DigestDeps, key: PersonKey, day: string, now: Date): Promise<number | 'given-up' | undefined> {
  let claim: number | 'given-up' | undefined;
  await deps.people.update(key, (prefs) => {
    claim = undefined;
    if (!claimable(prefs, day, now)) return prefs;
    const last = prefs.digest?.day === day ? prefs.digest : undefined;
    if (last && last.tries >= DIGEST_TRIES) {
      claim = 'given-up';
      return { ...prefs, digest: { day, state: 'given-up', tries: last.tries } };
    }
    const tries = (last?.tries ?? 0) + 1;
    claim = tries;
    return { ...prefs, digest: { day, state: 'sending', tries, until: new Date(now.getTime() + DIGEST_CLAIM_MS).toISOString() } };
  });
  return claim;
}

/** The idempotency key of one person's digest of one day. */
export function digestId(key: PersonKey, day: string): string {
  return `digest:${key}:${day}`;
}

/** Everyone a release may ask something of: owners, group members, role members, delegates. */
function peopleOf(releases: readonly Release[]): string[] {
  const ids = new Set<string>();
  for (const release of releases) {
    for (const c of release.criteria) for (const p of criterionOwners(release, c)) ids.add(p);
    for (const g of release.groups) {
      for (const p of g.members) ids.add(p);
      for (const d of g.delegates) ids.add(d.delegate);
    }
    for (const p of roleMembers(release, release.approverRole)) ids.add(p);
    for (const d of release.delegates) ids.add(d.delegate);
  }
  return [...ids].sort();
}
