import type { Received } from '../../src/app/inbox.js';
import { handleReceived, outcomeLine } from '../../src/app/received.js';
import type { Reply } from '../../src/app/request.js';
import { AnswerFormMetadata, actionValue } from '../../src/app/language/action-ids.js';
import { divider, paragraph, t, type View } from '../../src/views/elements.js';
import { errorView } from '../../src/views/messages.js';
import type { AdapterDeps } from '../../src/app/adapter.js';
import type { TeamsOutbound } from './outbound.js';
import { CARD_CONTENT_TYPE, FORM_VERBS, REFRESH_VERBS, formCard, readFormData, viewCard, type Card, type CardOptions } from './render.js';
import { deliverReplies } from './replies.js';
import { NOT_SAVED, entryOf, receive, targetOf } from './received.js';
import type { Turn } from './turn.js';
import { checklistFor, refreshData, releaseOfValue } from './viewer-card.js';

// A press of an Action.Execute button (an `adaptiveCard/action` invoke). Teams shows the card the
// invoke answers with to the person who pressed, in place of the one they pressed on: the answer
// form, their refusal, or the checklist as it now is with their own buttons. A press that changes
// something is in the inbox before the answer is sent; refreshes and cancels change nothing.

export interface InvokeBody {
  statusCode: 200;
  type: typeof CARD_CONTENT_TYPE;
  value: Card;
}

export interface InvokeAnswer {
  body: InvokeBody;
  /** Public replies, posted to the conversation once Teams has its answer. */
  after?: () => Promise<void>;
}

const ANSWER_FIELDS = ['evidence', 'comment'];
const CHANGES = /^golive:(answer|signoff|decide):[a-z-]+$/;

export async function answerCardAction(deps: AdapterDeps, out: TeamsOutbound, turn: Turn, value: unknown, options: CardOptions): Promise<InvokeAnswer> {
  const action = (value as { action?: { verb?: unknown; data?: unknown } } | undefined)?.action;
  const verb = typeof action?.verb === 'string' ? action.verb : '';
  const data = (typeof action?.data === 'object' && action.data !== null ? action.data : {}) as Record<string, unknown>;
  const card = (view: View, release?: string) => answer(viewCard(view, cardOptions(options, turn, release)));

  if (REFRESH_VERBS.has(verb)) {
    const release = releaseOfValue(data.value);
    return card((await current(deps, turn, release)) ?? gone(), release);
  }
  if (verb === FORM_VERBS.cancel) {
    const release = metadataOf(data.metadata)?.r;
    return card((await current(deps, turn, release)) ?? gone(), release);
  }
  if (verb === FORM_VERBS.submit) return submit(deps, out, turn, data, options);
  if (CHANGES.test(verb) && typeof data.value === 'string') {
    const release = releaseOfValue(data.value);
    const entry = entryOf(deps.clock, turn, { kind: 'action', actionId: verb, value: data.value });
    return handled(deps, out, turn, entry, release, options);
  }
  return card(errorView('That button is not one golive knows (it may come from an older card). Send `release status` for the current checklist.'));
}

async function submit(deps: AdapterDeps, out: TeamsOutbound, turn: Turn, data: Record<string, unknown>, options: CardOptions): Promise<InvokeAnswer> {
  const submitted = readFormData(data, ANSWER_FIELDS);
  const meta = metadataOf(submitted?.metadata);
  if (!submitted || !meta) return answer(viewCard(errorView('That form is not one golive knows. Send `release status` and answer from the checklist.'), cardOptions(options, turn)));
  const checked = deps.app.checkForm(submitted.form, submitted.metadata, submitted.values);
  if (checked.kind === 'errors') {
    // The form again, as the person filled it in, with what is wrong: nothing was written.
    const again = await deps.app.act({ actor: turn.actor }, `golive:answer:${meta.a}`, actionValue({ r: meta.r, c: meta.c }));
    const form = again.find((reply) => reply.kind === 'form');
    if (form) return answer(formCard(form.form, checked.errors, submitted.values));
    return answer(viewCard(combine(again, await current(deps, turn, meta.r)), cardOptions(options, turn, meta.r)));
  }
  const entry = entryOf(deps.clock, turn, { kind: 'form', formId: submitted.form, metadata: submitted.metadata, values: submitted.values });
  return handled(deps, out, turn, entry, meta.r, options);
}

/** Saves a press that changes something, handles it through the app, and answers with a card. */
async function handled(deps: AdapterDeps, out: TeamsOutbound, turn: Turn, entry: Received, release: string | undefined, options: CardOptions): Promise<InvokeAnswer> {
  const card = (view: View) => answer(viewCard(view, cardOptions(options, turn, release)));
  const receipt = await receive(deps, entry);
  if (receipt === 'failed') return card(withCurrent(errorView(NOT_SAVED), await current(deps, turn, release)));
  // A retry of a press already handled: the card as it now is.
  if (receipt === 'seen') return card((await current(deps, turn, release)) ?? gone());
  let line = 'failed before answering';
  try {
    const replies = await handleReceived(deps.app, entry, deps.inbox.shared);
    line = outcomeLine(replies);
    const form = replies.find((reply) => reply.kind === 'form');
    if (form) return answer(formCard(form.form));
    deps.kickOutbox();
    const publicly = replies.filter((reply) => reply.visibility === 'public');
    const view = combine(
      replies.filter((reply) => reply.visibility === 'private'),
      await current(deps, turn, release),
    );
    return { ...card(view), ...(publicly.length > 0 && { after: () => deliverReplies(out, { ...targetOf(entry), user: turn.user }, publicly, options) }) };
  } catch (error) {
    line = `${line} (not answered: ${error instanceof Error ? error.message : String(error)})`;
    throw error;
  } finally {
    await deps.inbox.done(entry.id, line).catch((error: unknown) => deps.log(`inbox: could not mark ${entry.id} done: ${String(error)}`));
  }
}

const answer = (card: Card): InvokeAnswer => ({ body: { statusCode: 200, type: CARD_CONTENT_TYPE, value: card } });

function cardOptions(options: CardOptions, turn: Turn, release?: string): CardOptions {
  // A card shown to one person is refreshed for that person only.
  return { ...options, ...(release && { refresh: { userIds: [turn.actor.id], data: refreshData(release) } }) };
}

async function current(deps: AdapterDeps, turn: Turn, release: string | undefined): Promise<View | undefined> {
  return release ? checklistFor(deps.app, release, turn.actor) : undefined;
}

function metadataOf(metadata: unknown): AnswerFormMetadata | undefined {
  if (typeof metadata !== 'string') return undefined;
  try {
    const parsed = AnswerFormMetadata.safeParse(JSON.parse(metadata));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

const gone = (): View => errorView('golive no longer has that release. Send `release list` to see the releases it has.');

/** What the person is told, then the checklist as it now is. */
function combine(replies: readonly Reply[], checklist: View | undefined): View {
  const told = replies.flatMap((reply) => (reply.kind === 'view' ? [reply.view] : []));
  const first = told[0];
  const head: View = first ? { title: first.title, blocks: told.flatMap((view, i) => (i === 0 ? view.blocks : [divider(), ...view.blocks])) } : { title: 'Done', blocks: [paragraph(t('Done.'))] };
  return checklist ? withCurrent(head, checklist) : head;
}

function withCurrent(head: View, checklist: View | undefined): View {
  return checklist ? { title: head.title, blocks: [...head.blocks, divider(), ...checklist.blocks] } : head;
}
