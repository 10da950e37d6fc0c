import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { DEFAULT_PREFS, PersonKeySchema, PersonPrefs, type PeoplePort, type PersonKey } from '../src/app/people-port.js';
import { StoreError } from '../src/app/store-port.js';
import { canonicalJson } from '../src/domain/audit.js';
import { DurableJsonFile, type DurableFs } from './durable-json-file.js';

// <dataDir>/people.json: each person's own settings (notify on or off) and their digest's last
// day, one small file written whole, durably, through the same adapter as the release documents.

export const PEOPLE_FILE = 'people.json';

// An array of pairs, not an object keyed by person: no key can ever be read as an inherited property.
const PeopleDocument = z.object({ version: z.literal(1), people: z.array(z.tuple([PersonKeySchema, PersonPrefs])) }).strict();
type PeopleDocument = z.infer<typeof PeopleDocument>;

/**
 * Opens (or starts) the people file in `dataDir`. A file that is not valid JSON, or does not
 * match its schema, stops start-up with a StoreError naming the file; nothing is reset.
 */
export async function openPeopleFile(dataDir: string, fs?: DurableFs): Promise<PeoplePort> {
  await mkdir(dataDir, { recursive: true });
  const { adapter, people } = await load(dataDir, fs);
  return new PeopleFile(adapter, people);
}

/** What the people file in `dataDir` holds (checked as at open), or undefined when there is none: for `migrate`. */
export async function readPeopleFile(dataDir: string): Promise<Map<PersonKey, PersonPrefs> | undefined> {
  const { found, people } = await load(dataDir);
  return found ? people : undefined;
}

async function load(dataDir: string, fs?: DurableFs) {
  const file = join(dataDir, PEOPLE_FILE);
  const adapter = new DurableJsonFile<PeopleDocument>(file, (value) => check(file, value), fs);
  const doc = await adapter.read();
  const people = new Map<PersonKey, PersonPrefs>();
  for (const [key, prefs] of doc?.people ?? []) {
    if (people.has(key)) throw new StoreError(`${file}: lists ${key} twice; fix or remove the file and start again`, file);
    people.set(key, prefs);
  }
  return { adapter, people, found: doc != null };
}

function check(file: string, value: unknown): PeopleDocument {
  const parsed = PeopleDocument.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new StoreError(`${file}: is not a valid people file (${issue.path.join('.') || 'top level'}: ${issue.message}); fix or remove it and start again`, file);
}

class PeopleFile implements PeoplePort {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly adapter: DurableJsonFile<PeopleDocument>,
    private readonly people: Map<PersonKey, PersonPrefs>,
  ) {}

  async get(key: PersonKey): Promise<PersonPrefs> {
    return this.current(key);
  }

  private current(key: PersonKey): PersonPrefs {
    return structuredClone(this.people.get(key) ?? DEFAULT_PREFS);
  }

  update(key: PersonKey, change: (prefs: PersonPrefs) => PersonPrefs): Promise<PersonPrefs> {
    const run = async () => {
      const before = this.current(key);
      const next = PersonPrefs.parse(change(structuredClone(before)));
      if (canonicalJson(next) === canonicalJson(before)) return next;
      const people = new Map(this.people).set(key, next);
      // Memory follows the disk: a write that fails leaves both as they were.
      await this.adapter.write({ version: 1, people: [...people] });
      this.people.set(key, next);
      return structuredClone(next);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
