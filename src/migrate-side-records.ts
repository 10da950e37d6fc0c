import { StoreError } from './app/store-port.js';
import type { AuditKey } from './domain/audit.js';
import type { AuditEntry } from './domain/audit-entry.js';
import type { PersonKey, PersonPrefs } from './app/people-port.js';
import { readPeopleFile } from '../store/people-file.js';
import { IDENTITIES_FILE, readIdentityFile } from '../store/identity-file.js';
import { identityProblem } from '../store/identity-record.js';
import type { Db } from '../store/postgres/db.js';
import { importPeople } from '../store/postgres/import-people.js';
import { importIdentityRecord } from '../store/postgres/import-identities.js';
import { readConversationsFile } from '../adapters/teams/conversations-file.js';
import { importConversations } from '../adapters/teams/conversations-postgres.js';
import type { ConversationBook } from '../adapters/teams/conversation-book.js';

// What `migrate` copies besides the releases: people's settings (people.json), the identity record
// (identities.json) and the Teams references (teams-conversations.json), each when present and not
// empty. All are read and checked before anything is copied; the identity record must verify.

export interface SideRecords {
  people?: ReadonlyMap<PersonKey, PersonPrefs>;
  identities?: readonly AuditEntry[];
  conversations?: ConversationBook;
}

/** Reads the three files in `dataDir`; rejects, naming the file, when one does not read or the identity record fails verification. */
export async function readSideRecords(dataDir: string, key: AuditKey): Promise<SideRecords> {
  const people = await readPeopleFile(dataDir);
  const identities = await readIdentityFile(dataDir);
  const conversations = await readConversationsFile(dataDir);
  if (identities) {
    const problem = identityProblem(identities, key, IDENTITIES_FILE);
    if (problem) throw new StoreError(`Nothing was copied: ${IDENTITIES_FILE} must be looked at first. ${problem}`);
  }
  return {
    ...(people && people.size > 0 && { people }),
    ...(identities && identities.length > 0 && { identities }),
    ...(conversations && conversations.conversations.size + conversations.people.size > 0 && { conversations }),
  };
}

/** What of `records` the database already holds some of, named for a message; empty when none. */
export async function heldAlready(db: Db, records: SideRecords): Promise<string[]> {
  const count = async (sql: string) => Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
  const held: string[] = [];
  if (records.people && (await count('SELECT count(*)::text AS n FROM people')) > 0) held.push("people's settings");
  if (records.identities && (await count('SELECT count(*)::text AS n FROM identity_audit')) > 0) held.push('an identity record');
  if (records.conversations && (await count('SELECT ((SELECT count(*) FROM teams_conversations) + (SELECT count(*) FROM teams_people))::text AS n')) > 0) {
    held.push('Teams conversation references');
  }
  return held;
}

/** Copies each record, one transaction each; resolves with a line per record copied, or rejects saying what was copied before the one that failed. */
export async function copySideRecords(db: Db, records: SideRecords, key: AuditKey): Promise<string[]> {
  const lines: string[] = [];
  const copy = async (name: string, work: () => Promise<void>, line: string) => {
    try {
      await work();
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new StoreError(`Copying ${name} failed, and nothing of it was kept: ${reason}. Copied before it: ${lines.length > 0 ? lines.join(' ') : 'the releases only'}`);
    }
    lines.push(line);
  };
  const { people, identities, conversations } = records;
  if (people) await copy('people.json', () => importPeople(db, people), `Copied people.json: the settings of ${people.size} ${people.size === 1 ? 'person' : 'people'}.`);
  if (identities) await copy(IDENTITIES_FILE, () => importIdentityRecord(db, identities, key), `Copied ${IDENTITIES_FILE}: ${identities.length} entries, the chain verified on both sides.`);
  if (conversations) {
    await copy(
      'teams-conversations.json',
      () => importConversations(db, conversations),
      `Copied teams-conversations.json: ${conversations.conversations.size} conversations and ${conversations.people.size} people.`,
    );
  }
  return lines;
}
