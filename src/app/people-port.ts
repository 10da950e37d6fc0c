import { z } from 'zod';
import { IsoDate } from '../domain/primitives.js';
import { PersonIdSchema, type PersonId } from '../domain/person-id.js';

// What golive keeps about a person rather than a release: their own notification setting and the
// daily digest's bookkeeping. It belongs to nobody's release, so it is not in any release
// document and not in any audit trail; a PostgreSQL store can implement the same port later.

/** A person's key is their qualified id, `slack:U123`: the same platform id on two platforms is two people. */
export type PersonKey = PersonId;

/**
 * The digest of one day, written before it is sent: `sending` on disk with a send that never
 * reported back means golive stopped mid-send (or the platform refused), and `tries` bounds how
 * often that day is tried (see digest.ts).
 */
export const DigestDay = z.object({ day: IsoDate, state: z.enum(['sending', 'sent', 'given-up']), tries: z.number().int().min(1) }).strict();
export type DigestDay = z.infer<typeof DigestDay>;

export const PersonPrefs = z.object({ notify: z.boolean(), digest: DigestDay.optional() }).strict();
export type PersonPrefs = z.infer<typeof PersonPrefs>;

/** Someone golive has never been told anything about: digests are on. */
export const DEFAULT_PREFS: PersonPrefs = { notify: true };

/** `<platform>:<user id>`: never a name an object could inherit, such as `__proto__`. */
export const PersonKeySchema = PersonIdSchema;

export interface PeoplePort {
  /** The person's settings; the defaults for someone never seen. */
  get(key: PersonKey): PersonPrefs;
  /** Applies `change` and saves the result durably before resolving; writes are serialised. */
  update(key: PersonKey, change: (prefs: PersonPrefs) => PersonPrefs): Promise<PersonPrefs>;
}
