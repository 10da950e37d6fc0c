import { randomUUID } from 'node:crypto';
import type { webApi } from '@slack/bolt';
import type { SlackDeps } from './deps.js';
import type { Received } from '../../src/app/inbox.js';
import type { Tell } from '../../src/app/recover.js';
import type { Reply } from '../../src/app/request.js';
import { handleReceived, outcomeLine } from '../../src/app/received.js';
import { keepingOf, readsOnly } from '../../src/app/reads-only.js';
import { deliverReplies } from './replies.js';
import { renderModal } from './render-modal.js';
import { publishHome } from './listeners/home.js';

// Durable, then ack: a Slack request is in the inbox on disk before Slack hears "received", then
// it is handled, the person answered, and the request marked done. A command that changes nothing
// is only written, not fsynced, before the ack (reads-only.ts says why).

const NOT_SAVED = 'golive could not save your request, so nothing was done. Please try again in a moment.';

/** Slack's id for the request when it has one (retries carry the same), otherwise one of golive's own. */
export const requestId = (triggerId: string | undefined): string => (triggerId && triggerId.length > 0 ? triggerId : randomUUID());

/**
 * Writes `entry` to the inbox (durably, unless it only reads) and then acknowledges. Resolves true when the request is to be
 * handled now: false for a request received already (a retry), and when the inbox could not
 * save it (the person is told nothing was done).
 */
export async function receiveThenAck(deps: SlackDeps, client: webApi.WebClient, entry: Received, ack: (text?: string) => Promise<void>): Promise<boolean> {
  let fresh: boolean;
  try {
    fresh = await deps.inbox.receive(entry, keepingOf(entry));
  } catch (error) {
    deps.log(`inbox: could not save request ${entry.id} from ${entry.actor}: ${error instanceof Error ? error.message : String(error)}`);
    if (entry.kind === 'command') {
      await ack(NOT_SAVED);
    } else {
      await ack();
      await client.chat.postMessage({ channel: entry.reply.user, text: NOT_SAVED });
    }
    return false;
  }
  await ack();
  return fresh;
}

/**
 * Handles an acknowledged request through the app (or takes the replies of its handling started
 * early, see handledEarly), answers the person, and marks it done.
 */
export async function handleAndAnswer(deps: SlackDeps, client: webApi.WebClient, entry: Received, triggerId?: string, early?: Promise<Reply[]>): Promise<void> {
  let line = 'failed before answering';
  try {
    const replies = await (early ?? handleReceived(deps.app, entry, deps.inbox.shared));
    line = outcomeLine(replies);
    const form = replies.find((reply) => reply.kind === 'form');
    if (form) {
      // The form remembers where it was opened from, so the answer's reply lands there too.
      const view = renderModal({ ...form.form, metadata: JSON.stringify({ m: form.form.metadata, ch: entry.reply.channel ?? null }) });
      await client.views.open({ trigger_id: triggerId ?? entry.id, view });
      return;
    }
    await deliverReplies(client, { userId: entry.reply.user, ...(entry.reply.channel && { channelId: entry.reply.channel }) }, replies);
    if (entry.reply.home) await publishHome(client, deps, entry.reply.user);
    // A request that changes nothing gave the outbox nothing to send.
    if (!readsOnly(entry)) deps.kickOutbox();
  } catch (error) {
    line = `${line} (not answered: ${error instanceof Error ? error.message : String(error)})`;
    throw error;
  } finally {
    // Whatever the app did is durable by now; replaying it after a restart would only repeat the message.
    await deps.inbox.done(entry.id, line).catch((error: unknown) => deps.log(`inbox: could not mark ${entry.id} done: ${String(error)}`));
  }
}

/** After a restart: private replies come as a direct message, public ones go to the channel as usual. */
export function slackTell(client: webApi.WebClient): Tell {
  return async (entry, replies) => {
    const privately = replies.filter((reply) => reply.visibility === 'private');
    const publicly = replies.filter((reply) => reply.visibility === 'public');
    await deliverReplies(client, { userId: entry.reply.user }, privately);
    if (publicly.length > 0) await deliverReplies(client, { userId: entry.reply.user, ...(entry.reply.channel && { channelId: entry.reply.channel }) }, publicly);
  };
}
