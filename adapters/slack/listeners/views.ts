import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { SlackDeps } from '../deps.js';
import { submitForm } from '../../../src/app/interactions.js';
import { slackActor, slackChannel } from '../identity.js';
import { deliverReplies } from '../replies.js';
import { formErrors, readFormValues } from '../render-modal.js';
import { publishHome } from './home.js';

const Wrapped = z.object({ m: z.string(), ch: z.string().nullable() });

function unwrap(metadata: string): { metadata: string; channelId?: string } {
  try {
    const parsed = Wrapped.safeParse(JSON.parse(metadata));
    if (parsed.success) return { metadata: parsed.data.m, ...(parsed.data.ch && { channelId: parsed.data.ch }) };
  } catch {
    // Not ours: submitForm refuses it with a clear message.
  }
  return { metadata };
}

/** A submitted form: field errors go back into the modal; otherwise it closes and the answer is recorded. */
export function registerViews(bolt: App, deps: SlackDeps): void {
  bolt.view(/.*/, async ({ ack, body, view, client }) => deps.inflight.run(async () => {
    const { metadata, channelId } = unwrap(view.private_metadata);
    const origin = { actor: slackActor(body.user.id), ...(channelId && { channel: slackChannel(channelId) }) };
    const outcome = await submitForm(deps.app, origin, view.callback_id, metadata, readFormValues(view.state.values));
    if (outcome.kind === 'errors') {
      await ack(formErrors(outcome.errors));
      return;
    }
    await ack();
    await deliverReplies(client, { userId: body.user.id, ...(channelId && { channelId }) }, outcome.replies);
    if (!channelId) await publishHome(client, deps, body.user.id);
    deps.kickOutbox();
  }));
}
