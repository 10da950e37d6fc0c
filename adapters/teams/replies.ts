import type { Reply } from '../../src/app/request.js';
import { b, t, type View } from '../../src/views/elements.js';
import type { Outgoing } from './connector.js';
import type { TeamsOutbound } from './outbound.js';
import { CARD_CONTENT_TYPE, formCard, viewMessage, type CardOptions } from './render.js';

// Public replies go to the conversation the person wrote in; private ones only ever to the person:
// in their personal chat with golive, never in a channel or group chat, where Teams has no
// message only one member sees.

export interface ReplyTarget {
  /** The person's Teams id (29:…). */
  user: string;
  /** The conversation they acted in, if golive is to answer there. */
  conversation?: { id: string; personal: boolean };
}

/** Teams bots cannot attach a file to a channel message: its text is shown, cut to what a card holds. */
const FILE_TEXT = 20_000;

export async function deliverReplies(out: TeamsOutbound, target: ReplyTarget, replies: readonly Reply[], options: CardOptions = {}): Promise<void> {
  for (const reply of replies) {
    await deliver(out, target, reply.visibility, messageOf(reply, options));
  }
}

async function deliver(out: TeamsOutbound, target: ReplyTarget, visibility: Reply['visibility'], message: Outgoing): Promise<void> {
  const here = target.conversation;
  if (here && (visibility === 'public' || here.personal)) {
    await out.toConversation(here.id, message);
    return;
  }
  await out.toPerson(target.user, message);
}

function messageOf(reply: Reply, options: CardOptions): Outgoing {
  switch (reply.kind) {
    case 'view':
      return viewMessage(reply.view, options);
    case 'file':
      return viewMessage(fileView(reply), options);
    // A form is a card like any other on Teams: its Action.Execute buttons work in a message too.
    case 'form':
      return { summary: reply.form.title.slice(0, 200), attachments: [{ contentType: CARD_CONTENT_TYPE, content: formCard(reply.form) }] };
  }
}

function fileView(reply: Extract<Reply, { kind: 'file' }>): View {
  const cut = reply.content.length > FILE_TEXT;
  const size = `${reply.content.length.toLocaleString('en-GB')} characters`;
  const lead = cut
    ? `${reply.filename} (${size}). Teams bots cannot attach files here; the first ${FILE_TEXT.toLocaleString('en-GB')} characters follow, and the console or Slack gives the whole file.`
    : `${reply.filename} (${size}). Teams bots cannot attach files here, so its text follows.`;
  return {
    title: reply.title,
    blocks: [
      { type: 'paragraph', content: [b(reply.title)] },
      { type: 'note', content: [t(lead)] },
      { type: 'paragraph', content: [t(reply.content.slice(0, FILE_TEXT), 'code')] },
    ],
  };
}
