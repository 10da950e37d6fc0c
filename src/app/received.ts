import type { GoliveApp } from './app.js';
import type { Received } from './inbox.js';
import { readsOnly } from './reads-only.js';
import type { Origin, Reply } from './request.js';
import type { Channel } from '../domain/release.js';
import { qualify } from '../domain/person-id.js';
import type { Span, View } from '../views/elements.js';

// One entry point for a request taken from the inbox, the same whether it is handled right after
// its acknowledgement or again after a crash.

/** `replay`: look for the request in the record before applying it (it may have been handled before). */
export async function handleReceived(app: GoliveApp, entry: Received, replay = false): Promise<Reply[]> {
  const channel: Channel | undefined = entry.channel !== undefined ? { platform: entry.platform, id: entry.channel, ...(entry.reference && { reference: entry.reference }) } : undefined;
  const origin: Origin = { actor: { id: qualify(entry.platform, entry.actor), platform: entry.platform }, ...(channel && { channel }) };
  const request = { requestId: entry.id, ...(replay && { replay: true }) };
  switch (entry.kind) {
    case 'command':
      return (await app.handle({ ...origin, text: entry.text, ...request })).replies;
    case 'action':
      return app.act(origin, entry.actionId, entry.value, request);
    case 'form':
      return app.submit(origin, entry.formId, entry.metadata, entry.values, request);
  }
}

/**
 * A request that only reads, handled at once, while its receipt is being saved: nothing it does
 * needs the receipt, and on a database the two reads overlap instead of following each other. The
 * adapter gives its replies only once the receipt is saved and the platform answered; if it could
 * not be saved, or it was a retry, they are dropped. Undefined for anything else, which is handled
 * after its receipt is durable.
 */
export function handledEarly(app: GoliveApp, entry: Received, replay = false): Promise<Reply[]> | undefined {
  if (!readsOnly(entry)) return undefined;
  const handling = handleReceived(app, entry, replay);
  // Awaited once the receipt is saved, or never: a failure meanwhile is not unhandled.
  handling.catch(() => undefined);
  return handling;
}

/** What the `done` record keeps: the first reply's title and opening words. */
export function outcomeLine(replies: readonly Reply[]): string {
  const first = replies[0];
  if (!first) return 'nothing to say';
  if (first.kind === 'form') return `form opened: ${first.form.title}`;
  if (first.kind === 'file') return `file sent: ${first.filename}`;
  const opening = first.view.blocks.find((block) => block.type === 'paragraph');
  const words = opening?.type === 'paragraph' ? plain(opening.content) : '';
  return words ? `${first.view.title}: ${words}` : first.view.title;
}

/** How the person would recognise their own request. */
export function describeReceived(entry: Received): string {
  switch (entry.kind) {
    case 'command':
      return `\`${entry.text.length > 120 ? `${entry.text.slice(0, 119)}…` : entry.text}\``;
    case 'action': {
      const word = entry.actionId.split(':')[2];
      return word ? `press of the ${word} button` : 'button press';
    }
    case 'form':
      return 'answer form';
  }
}

/**
 * The replies a person gets for a request golive handled only after an interruption (a restart, or another replica taking over from one that stopped): the first
 * private reply (or a note of its own) says which request this answers and when it was received.
 */
export function recoveredReplies(entry: Received, handled: readonly Reply[]): Reply[] {
  // A form can only be opened while the button press is fresh (Slack's trigger lasts seconds).
  const replies = handled.map(
    (reply): Reply =>
      reply.kind === 'form'
        ? {
            kind: 'view',
            visibility: 'private',
            view: { title: 'Press the button again', blocks: [{ type: 'paragraph', content: [{ type: 'text', text: 'The form could not be opened in time. Press the button again to answer.' }] }] },
          }
        : reply,
  );
  const received = `${entry.at.slice(11, 16)} UTC, ${entry.at.slice(0, 10)}`;
  const lead = `golive was interrupted before it answered your ${describeReceived(entry)} (received ${received})`;
  const at = replies.findIndex((reply) => reply.kind === 'view' && reply.visibility === 'private');
  const noted = (view: View): View => ({ title: `${lead}: ${view.title}`, blocks: [{ type: 'paragraph', content: [{ type: 'text', text: `${lead}:` }] }, ...view.blocks] });
  if (at < 0) {
    const summary = replies.length === 0 ? 'nothing to report.' : 'the answer is below or in the channel.';
    return [{ kind: 'view', visibility: 'private', view: { title: lead, blocks: [{ type: 'paragraph', content: [{ type: 'text', text: `${lead}: ${summary}` }] }] } }, ...replies];
  }
  return replies.map((reply, index) => (index === at && reply.kind === 'view' ? { ...reply, view: noted(reply.view) } : reply));
}

function plain(spans: readonly Span[]): string {
  const text = spans.map((span) => (span.type === 'text' ? span.text : span.type === 'user' ? `@${span.id}` : (span.label ?? span.url))).join('');
  return text.replace(/\s+/g, ' ').trim();
}
