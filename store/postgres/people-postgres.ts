import { DEFAULT_PREFS, PersonKeySchema, PersonPrefs, type PeoplePort, type PersonKey } from '../../src/app/people-port.js';
import { StoreError } from '../../src/app/store-port.js';
import { canonicalJson } from '../../src/domain/audit.js';
import { KeyedQueue } from '../keyed-queue.js';
import type { Db, Queryable } from './db.js';
import { applyMigrations, type SchemaOptions } from './migrate.js';

// People's settings in the `people` table, one row each. Nothing is cached: every read goes to
// the database, so a setting changed by another golive counts at once. An update locks the
// person's row (created first if missing, so there is always a row to lock): two golives
// updating one person take turns, each changing what the other left.

/** Opens the people's settings on `db`, bringing its schema up to date first (unless schemaChecked). */
export async function openPostgresPeople(db: Db, options: { log?: (message: string) => void } & SchemaOptions = {}): Promise<PeoplePort> {
  if (!options.schemaChecked) await applyMigrations(db, { ...(options.log && { log: options.log }) });
  return new PostgresPeople(db);
}

class PostgresPeople implements PeoplePort {
  private readonly queue = new KeyedQueue();

  constructor(private readonly db: Db) {}

  async get(key: PersonKey): Promise<PersonPrefs> {
    const person = checkKey(key, this.db.label);
    const row = await this.run(`read the settings of ${person}`, async () => (await this.db.query<{ prefs: unknown }>('SELECT prefs FROM people WHERE person_id = $1', [person])).rows[0]);
    return row ? prefsOf(row.prefs, person, this.db.label) : structuredClone(DEFAULT_PREFS);
  }

  async update(key: PersonKey, change: (prefs: PersonPrefs) => PersonPrefs): Promise<PersonPrefs> {
    const person = checkKey(key, this.db.label);
    const callers = new Set<unknown>();
    const apply = (prefs: PersonPrefs): PersonPrefs => {
      try {
        return PersonPrefs.parse(change(prefs));
      } catch (error) {
        callers.add(error);
        throw error;
      }
    };
    // Updates of one person in this process queue here, holding one connection, not one each.
    return this.queue.run(person, () => this.run(`save the settings of ${person}`, () => this.db.transaction((tx) => this.locked(tx, person, apply)), callers));
  }

  private async locked(tx: Queryable, person: PersonKey, apply: (prefs: PersonPrefs) => PersonPrefs): Promise<PersonPrefs> {
    await tx.query('INSERT INTO people (person_id, prefs) VALUES ($1, $2::jsonb) ON CONFLICT (person_id) DO NOTHING', [person, JSON.stringify(DEFAULT_PREFS)]);
    const row = (await tx.query<{ prefs: unknown }>('SELECT prefs FROM people WHERE person_id = $1 FOR UPDATE', [person])).rows[0];
    const before = prefsOf(row?.prefs, person, this.db.label);
    const next = apply(structuredClone(before));
    if (canonicalJson(next) !== canonicalJson(before)) await tx.query('UPDATE people SET prefs = $2::jsonb WHERE person_id = $1', [person, JSON.stringify(next)]);
    return next;
  }

  /** A database failure becomes a StoreError naming the database; golive's own errors and the caller's pass as they are. */
  private async run<T>(what: string, work: () => Promise<T>, callers: ReadonlySet<unknown> = new Set()): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StoreError || callers.has(error)) throw error;
      throw new StoreError(`${this.db.label}: cannot ${what}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

function checkKey(key: string, label: string): PersonKey {
  const parsed = PersonKeySchema.safeParse(key);
  if (!parsed.success) throw new StoreError(`${label}: "${key}" is not a person golive keeps settings for (${parsed.error.issues[0]!.message})`);
  return parsed.data;
}

/** A row as golive wrote it, or a StoreError that says which row and what is wrong with it. */
export function prefsOf(value: unknown, person: string, label: string): PersonPrefs {
  const parsed = PersonPrefs.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new StoreError(`${label}: the people row of ${person} is not valid settings (${issue.path.join('.') || 'prefs'}: ${issue.message}); fix or delete that row. Nothing was changed.`);
}
