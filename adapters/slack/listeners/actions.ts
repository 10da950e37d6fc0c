import type { App, BlockAction } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { handleAction } from '../../../src/app/interactions.js';
import { slackActor, slackChannel } from '../identity.js';
import { deliverReplies } from '../replies.js';
import { renderModal } from '../render-modal.js';
import { publishHome } from './home.js';

/** Every button: golive's own become commands or forms; anything else gets a polite private error. */
export function registerActions(bolt: App, deps: SlackDeps): void {
  bolt.action<BlockAction>(/.*/, async ({ ack, body, action, client }) => deps.inflight.run(async () => {
    await ack();
    const channelId = body.channel?.id;
    const origin = { actor: slackActor(body.user.id), ...(channelId && { channel: slackChannel(channelId) }) };
    const value = 'value' in action && typeof action.value === 'string' ? action.value : '';
    const outcome = await handleAction(deps.app, origin, action.action_id, value);
    if (outcome.kind === 'form') {
      // The form remembers where it was opened from, so the answer's reply lands there too.
      const view = renderModal({ ...outcome.form, metadata: JSON.stringify({ m: outcome.form.metadata, ch: channelId ?? null }) });
      await client.views.open({ trigger_id: body.trigger_id, view });
      return;
    }
    await deliverReplies(client, { userId: body.user.id, ...(channelId && { channelId }) }, outcome.replies);
    if (body.container?.type === 'view') await publishHome(client, deps, body.user.id);
    deps.kickOutbox();
  }));
}
