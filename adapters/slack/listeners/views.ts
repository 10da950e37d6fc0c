import type { App } from '@slack/bolt';
import { z } from 'zod';
import type { SlackDeps } from '../deps.js';
import { formErrors, readFormValues } from '../render-modal.js';
import { handleAndAnswer, receiveThenAck, requestId } from '../received.js';

const Wrapped = z.object({ m: z.string(), ch: z.string().nullable() });

function unwrap(metadata: string): { metadata: string; channelId?: string } {
  try {
    const parsed = Wrapped.safeParse(JSON.parse(metadata));
    if (parsed.success) return { metadata: parsed.data.m, ...(parsed.data.ch && { channelId: parsed.data.ch }) };
  } catch {
    // Not ours: the app refuses it with a clear message.
  }
  return { metadata };
}

/**
 * A submitted form: field errors go back into the modal and nothing is written; otherwise it is
 * saved to the inbox, the modal closes at once, and the answer is recorded and confirmed after.
 */
export function registerViews(bolt: App, deps: SlackDeps): void {
  bolt.view(/.*/, async ({ ack, body, view, client }) =>
    deps.inflight.run(async () => {
      const { metadata, channelId } = unwrap(view.private_metadata);
      const values = readFormValues(view.state.values);
      const checked = deps.app.checkForm(view.callback_id, metadata, values);
      if (checked.kind === 'errors') {
        await ack(formErrors(checked.errors));
        return;
      }
      const entry = {
        type: 'received' as const,
        kind: 'form' as const,
        id: requestId((body as { trigger_id?: string }).trigger_id),
        at: deps.clock.now().toISOString(),
        platform: 'slack' as const,
        actor: body.user.id,
        ...(channelId && { channel: channelId }),
        // A form opened from App Home answers there: the home tab is refreshed.
        reply: { user: body.user.id, ...(channelId ? { channel: channelId } : { home: true }) },
        formId: view.callback_id,
        metadata,
        values,
      };
      if (!(await receiveThenAck(deps, client, entry, () => ack()))) return;
      await handleAndAnswer(deps, client, entry);
    }),
  );
}
