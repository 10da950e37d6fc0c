import { webApi } from '@slack/bolt';
import { RetryLater, type ChatPort, type DeliveryHint } from '../../src/app/delivery/chat-port.js';
import type { View } from '../../src/views/elements.js';
import { renderBlocks } from './render-blocks.js';
import { localId } from '../../src/domain/person-id.js';
import { findPosted, outboxMetadata } from './find-posted.js';
import { blocksJson } from './blocks-json.js';
import { chatCall } from './json-call.js';

/** Whether Slack may accept the same call later: rate limits, server errors, network failures. */
export function asRetryable(error: unknown): unknown {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; message?: string };
  const message = e?.message ?? String(error);
  // Slack limits each method in each channel on its own: the wait holds back only that call there.
  if (e?.code === webApi.ErrorCode.RateLimitedError) return new RetryLater(message, (e.retryAfter ?? 1) * 1000, 'call');
  if (e?.code === webApi.ErrorCode.HTTPError && (e.statusCode === undefined || e.statusCode >= 500)) return new RetryLater(message);
  if (e?.code === webApi.ErrorCode.RequestError) return new RetryLater(message);
  return error;
}

/**
 * The outbox's way into Slack: post returns "channel/ts" so the message can be edited later.
 * Every post carries its outbox key as message metadata; one that may have been posted already
 * (hint.maybeSentSince) is looked for first (find-posted.ts), and not posted again if found. A
 * look-up that fails is logged, and the message posted.
 */
export function slackPort(client: webApi.WebClient, log: (message: string) => void = () => undefined): ChatPort {
  const send = async (channel: string, view: View, key: string) => {
    const rendered = renderBlocks(view);
    return chatCall(client, 'chat.postMessage', { channel, text: rendered.text, unfurl_links: false, unfurl_media: false, metadata: outboxMetadata(key) }, blocksJson(rendered.blocks));
  };
  /** The ref of the message already in `conversation`, when a look-up is asked for and finds it. */
  const already = async (conversation: () => Promise<string>, key: string, hint: DeliveryHint | undefined): Promise<string | undefined> => {
    const since = hint?.maybeSentSince;
    if (!since) return undefined;
    let where = '(its conversation)';
    try {
      where = await conversation();
      const ts = await findPosted(client, where, key, since);
      if (ts === undefined) return undefined;
      log(`slack: ${key} is in ${where} already (ts ${ts}), from a delivery that stopped before recording it; not posted again`);
      return `${where}/${ts}`;
    } catch (error) {
      log(`slack: could not look in ${where} for ${key}, which an interrupted delivery may have posted (${reasonOf(error)}); posting it, so it may show twice`);
      return undefined;
    }
  };
  return {
    async post(channel, view, key, hint) {
      try {
        const found = await already(async () => channel.id, key, hint);
        if (found) return { ref: found };
        const result = await send(channel.id, view, key);
        return { ref: `${result.channel ?? channel.id}/${result.ts}` };
      } catch (error) {
        throw asRetryable(error);
      }
    },
    // Posting to a user id is how Slack opens (or reuses) the app's direct message with them;
    // looking one up needs its D… id, which conversations.open gives.
    async dm(person, view, key, hint) {
      const user = localId(person.id);
      try {
        const found = await already(() => dmChannel(client, user), key, hint);
        if (found) return { ref: found };
        const result = await send(user, view, key);
        return { ref: `${result.channel ?? user}/${result.ts}` };
      } catch (error) {
        throw asRetryable(error);
      }
    },
    async update(channel, ref, view) {
      const [channelId = channel.id, ts = ''] = ref.split('/');
      try {
        const rendered = renderBlocks(view);
        await chatCall(client, 'chat.update', { channel: channelId, ts, text: rendered.text }, blocksJson(rendered.blocks));
      } catch (error) {
        throw asRetryable(error);
      }
    },
  };
}

async function dmChannel(client: webApi.WebClient, user: string): Promise<string> {
  const opened = await client.conversations.open({ users: user });
  if (!opened.channel?.id) throw new Error(`conversations.open gave no conversation for ${user}`);
  return opened.channel.id;
}

function reasonOf(error: unknown): string {
  const data = (error as { data?: { error?: unknown; needed?: unknown } } | undefined)?.data;
  // A platform error names what Slack refused, and for a missing scope which one it needs.
  if (typeof data?.error === 'string') return typeof data.needed === 'string' ? `${data.error}: needs ${data.needed}` : data.error;
  return error instanceof Error ? error.message : String(error);
}
