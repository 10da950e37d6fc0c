import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { Instant } from '../../src/domain/primitives.js';
import { StoreError } from '../../src/app/store-port.js';
import { DurableJsonFile, type DurableFs } from '../../store/durable-json-file.js';

// <dataDir>/teams-conversations.json: where golive can reach Teams later. A conversation golive was
// added to or heard from keeps its reference (service URL, tenant, the bot's id there); a person
// keeps where they were last seen and their personal chat with golive, for private replies and
// direct messages. Written whole and durably (temp file, fsync, rename, fsync of the folder), and
// only when something in it changed.

export const CONVERSATIONS_FILE = 'teams-conversations.json';

const Id = z.string().min(1).max(500);
const Where = {
  serviceUrl: z.string().min(1).max(2000),
  tenantId: z.string().min(1).max(200).optional(),
  /** golive's own account in that conversation (28:…), the `bot` of a new conversation. */
  botId: z.string().min(1).max(500).optional(),
};

export const ConversationRef = z.object({ id: Id, ...Where, type: z.string().min(1).max(100).optional(), updatedAt: Instant }).strict();
export type ConversationRef = z.infer<typeof ConversationRef>;

export const TeamsPerson = z.object({ id: Id, name: z.string().max(500).optional(), ...Where, personal: Id.optional(), updatedAt: Instant }).strict();
export type TeamsPerson = z.infer<typeof TeamsPerson>;

// Arrays, not objects keyed by id: no id can ever be read as an inherited property.
const Document = z.object({ version: z.literal(1), conversations: z.array(ConversationRef), people: z.array(TeamsPerson) }).strict();
type Document = z.infer<typeof Document>;

type Fresh<T> = Omit<T, 'updatedAt'>;

/** A channel's id without the thread a message was posted in: the release follows the channel. */
export const channelIdOf = (conversationId: string): string => conversationId.split(';')[0] ?? conversationId;

export class ConversationStore {
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly file: DurableJsonFile<Document>,
    private readonly conversations: Map<string, ConversationRef>,
    private readonly people: Map<string, TeamsPerson>,
    private readonly now: () => Date,
  ) {}

  /** A file that does not read or validate stops start-up with an error naming it; it is never reset. */
  static async open(dataDir: string, now: () => Date, fs?: DurableFs): Promise<ConversationStore> {
    await mkdir(dataDir, { recursive: true });
    const path = join(dataDir, CONVERSATIONS_FILE);
    const file = new DurableJsonFile<Document>(path, (value) => check(path, value), fs);
    const doc = await file.read();
    return new ConversationStore(file, new Map(doc?.conversations.map((c) => [c.id, c])), new Map(doc?.people.map((p) => [p.id, p])), now);
  }

  conversation(id: string): ConversationRef | undefined {
    return this.conversations.get(channelIdOf(id));
  }

  person(id: string): TeamsPerson | undefined {
    return this.people.get(id);
  }

  /** Keeps a conversation's reference and what golive learnt there of people (names, where to reach them). */
  remember(conversation: Fresh<ConversationRef>, people: readonly Fresh<TeamsPerson>[] = []): Promise<void> {
    return this.change(() => {
      let changed = this.put(this.conversations, { ...conversation, id: channelIdOf(conversation.id) });
      for (const person of people) {
        const known = this.people.get(person.id);
        const merged = {
          ...person,
          ...(person.name === undefined && known?.name !== undefined && { name: known.name }),
          ...(person.personal === undefined && known?.personal && { personal: known.personal }),
        };
        changed = this.put(this.people, merged) || changed;
      }
      return changed;
    });
  }

  /** A personal chat golive opened with someone. */
  setPersonal(personId: string, conversationId: string, where: Fresh<Omit<ConversationRef, 'id' | 'type'>>): Promise<void> {
    return this.change(() => {
      const known = this.people.get(personId);
      const person = { ...where, ...(known?.name !== undefined && { name: known.name }), id: personId, personal: conversationId };
      const a = this.put(this.people, person);
      const b = this.put(this.conversations, { ...where, id: conversationId, type: 'personal' });
      return a || b;
    });
  }

  /** golive was removed from a conversation: nothing is sent there again. */
  forget(conversationId: string): Promise<void> {
    return this.change(() => {
      const id = channelIdOf(conversationId);
      let changed = this.conversations.delete(id);
      for (const [key, person] of this.people) {
        if (person.personal !== id) continue;
        const { personal: _gone, ...rest } = person;
        this.people.set(key, rest);
        changed = true;
      }
      return changed;
    });
  }

  /** Puts an entry unless it says what the stored one says; true when it changed. */
  private put<T extends { id: string; updatedAt: string }>(map: Map<string, T>, entry: Fresh<T>): boolean {
    const known = map.get(entry.id);
    if (known) {
      const { updatedAt: _at, ...rest } = known;
      if (same(rest, entry)) return false;
    }
    map.set(entry.id, { ...entry, updatedAt: this.now().toISOString() } as T);
    return true;
  }

  /** Changes run one at a time; memory is put back if the write fails, so it always follows the disk. */
  private change(apply: () => boolean): Promise<void> {
    const run = async () => {
      const conversations = new Map(this.conversations);
      const people = new Map(this.people);
      if (!apply()) return;
      try {
        await this.file.write({ version: 1, conversations: [...this.conversations.values()], people: [...this.people.values()] });
      } catch (error) {
        restore(this.conversations, conversations);
        restore(this.people, people);
        throw error;
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

function same(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => (a as Record<string, unknown>)[k] !== undefined || (b as Record<string, unknown>)[k] !== undefined));
  return [...keys].every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

function restore<T>(map: Map<string, T>, from: Map<string, T>): void {
  map.clear();
  for (const [key, value] of from) map.set(key, value);
}

function check(file: string, value: unknown): Document {
  const parsed = Document.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new StoreError(`${file}: is not a valid Teams conversations file (${issue.path.join('.') || 'top level'}: ${issue.message}); fix or remove it and start again`, file);
  }
  const ids = new Set<string>();
  for (const entry of [...parsed.data.conversations.map((c) => `conversation ${c.id}`), ...parsed.data.people.map((p) => `person ${p.id}`)]) {
    if (ids.has(entry)) throw new StoreError(`${file}: lists ${entry} twice; fix or remove the file and start again`, file);
    ids.add(entry);
  }
  return parsed.data;
}
