import type { App, BlockAction } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { handleAndAnswer, receiveThenAck, requestId } from '../received.js';

/** Every button: saved to the inbox, acknowledged, then turned into a command or a form. */
export function registerActions(bolt: App, deps: SlackDeps): void {
  bolt.action<BlockAction>(/.*/, async ({ ack, body, action, client }) =>
    deps.inflight.run(async () => {
      const channelId = body.channel?.id;
      const entry = {
        type: 'received' as const,
        kind: 'action' as const,
        id: requestId(body.trigger_id),
        at: deps.clock.now().toISOString(),
        platform: 'slack' as const,
        actor: body.user.id,
        ...(channelId && { channel: channelId }),
        reply: { user: body.user.id, ...(channelId && { channel: channelId }), ...(body.container?.type === 'view' && { home: true }) },
        actionId: action.action_id,
        value: 'value' in action && typeof action.value === 'string' ? action.value : '',
      };
      if (!(await receiveThenAck(deps, client, entry, () => ack()))) return;
      await handleAndAnswer(deps, client, entry, body.trigger_id);
    }),
  );
}
