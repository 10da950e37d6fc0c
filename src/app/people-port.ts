import { z } from 'zod';
import { Instant, IsoDate } from '../domain/primitives.js';
import { PersonIdSchema, type PersonId } from '../domain/person-id.js';

// What golive keeps about a person rather than a release: their own notification setting and the
// daily digest's bookkeeping. It belongs to nobody's release, so it is not in any release
// document and not in any audit trail. Kept in people.json, or in PostgreSQL beside the releases.

/** A person's key is their qualified id, `slack:U123`: the same platform id on two platforms is two people. */
export type PersonKey = PersonId;

/**
 * The digest of one day, written before it is sent: `sending` on disk with a send that never
 * reported back means golive stopped mid-send (or the platform refused), and `tries` bounds how
 * often that day is tried (see digest.ts). `until`: a send is under way, by this golive or another
 * on the same database, and nobody else tries it before then.
 */
export const DigestDay = z.object({ day: IsoDate, state: z.enum(['sending', 'sent', 'given-up']), tries: z.number().int().min(1), until: Instant.optional() }).strict();
export type DigestDay = z.infer<typeof DigestDay>;

export const PersonPrefs = z.object({ notify: z.boolean(), digest: DigestDay.optional() }).strict();
export type PersonPrefs = z.infer<typeof PersonPrefs>;

/** Someone golive has never been told anything about: digests are on. */
export const DEFAULT_PREFS: PersonPrefs = { notify: true };

/** `<platform>:<user id>`: never a name an object could inherit, such as `__proto__`. */
export const PersonKeySchema = PersonIdSchema;

export interface PeoplePort {
  /** The person's settings as stored now (another golive's change included); the defaults for someone never seen. */
  get(key: PersonKey): Promise<PersonPrefs>;
  /**
   * Applies `change` to the person's settings as stored now and saves the result durably before
   * resolving. Updates of one person are serialised, across every golive on the same store, so
   * `change` sees the result of the one before it: a claim made in it is made once.
   */
  update(key: PersonKey, change: (prefs: PersonPrefs) => PersonPrefs): Promise<PersonPrefs>;
}
