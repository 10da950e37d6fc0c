import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { commandText, slackActor, slackChannel } from '../identity.js';
import { deliverReplies } from '../replies.js';

/** `/release …`: acknowledged at once, then handled, then answered privately or in the channel. */
export function registerCommand(bolt: App, deps: SlackDeps): void {
  bolt.command('/release', async ({ command, ack, client }) => deps.inflight.run(async () => {
    await ack();
    const target = { userId: command.user_id, channelId: command.channel_id };
    const result = await deps.app.handle({ actor: slackActor(command.user_id), channel: slackChannel(command.channel_id), text: commandText(command.text) });
    await deliverReplies(client, target, result.replies);
    deps.kickOutbox();
  }));
}
