import type { Connector, Outgoing, Place, TurnClient } from './connector.js';
import type { TeamsConversations } from './conversations.js';

// Where a message goes, from what golive has stored: a conversation by its reference, a person
// through their personal chat with golive, opened first when there is none yet.

export class TeamsOutbound {
  constructor(
    readonly connector: Connector,
    readonly conversations: TeamsConversations,
    /** golive's own account (28:<app id>), when the settings say it. */
    private readonly botId?: string,
  ) {}

  /**
   * Where a conversation is: golive's own reference, refreshed by every activity from it, else the
   * one a release's channel was stored with (golive's file may be newer than the record, or lost).
   */
  /** The same, answering through an inbound activity's own client where it can (Connector.within), reading the references as that activity does. */
  within(turn: TurnClient | undefined, conversations: TeamsConversations = this.conversations): TeamsOutbound {
    return new TeamsOutbound(turn ? this.connector.within(turn) : this.connector, conversations, this.botId);
  }

  async place(conversationId: string, given?: Place): Promise<Place> {
    const stored = await this.conversations.conversation(conversationId);
    const place = stored ?? given;
    if (!place) {
      throw new Error(`golive has no reference for the Teams conversation ${conversationId}: add golive to it, or mention golive there once, so it can post there.`);
    }
    const botId = place.botId ?? stored?.botId ?? this.botId;
    return { serviceUrl: place.serviceUrl, ...(place.tenantId && { tenantId: place.tenantId }), ...(botId && { botId }) };
  }

  async toConversation(conversationId: string, message: Outgoing, given?: Place): Promise<string> {
    return this.connector.send(await this.place(conversationId, given), conversationId, message);
  }

  async update(conversationId: string, activityId: string, message: Outgoing, given?: Place): Promise<void> {
    return this.connector.update(await this.place(conversationId, given), conversationId, activityId, message);
  }

  /** Sends to a person's personal chat with golive (`29:…`), opening it in their tenant when needed. */
  async toPerson(userId: string, message: Outgoing): Promise<string> {
    const person = await this.conversations.person(userId);
    let conversationId = person?.personal;
    if (!conversationId) {
      if (!person)
        throw new Error(`golive has not met the Teams user ${userId} yet, so it cannot open a chat with them: they can send golive a message, or be mentioned in a conversation golive is in.`);
      const where = await this.place(userId, person);
      conversationId = await this.connector.createPersonal(where, userId);
      await this.conversations.setPersonal(userId, conversationId, where);
    }
    return this.connector.send(await this.place(conversationId, person), conversationId, message);
  }
}
