import { z } from 'zod';
import { Instant } from '../../src/domain/primitives.js';

// Where golive can reach Teams later. A conversation golive was added to or heard from keeps its
// reference (service URL, tenant, the bot's id there); a person keeps where they were last seen and
// their personal chat with golive, for private replies and direct messages. Kept in
// teams-conversations.json (conversations-file.ts), or in PostgreSQL (conversations-postgres.ts)
// where several golives share what each of them learnt.

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

/** An entry as it is learnt, before it is stamped with when. */
export type Fresh<T> = Omit<T, 'updatedAt'>;

/** A channel's id without the thread a message was posted in: the release follows the channel. */
export const channelIdOf = (conversationId: string): string => conversationId.split(';')[0] ?? conversationId;

/**
 * The conversation references golive keeps. Every read answers from what is stored now: a
 * reference another golive on the same database learnt is used at once.
 */
export interface TeamsConversations {
  /** The reference of a conversation (by its id, a channel's thread included). */
  conversation(id: string): Promise<ConversationRef | undefined>;
  /** A person by their Teams id (29:…). */
  person(id: string): Promise<TeamsPerson | undefined>;
  /** People's display names as stored now, by Teams id: for the cards about to be rendered. */
  names(): Promise<(teamsUserId: string) => string | undefined>;
  /** Keeps a conversation's reference and what golive learnt there of people (names, where to reach them). */
  remember(conversation: Fresh<ConversationRef>, people?: readonly Fresh<TeamsPerson>[]): Promise<void>;
  /** A personal chat golive opened with someone. */
  setPersonal(personId: string, conversationId: string, where: Fresh<Omit<ConversationRef, 'id' | 'type'>>): Promise<void>;
  /** golive was removed from a conversation: nothing is sent there again. */
  forget(conversationId: string): Promise<void>;
  /**
   * The references as the handling of one inbound activity reads them: its first read asks the
   * store, later ones answer from what that read and the activity's own changes left, which holds
   * every change committed before the activity arrived. Changes go to the store as usual.
   */
  forActivity(): TeamsConversations;
}
