import { UserId } from '../../src/domain/primitives.js';

// Teams sends a message as HTML: `<at>Name</at>` for each mention (with an entity saying who it
// is), `<p>`/`<div>` around lines, and the person's own `<`, `>` and `&` as entities. The grammar
// reads the neutral form: golive's own mention removed, people as `@teams:<id>`, tags as
// `@@teams:<id>`, and plain characters. Nothing of Teams' markup goes past this file.

export interface MentionEntity {
  type: 'mention';
  text: string;
  mentioned: { id: string; name?: string; type?: string };
}

const ENTITY_ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,150}$/;

export function mentionsIn(entities: readonly Record<string, unknown>[] | undefined): MentionEntity[] {
  const out: MentionEntity[] = [];
  for (const entity of entities ?? []) {
    if (entity.type !== 'mention' || typeof entity.text !== 'string') continue;
    const mentioned = entity.mentioned as { id?: unknown; name?: unknown; type?: unknown } | undefined;
    if (typeof mentioned?.id !== 'string') continue;
    out.push({
      type: 'mention',
      text: entity.text,
      mentioned: { id: mentioned.id, ...(typeof mentioned.name === 'string' && { name: mentioned.name }), ...(typeof mentioned.type === 'string' && { type: mentioned.type }) },
    });
  }
  return out;
}

/** The neutral word a mention becomes; golive itself becomes nothing. */
function neutral(mention: MentionEntity, botId: string | undefined): string {
  const { id, name, type } = mention.mentioned;
  if (id === botId) return ' ';
  if (type === 'tag' && ENTITY_ID.test(id)) return ` @@teams:${id} `;
  // A person's id (29:…); a bot (28:…), a channel or a team mentioned is left as its name.
  if (id.startsWith('29:') && UserId.safeParse(`teams:${id}`).success) return ` @teams:${id} `;
  return ` ${name ?? ''} `;
}

/** The message as the person meant it: mentions neutral, markup gone, entities decoded, spaces tidied. */
export function plainText(html: string, mentions: readonly MentionEntity[], botId: string | undefined): string {
  let text = html;
  // Each entity stands for one occurrence of its text, in order.
  let from = 0;
  for (const mention of mentions) {
    const at = text.indexOf(mention.text, from);
    const found = at >= 0 ? at : text.indexOf(mention.text);
    if (found < 0 || mention.text === '') continue;
    const word = neutral(mention, botId);
    text = text.slice(0, found) + word + text.slice(found + mention.text.length);
    from = found + word.length;
  }
  text = text
    // A mention without an entity keeps its name.
    .replace(/<at\b[^>]*>([^<]*)<\/at>/gi, ' $1 ')
    .replace(/<br\s*\/?>|<\/(?:p|div|li|h[1-6])>/gi, '\n')
    .replace(/<\/?[a-z][^<>]*>/gi, '');
  return decodeEntities(text)
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n[\s]*/g, '\n')
    .trim();
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** One pass, so `&amp;lt;` is the text `&lt;`, as the person typed it. */
export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]{1,6}|#\d{1,7}|[a-z]{2,8});/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff) ? String.fromCodePoint(code) : whole;
    }
    return NAMED[name.toLowerCase()] ?? whole;
  });
}

/**
 * The `/release …` line a message asks for, or undefined when it is not a release command. It is
 * written like the slash command, with or without the slash: `release status`, `/release status`.
 */
export function commandLine(text: string): string | undefined {
  const match = /^\/?release(?=\s|$)/i.exec(text);
  if (!match) return undefined;
  return `/release${text.slice(match[0].length).replace(/\n/g, ' ')}`;
}
