import type { App } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { commandText } from '../identity.js';
import { handleAndAnswer, receiveThenAck, requestId } from '../received.js';
import { handledEarly } from '../../../src/app/received.js';

/** `/release …`: saved to the inbox, acknowledged, then answered privately or in the channel (one that only reads is handled while it is saved). */
export function registerCommand(bolt: App, deps: SlackDeps): void {
  bolt.command('/release', async ({ command, ack, client }) =>
    deps.inflight.run(async () => {
      const entry = {
        type: 'received' as const,
        kind: 'command' as const,
        id: requestId(command.trigger_id),
        at: deps.clock.now().toISOString(),
        platform: 'slack' as const,
        actor: command.user_id,
        channel: command.channel_id,
        reply: { user: command.user_id, channel: command.channel_id },
        text: commandText(command.text),
      };
      const early = handledEarly(deps.app, entry, deps.inbox.shared);
      if (!(await receiveThenAck(deps, client, entry, (text) => (text ? ack(text) : ack())))) return;
      await handleAndAnswer(deps, client, entry, undefined, early);
    }),
  );
}
