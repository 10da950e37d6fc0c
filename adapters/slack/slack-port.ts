import { webApi } from '@slack/bolt';
import { RetryLater, type ChatPort } from '../../src/app/delivery/chat-port.js';
import { renderBlocks } from './render-blocks.js';
import { localId } from '../../src/domain/person-id.js';

/** Whether Slack may accept the same call later: rate limits, server errors, network failures. */
export function asRetryable(error: unknown): unknown {
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; message?: string };
  const message = e?.message ?? String(error);
  if (e?.code === webApi.ErrorCode.RateLimitedError) return new RetryLater(message, (e.retryAfter ?? 1) * 1000);
  if (e?.code === webApi.ErrorCode.HTTPError && (e.statusCode === undefined || e.statusCode >= 500)) return new RetryLater(message);
  if (e?.code === webApi.ErrorCode.RequestError) return new RetryLater(message);
  return error;
}

/** The outbox's way into Slack: post returns "channel/ts" so the message can be edited later. */
export function slackPort(client: webApi.WebClient): ChatPort {
  return {
    async post(channel, view) {
      try {
        const rendered = renderBlocks(view);
        const result = await client.chat.postMessage({ channel: channel.id, text: rendered.text, blocks: rendered.blocks, unfurl_links: false, unfurl_media: false });
        return { ref: `${result.channel ?? channel.id}/${result.ts}` };
      } catch (error) {
        throw asRetryable(error);
      }
    },
    // Posting to a user id is how Slack opens (or reuses) the app's direct message with them.
    async dm(person, view) {
      const user = localId(person.id);
      try {
        const rendered = renderBlocks(view);
        const result = await client.chat.postMessage({ channel: user, text: rendered.text, blocks: rendered.blocks, unfurl_links: false, unfurl_media: false });
        return { ref: `${result.channel ?? user}/${result.ts}` };
      } catch (error) {
        throw asRetryable(error);
      }
    },
    async update(channel, ref, view) {
      const [channelId = channel.id, ts = ''] = ref.split('/');
      try {
        const rendered = renderBlocks(view);
        await client.chat.update({ channel: channelId, ts, text: rendered.text, blocks: rendered.blocks });
      } catch (error) {
        throw asRetryable(error);
      }
    },
  };
}
