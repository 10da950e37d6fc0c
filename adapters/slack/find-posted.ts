import type { webApi } from '@slack/bolt';

// Every message golive posts carries its outbox key as message metadata, so a delivery that may
// have landed before golive could record it (a replica died mid-delivery, or golive before a
// restart) can be found again instead of posted twice: conversations.history, from a little
// before that delivery began, with include_all_metadata. It needs the history scopes of the
// conversations golive posts in (channels:history, groups:history, im:history).

export const OUTBOX_EVENT_TYPE = 'golive_outbox_message';

/** What chat.postMessage is given as `metadata` for the outbox message `key`. */
export function outboxMetadata(key: string): { event_type: string; event_payload: { key: string } } {
  return { event_type: OUTBOX_EVENT_TYPE, event_payload: { key } };
}

/** Slack's clock and golive's may differ a little: the look-up starts this much before the delivery did. */
const LOOKBACK_MS = 120_000;
const PAGE_SIZE = 200;
/** Pages read at most: with the post itself and conversations.open, four calls within DELIVERY_TIMEOUT_MS. */
const MAX_PAGES = 2;

/**
 * The ts of golive's message for outbox `key` in conversation `channel`, posted since a little
 * before `since`; undefined when Slack shows none. Rejects when the look-up cannot tell: a Slack
 * error (a missing scope, not in the channel, rate limited) or more history since then than it reads.
 */
export async function findPosted(client: webApi.WebClient, channel: string, key: string, since: Date): Promise<string | undefined> {
  const from = since.getTime() - LOOKBACK_MS;
  let cursor: string | undefined;
  for (let page = 1; page <= MAX_PAGES; page++) {
    const result = await client.conversations.history({ channel, oldest: slackTs(from), inclusive: true, include_all_metadata: true, limit: PAGE_SIZE, ...(cursor && { cursor }) });
    const found = (result.messages ?? []).find((message) => message.metadata?.event_type === OUTBOX_EVENT_TYPE && keyOf(message.metadata.event_payload) === key);
    if (found?.ts) return found.ts;
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!result.has_more || !cursor) return undefined;
  }
  throw new Error(`${channel} has more than ${MAX_PAGES * PAGE_SIZE} messages since ${new Date(from).toISOString()}, and the message is not among the newest of them`);
}

function keyOf(payload: unknown): unknown {
  return typeof payload === 'object' && payload !== null ? (payload as { key?: unknown }).key : undefined;
}

/** A Slack timestamp ("seconds.micros") for an instant. */
function slackTs(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  return `${seconds}.${String((ms - seconds * 1000) * 1000).padStart(6, '0')}`;
}
