import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { StoreError } from '../../src/app/store-port.js';
import { DurableJsonFile, type DurableFs } from '../../store/durable-json-file.js';
import { BookKeeper, ConversationBook, isEmpty, type Changed } from './conversation-book.js';
import { ConversationRef, TeamsPerson, type TeamsConversations } from './conversations.js';

// <dataDir>/teams-conversations.json: the references of one golive. Written whole and durably
// (temp file, fsync, rename, fsync of the folder), and only when something in it changed.

export const CONVERSATIONS_FILE = 'teams-conversations.json';

// Arrays, not objects keyed by id: no id can ever be read as an inherited property.
const Document = z.object({ version: z.literal(1), conversations: z.array(ConversationRef), people: z.array(TeamsPerson) }).strict();
type Document = z.infer<typeof Document>;

/** A file that does not read or validate stops start-up with an error naming it; it is never reset. */
export async function openConversationsFile(dataDir: string, now: () => Date, fs?: DurableFs): Promise<TeamsConversations> {
  await mkdir(dataDir, { recursive: true });
  const { file, book } = await load(dataDir, fs);
  return new ConversationsFile(file, book, now);
}

/** What the file in `dataDir` holds (checked as at open), or undefined when there is none: for `migrate`. */
export async function readConversationsFile(dataDir: string): Promise<ConversationBook | undefined> {
  const { book, found } = await load(dataDir);
  return found ? book : undefined;
}

async function load(dataDir: string, fs?: DurableFs) {
  const path = join(dataDir, CONVERSATIONS_FILE);
  const file = new DurableJsonFile<Document>(path, (value) => check(path, value), fs);
  const doc = await file.read();
  const book = new ConversationBook(new Map(doc?.conversations.map((c) => [c.id, c])), new Map(doc?.people.map((p) => [p.id, p])));
  return { file, book, found: doc != null };
}

class ConversationsFile extends BookKeeper {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly file: DurableJsonFile<Document>,
    private book: ConversationBook,
    now: () => Date,
  ) {
    super(now);
  }

  protected async current(): Promise<ConversationBook> {
    return this.book;
  }

  protected latest(): ConversationBook {
    return this.book;
  }

  /** Changes run one at a time, on a copy that replaces the book once it is on disk: memory always follows the disk. */
  protected change(apply: (book: ConversationBook) => Changed): Promise<void> {
    const run = async () => {
      const next = this.book.copy();
      if (isEmpty(apply(next))) return;
      await this.file.write({ version: 1, conversations: [...next.conversations.values()], people: [...next.people.values()] });
      this.book = next;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
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
