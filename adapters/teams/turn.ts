import { createHash, randomUUID } from 'node:crypto';
import type { Actor } from '../../src/app/request.js';
import { channelIdOf } from './conversations.js';
import type { InboundActivity } from './inbound-activity.js';

// One inbound activity as golive sees it: who (a Teams person, qualified), where (the conversation,
// and the channel a release follows), and the request id a retry of it carries again.

export interface Turn {
  activity: InboundActivity;
  /** The person's Teams id (29:…). */
  user: string;
  actor: Actor;
  /** The conversation as Teams names it (in a channel: the thread, `…;messageid=…`). */
  conversationId: string;
  /** What a release links to: the channel without the thread; undefined in a personal chat. */
  channelId?: string;
  personal: boolean;
}

export function turnOf(activity: InboundActivity): Turn | undefined {
  const user = activity.from?.id;
  if (!user) return undefined;
  const personal = activity.conversation.conversationType === 'personal' || (activity.conversation.conversationType === undefined && activity.conversation.isGroup !== true);
  return {
    activity,
    user,
    actor: { id: `teams:${user}`, platform: 'teams' },
    conversationId: activity.conversation.id,
    ...(!personal && { channelId: channelIdOf(activity.conversation.id) }),
    personal,
  };
}

/**
 * Teams' activity ids are unique within a conversation, and a retry carries the same: the inbox
 * id joins the two, hashed to a fixed size. Without an id, a retry cannot be recognised.
 */
export function requestIdOf(activity: InboundActivity): string {
  if (!activity.id) return `teams:${randomUUID()}`;
  return `teams:${createHash('sha256').update(`${activity.conversation.id}\n${activity.id}`).digest('hex').slice(0, 40)}`;
}
