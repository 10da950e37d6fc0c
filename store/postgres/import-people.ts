import type { PersonKey, PersonPrefs } from '../../src/app/people-port.js';
import { StoreError } from '../../src/app/store-port.js';
import type { Db } from './db.js';
import { prefsOf } from './people-postgres.js';

// Copying people's settings (people.json) into the people table, for `migrate`: all of them in one
// transaction, into a table that holds nobody yet, or none of them.

export async function importPeople(db: Db, people: ReadonlyMap<PersonKey, PersonPrefs>): Promise<void> {
  await db.transaction(async (tx) => {
    // Locked against a golive changing a setting while the table is checked and filled.
    await tx.query('LOCK TABLE people IN EXCLUSIVE MODE');
    const held = Number((await tx.query<{ n: string }>('SELECT count(*)::text AS n FROM people')).rows[0]?.n ?? 0);
    if (held > 0) throw new StoreError(`${db.label} already holds people's settings (${held}): people.json is not copied over them`);
    for (const [person, prefs] of people) {
      await tx.query('INSERT INTO people (person_id, prefs) VALUES ($1, $2::jsonb)', [person, JSON.stringify(prefsOf(prefs, person, 'people.json'))]);
    }
  });
}
