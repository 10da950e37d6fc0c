import type { Clock } from '../../src/app/clock.js';
import type { Received } from '../../src/app/inbox.js';
import { ChannelReference } from '../../src/domain/release.js';
import { tenantOf } from './inbound-activity.js';
import type { Tell } from '../../src/app/recover.js';
import { handleReceived, outcomeLine } from '../../src/app/received.js';
import { keepingOf, readsOnly } from '../../src/app/reads-only.js';
import type { Reply } from '../../src/app/request.js';
import { errorView } from '../../src/views/messages.js';
import type { AdapterDeps } from '../../src/app/adapter.js';
import type { TeamsOutbound } from './outbound.js';
import type { CardOptions } from './render.js';
import { deliverReplies, type ReplyTarget } from './replies.js';
import { requestIdOf, type Turn } from './turn.js';

// Durable, then answered: a command or button press is in the inbox on disk before Teams gets its
// HTTP response, then handled through the app, the person answered, and the request marked done.
// A command that changes nothing is only written, not fsynced, first (reads-only.ts says why).

type EntryBody = { kind: 'command'; text: string } | { kind: 'action'; actionId: string; value: string } | { kind: 'form'; formId: string; metadata: string; values: Record<string, string> };

export function entryOf(clock: Clock, turn: Turn, body: EntryBody): Received {
  const reference = turn.channelId && referenceOf(turn);
  return {
    type: 'received',
    id: requestIdOf(turn.activity),
    at: clock.now().toISOString(),
    platform: 'teams',
    // Teams' own id for the person (29:…): the app qualifies it as teams:29:….
    actor: turn.user,
    ...(turn.channelId && { channel: turn.channelId }),
    // A release created or linked here keeps where to post to it later.
    ...(reference && { reference }),
    // `channel` is where the person wrote; with no `channel` above, that was their personal chat.
    reply: { user: turn.user, channel: turn.conversationId },
    ...body,
  } as Received;
}

/** The reference a channel carries in the record: enough to post to it later without this activity. */
function referenceOf(turn: Turn): ChannelReference | undefined {
  const { activity } = turn;
  if (!turn.channelId) return undefined;
  const tenantId = tenantOf(activity);
  const botId = activity.recipient?.id;
  const reference = { serviceUrl: activity.serviceUrl, conversationId: turn.channelId, ...(tenantId && { tenantId }), ...(botId && { botId }) };
  // A reference the record would refuse (an id too long for it) is left out: the adapter's own store still has it.
  return ChannelReference.safeParse(reference).success ? reference : undefined;
}

export type Receipt = 'fresh' | 'seen' | 'failed';

/** Writes the entry (durably, unless it only reads); `seen` for a retry of one already received, `failed` when it could not be saved. */
export async function receive(deps: AdapterDeps, entry: Received): Promise<Receipt> {
  try {
    return (await deps.inbox.receive(entry, keepingOf(entry))) ? 'fresh' : 'seen';
  } catch (error) {
    deps.log(`inbox: could not save Teams request ${entry.id} from ${entry.actor}: ${error instanceof Error ? error.message : String(error)}`);
    return 'failed';
  }
}

export const NOT_SAVED = 'golive could not save your request, so nothing was done. Please try again in a moment.';
export const notSaved = (): Reply => ({ kind: 'view', visibility: 'private', view: errorView(NOT_SAVED) });

/** Where an entry's replies go: the conversation it came from, which may be the person's own chat. */
export function targetOf(entry: Received): ReplyTarget {
  const conversation = entry.reply.channel;
  return { user: entry.reply.user, ...(conversation && { conversation: { id: conversation, personal: entry.channel === undefined } }) };
}

/** Handles a typed command after Teams has its response (or takes the replies of its handling started early, see handledEarly), answers the person, and marks it done. */
export async function answerCommand(deps: AdapterDeps, out: TeamsOutbound, entry: Received, options: CardOptions, early?: Promise<Reply[]>): Promise<void> {
  let line = 'failed before answering';
  try {
    const replies = await (early ?? handleReceived(deps.app, entry, deps.inbox.shared));
    line = outcomeLine(replies);
    await deliverReplies(out, targetOf(entry), replies, options);
    // A request that changes nothing gave the outbox nothing to send.
    if (!readsOnly(entry)) deps.kickOutbox();
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    line = `${line} (not answered: ${reason})`;
    deps.log(`teams: could not answer request ${entry.id} from ${entry.actor}: ${reason}`);
  } finally {
    // Whatever the app did is durable by now; replaying it after a restart would only repeat the message.
    await deps.inbox.done(entry.id, line).catch((error: unknown) => deps.log(`inbox: could not mark ${entry.id} done: ${String(error)}`));
  }
}

/** After a restart: private replies in the person's personal chat, public ones where they asked. */
export function teamsTell(out: () => TeamsOutbound, options: () => Promise<CardOptions>): Tell {
  return async (entry, replies) => deliverReplies(out(), targetOf(entry), replies, await options());
}
