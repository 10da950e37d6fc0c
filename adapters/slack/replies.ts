import type { webApi } from '@slack/bolt';
import type { Reply } from '../../src/app/request.js';
import { LIMITS, renderBlocks } from './render-blocks.js';
import { blocksJson } from './blocks-json.js';
import { chatCall } from './json-call.js';
import { fitMrkdwn, plainText } from './mrkdwn.js';
import { t } from '../../src/views/elements.js';

// A file's title is shown as plain text; its comment is a message, read as mrkdwn like any other.
const FILE_TITLE = 255;

export interface ReplyTarget {
  userId: string;
  /** The channel the person acted in; absent in App Home and modals opened from it. */
  channelId?: string;
}

const NOT_IN_CHANNEL = new Set(['channel_not_found', 'not_in_channel', 'user_not_in_channel']);

/**
 * Private replies go only to the person (ephemeral in the channel, or a DM from App Home);
 * public ones to the channel; a file, such as the decision paper, is uploaded to the channel.
 */
export async function deliverReplies(client: webApi.WebClient, target: ReplyTarget, replies: readonly Reply[]): Promise<void> {
  for (const reply of replies) {
    // Only the listener that holds the request's trigger can open a form; it does so before this.
    if (reply.kind === 'form') continue;
    if (reply.kind === 'file') {
      await client.filesUploadV2({
        channel_id: reply.visibility === 'public' && target.channelId ? target.channelId : await dmChannel(client, target.userId),
        filename: reply.filename,
        title: plainText(reply.title, FILE_TITLE),
        content: reply.content,
        // The title holds a release's name, which anyone may have chosen: `<!channel>` pings nobody.
        initial_comment: fitMrkdwn([t(reply.title)], LIMITS.section),
      });
      continue;
    }
    const { text, blocks } = renderBlocks(reply.view);
    if (reply.visibility === 'public' && target.channelId) {
      try {
        await chatCall(client, 'chat.postMessage', { channel: target.channelId, text, unfurl_links: false }, blocksJson(blocks));
      } catch (error) {
        if (!NOT_IN_CHANNEL.has(platformError(error) ?? '')) throw error;
        const note = 'golive is not a member of that channel, so this came to you instead: `/invite @golive` there to let it post.';
        const fitted = renderBlocks(reply.view, { maxBlocks: LIMITS.messageBlocks - 1 }).blocks;
        await chatCall(client, 'chat.postMessage', { channel: target.userId, text: `${text}\n${note}` }, blocksJson([...fitted, { type: 'context', elements: [{ type: 'mrkdwn', text: note }] }]));
      }
    } else if (target.channelId) {
      try {
        await chatCall(client, 'chat.postEphemeral', { channel: target.channelId, user: target.userId, text }, blocksJson(blocks));
      } catch (error) {
        // The bot may not be in that channel yet: a private reply then comes as a direct message.
        if (!NOT_IN_CHANNEL.has(platformError(error) ?? '')) throw error;
        await chatCall(client, 'chat.postMessage', { channel: target.userId, text }, blocksJson(blocks));
      }
    } else {
      await chatCall(client, 'chat.postMessage', { channel: target.userId, text }, blocksJson(blocks));
    }
  }
}

const platformError = (error: unknown) => (error as { data?: { error?: string } }).data?.error;

async function dmChannel(client: webApi.WebClient, userId: string): Promise<string> {
  const opened = await client.conversations.open({ users: userId });
  return opened.channel?.id ?? userId;
}
