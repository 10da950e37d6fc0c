import type { Reply } from '../../src/app/request.js';
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

/**
 * Teams bots cannot attach a file to a channel message, so a file's text is sent as Markdown
 * messages (Teams renders headings, lists and bold), in as many as it takes: each stays well
 * under Teams' 28 KB message limit and is cut only between lines.
 */
const MESSAGE_TEXT = 20_000;

export async function deliverReplies(out: TeamsOutbound, target: ReplyTarget, replies: readonly Reply[], options: CardOptions = {}): Promise<void> {
  for (const reply of replies) {
    const messages = reply.kind === 'file' ? fileMessages(reply) : [messageOf(reply, options)];
    for (const message of messages) await deliver(out, target, reply.visibility, message);
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
      return fileMessages(reply)[0]!;
    // A form is a card like any other on Teams: its Action.Execute buttons work in a message too.
    case 'form':
      return { summary: reply.form.title.slice(0, 200), attachments: [{ contentType: CARD_CONTENT_TYPE, content: formCard(reply.form) }] };
  }
}

/** A file's text as Markdown messages, the first saying what it is. golive writes the Markdown itself (user text escaped in it). */
export function fileMessages(reply: Extract<Reply, { kind: 'file' }>): Outgoing[] {
  const size = `${reply.content.length.toLocaleString('en-GB')} characters`;
  const chunks = splitLines(reply.content, MESSAGE_TEXT);
  // The title holds a release's name, which anyone may have typed: no Markdown of theirs runs here.
  const title = reply.title.replace(/[\\`*_{}[\]()#+!|<>~-]/g, (c) => `\\${c}`);
  const lead = `*${title}: ${reply.filename} (${size}${chunks.length > 1 ? `, in ${chunks.length} messages` : ''}). Teams bots cannot attach files here, so its text follows.*`;
  return chunks.map((chunk, i) => ({ textFormat: 'markdown' as const, summary: reply.title.slice(0, 200), text: i === 0 ? `${lead}\n\n${chunk}` : chunk }));
}

/** Pieces of at most `max` characters, each ending at a line break where there is one. */
function splitLines(text: string, max: number): string[] {
  const pieces: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const cut = rest.lastIndexOf('\n', max);
    const at = cut > 0 ? cut + 1 : max;
    pieces.push(rest.slice(0, at));
    rest = rest.slice(at);
  }
  if (rest.length > 0 || pieces.length === 0) pieces.push(rest);
  return pieces;
}
