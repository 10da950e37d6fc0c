import type { Reply } from '../../src/app/request.js';
import { b, paragraph, t } from '../../src/views/elements.js';
import type { AdapterDeps } from '../../src/app/adapter.js';
import { commandLine, mentionsIn, plainText } from './message-text.js';
import type { TeamsOutbound } from './outbound.js';
import type { CardOptions } from './render.js';
import { answerCommand, entryOf, notSaved, receive } from './received.js';
import { deliverReplies } from './replies.js';
import { handledEarly } from '../../src/app/received.js';
import type { Turn } from './turn.js';

// A message to golive: in a channel (golive mentioned), a group chat or a personal chat. A release
// command is saved to the inbox before Teams gets its response and answered after it; anything
// else gets a short hint. Returns the work to do once the response is sent.

const HINT: Reply = {
  kind: 'view',
  visibility: 'private',
  view: {
    title: 'golive: release commands',
    blocks: [
      paragraph(t('golive answers release commands, written like the slash command: '), t('release status', 'code'), t(', '), t('release todo', 'code'), t(' or '), t('release help', 'code'), t('.')),
      paragraph(b('In a channel, mention golive first.')),
    ],
  },
};

export async function onMessage(deps: AdapterDeps, out: TeamsOutbound, turn: Turn, cardOptions: Promise<CardOptions>): Promise<(() => Promise<void>) | undefined> {
  const activity = turn.activity;
  const text = plainText(activity.text ?? '', mentionsIn(activity.entities), activity.recipient?.id);
  const line = commandLine(text);
  const target = { user: turn.user, conversation: { id: turn.conversationId, personal: turn.personal } };
  const say = (reply: Reply) => async () => {
    await deliverReplies(out, target, [reply], await optionsOrNone(cardOptions)).catch((error: unknown) =>
      deps.log(`teams: could not answer ${turn.user}: ${error instanceof Error ? error.message : String(error)}`),
    );
  };
  if (line === undefined) return say(HINT);
  const entry = entryOf(deps.clock, turn, { kind: 'command', text: line });
  const early = handledEarly(deps.app, entry, deps.inbox.shared);
  const receipt = await receive(deps, entry);
  if (receipt === 'failed') return say(notSaved());
  if (receipt === 'seen') return undefined;
  return async () => answerCommand(deps, out, entry, await optionsOrNone(cardOptions), early);
}

/** People's names make a card friendlier, not right: if they cannot be read, the card shows ids. */
function optionsOrNone(options: Promise<CardOptions>): Promise<CardOptions> {
  return options.catch(() => ({}));
}
