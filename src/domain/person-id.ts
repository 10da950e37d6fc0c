import { z } from 'zod';
import { Platform, UserId } from './primitives.js';

// A person id means something on one platform only: `U123` in Slack and `U123` typed in the
// console are two people. So every id golive stores or compares carries its platform,
// `<platform>:<the platform's own id>`: `slack:U123`, `teams:29:1abc…`, `console:alice`.
// The platform's own id may hold `:` itself (Teams ids do); the prefix ends at the first one.

/** A platform-qualified id: `slack:U123`. */
export type PersonId = `${Platform}:${string}`;

/** The platforms people act on; `hook` (a signed webhook) and `golive` (itself) act, but are nobody to ask. */
export const PERSON_PLATFORMS = ['console', 'slack', 'teams'] as const satisfies readonly Platform[];
export type PersonPlatform = (typeof PERSON_PLATFORMS)[number];

export const isPersonPlatform = (platform: string): platform is PersonPlatform => (PERSON_PLATFORMS as readonly string[]).includes(platform);

/** `local` as a person of `platform`. `local` is the platform's own id, never already qualified. */
export function qualify(platform: Platform, local: string): PersonId {
  return `${platform}:${local}`;
}

/** The platform an id is qualified with, or undefined for a bare id (`alice`, `U123`, Teams' `29:1abc`). */
export function platformOf(id: string): Platform | undefined {
  const at = id.indexOf(':');
  if (at <= 0 || at === id.length - 1) return undefined;
  const prefix = Platform.safeParse(id.slice(0, at));
  return prefix.success ? prefix.data : undefined;
}

export function isQualified(id: string): id is PersonId {
  return platformOf(id) !== undefined;
}

/** The platform's own id: `U123` of `slack:U123`; a bare id is returned as it is. */
export function localId(id: string): string {
  return isQualified(id) ? id.slice(id.indexOf(':') + 1) : id;
}

/**
 * An id as a record of `platform` holds it, qualified: records written before ids were qualified
 * hold the bare id, which meant a person of that platform. An id already qualified with `platform`
 * is kept; any other (a console name that happens to contain `slack:`) is qualified again.
 */
export function qualifiedAs(platform: Platform, id: string): PersonId {
  return platformOf(id) === platform ? (id as PersonId) : qualify(platform, id);
}

/** A qualified id, as stored and exchanged: the prefix a known platform, the rest a user id. */
export const PersonIdSchema = z.custom<PersonId>((id) => typeof id === 'string' && isQualified(id) && UserId.safeParse(id).success && UserId.safeParse(localId(id)).success, {
  message: 'is not a person: write <platform>:<user id>, like slack:U123',
});
