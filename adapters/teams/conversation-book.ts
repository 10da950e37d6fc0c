import { channelIdOf, type ConversationRef, type Fresh, type TeamsConversations, type TeamsPerson } from './conversations.js';

// What each change to the stored references does, whichever store keeps them: a conversation's
// reference and its people merged in, a personal chat noted, a conversation forgotten. A change
// reports what it changed, so a store writes only that, and nothing when nothing changed.

export interface Changed {
  /** Conversation ids put or (when no longer in the book) removed. */
  conversations: Set<string>;
  /** Person ids put. */
  people: Set<string>;
}

export class ConversationBook {
  constructor(
    readonly conversations = new Map<string, ConversationRef>(),
    readonly people = new Map<string, TeamsPerson>(),
  ) {}

  copy(): ConversationBook {
    return new ConversationBook(new Map(this.conversations), new Map(this.people));
  }

  remember(now: Date, conversation: Fresh<ConversationRef>, people: readonly Fresh<TeamsPerson>[]): Changed {
    const changed = none();
    this.put('conversations', now, { ...conversation, id: channelIdOf(conversation.id) }, changed);
    for (const person of people) {
      const known = this.people.get(person.id);
      const merged = {
        ...person,
        ...(person.name === undefined && known?.name !== undefined && { name: known.name }),
        ...(person.personal === undefined && known?.personal && { personal: known.personal }),
      };
      this.put('people', now, merged, changed);
    }
    return changed;
  }

  setPersonal(now: Date, personId: string, conversationId: string, where: Fresh<Omit<ConversationRef, 'id' | 'type'>>): Changed {
    const changed = none();
    const known = this.people.get(personId);
    this.put('people', now, { ...where, ...(known?.name !== undefined && { name: known.name }), id: personId, personal: conversationId }, changed);
    this.put('conversations', now, { ...where, id: conversationId, type: 'personal' }, changed);
    return changed;
  }

  forget(conversationId: string): Changed {
    const changed = none();
    const id = channelIdOf(conversationId);
    if (this.conversations.delete(id)) changed.conversations.add(id);
    for (const [key, person] of this.people) {
      if (person.personal !== id) continue;
      const { personal: _gone, ...rest } = person;
      this.people.set(key, rest);
      changed.people.add(key);
    }
    return changed;
  }

  /** Puts an entry unless it says what the stored one says. */
  private put(kind: 'conversations', now: Date, entry: Fresh<ConversationRef>, changed: Changed): void;
  private put(kind: 'people', now: Date, entry: Fresh<TeamsPerson>, changed: Changed): void;
  private put(kind: 'conversations' | 'people', now: Date, entry: Fresh<ConversationRef> | Fresh<TeamsPerson>, changed: Changed): void {
    const map = this[kind] as Map<string, { id: string; updatedAt: string }>;
    const known = map.get(entry.id);
    if (known) {
      const { updatedAt: _at, ...rest } = known;
      if (same(rest, entry)) return;
    }
    map.set(entry.id, { ...entry, updatedAt: now.toISOString() });
    changed[kind].add(entry.id);
  }
}

export const isEmpty = (changed: Changed): boolean => changed.conversations.size === 0 && changed.people.size === 0;

const none = (): Changed => ({ conversations: new Set(), people: new Set() });

function same(a: object, b: object): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)].filter((k) => (a as Record<string, unknown>)[k] !== undefined || (b as Record<string, unknown>)[k] !== undefined));
  return [...keys].every((k) => (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k]);
}

/**
 * The reads and changes every keeper of the references answers the same way, from the book as it
 * is now (`current`), applying each change to it (`change`); keepers differ in where the book lives.
 */
export abstract class BookKeeper implements TeamsConversations {
  constructor(protected readonly now: () => Date) {}

  /** The book as stored now (a shared keeper first catches up with others' changes). */
  protected abstract current(): Promise<ConversationBook>;
  /** The newest book this keeper holds, without asking anyone. */
  protected abstract latest(): ConversationBook;
  /** Applies `apply` and stores what it changed, one change at a time. */
  protected abstract change(apply: (book: ConversationBook) => Changed): Promise<void>;

  async conversation(id: string): Promise<ConversationRef | undefined> {
    return (await this.current()).conversations.get(channelIdOf(id));
  }

  async person(id: string): Promise<TeamsPerson | undefined> {
    return (await this.current()).people.get(id);
  }

  /**
   * Read as stored now, like every read; each name is then looked up when a card is made, in the
   * newest book held, so a name the activity being answered told golive is shown too, whichever
   * was asked first.
   */
  async names(): Promise<(teamsUserId: string) => string | undefined> {
    await this.current();
    return this.nameOf;
  }

  /** A person's name in the newest book held. */
  private readonly nameOf = (id: string): string | undefined => this.latest().people.get(id)?.name;

  remember(conversation: Fresh<ConversationRef>, people: readonly Fresh<TeamsPerson>[] = []): Promise<void> {
    return this.change((book) => book.remember(this.now(), conversation, people));
  }

  /** On a database each read asks for the changes since the last: an activity's handling asks once, not three or four times. */
  forActivity(): TeamsConversations {
    let caughtUp: Promise<unknown> | undefined;
    const book = async () => {
      await (caughtUp ??= this.current());
      return this.latest();
    };
    return {
      conversation: async (id) => (await book()).conversations.get(channelIdOf(id)),
      person: async (id) => (await book()).people.get(id),
      names: async () => {
        await book();
        return this.nameOf;
      },
      remember: (conversation, people) => this.remember(conversation, people),
      setPersonal: (personId, conversationId, where) => this.setPersonal(personId, conversationId, where),
      forget: (conversationId) => this.forget(conversationId),
      forActivity: () => this.forActivity(),
    };
  }

  setPersonal(personId: string, conversationId: string, where: Fresh<Omit<ConversationRef, 'id' | 'type'>>): Promise<void> {
    return this.change((book) => book.setPersonal(this.now(), personId, conversationId, where));
  }

  forget(conversationId: string): Promise<void> {
    return this.change((book) => book.forget(conversationId));
  }
}
