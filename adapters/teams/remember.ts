import type { TeamsConversations, TeamsPerson } from './conversations.js';
import { tenantOf, type InboundActivity } from './inbound-activity.js';
import { mentionsIn } from './message-text.js';

// Every activity tells golive where a conversation is and who is in it: the reference is kept when
// golive is added (conversationUpdate, installationUpdate) and when it first hears from a
// conversation, and dropped when golive is removed. People keep their name and where to reach them.

const REMOVED = new Set(['remove', 'remove-upgrade']);

export async function rememberActivity(store: TeamsConversations, activity: InboundActivity, log: (message: string) => void): Promise<void> {
  const botId = activity.recipient?.id;
  const removedBot = Array.isArray(activity.membersRemoved) && activity.membersRemoved.some((m: { id?: unknown }) => m?.id === botId);
  const about = activity.type === 'installationUpdate' || activity.type === 'conversationUpdate';
  try {
    if ((activity.type === 'installationUpdate' && REMOVED.has(String(activity.action))) || (activity.type === 'conversationUpdate' && removedBot)) {
      await store.forget(activity.conversation.id);
      return;
    }
    const tenantId = tenantOf(activity);
    const where = { serviceUrl: activity.serviceUrl, ...(tenantId && { tenantId }), ...(botId && { botId }) };
    const type = activity.conversation.conversationType;
    const personal = type === 'personal';
    const people: Omit<TeamsPerson, 'updatedAt'>[] = [];
    const from = activity.from;
    if (from?.id.startsWith('29:')) people.push({ id: from.id, ...(from.name && { name: from.name }), ...where, ...(personal && { personal: activity.conversation.id }) });
    for (const mention of mentionsIn(activity.entities)) {
      const { id, name, type: kind } = mention.mentioned;
      if (id.startsWith('29:') && kind !== 'tag' && !people.some((p) => p.id === id)) people.push({ id, ...(name && { name }), ...where });
    }
    await store.remember({ id: activity.conversation.id, ...where, ...(type && { type }) }, people);
  } catch (error) {
    // Being told of an installation is the point of that activity: Teams hears it failed. A message
    // is still answered; the reference is saved the next time.
    if (about) throw error;
    log(`teams: could not save the conversation reference of ${activity.conversation.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}
