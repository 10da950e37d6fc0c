import { httpUrl } from '../../src/views/http-url.js';
import { truncate } from '../../src/views/truncate.js';
import type { Span } from '../../src/views/elements.js';
import { stripControls } from '../../src/domain/control-chars.js';
import { localId, platformOf } from '../../src/domain/person-id.js';

// Spans to Slack mrkdwn. Only `&`, `<` and `>` can make Slack do something (a ping, a link, a
// broken `<…>` token), so those three are escaped in every piece of user text. Formatting markers
// typed by people (`*`, `_`, `~`, `` ` ``) are left as typed in plain text: they only change how the
// text looks, and Slack users write them on purpose. A styled span whose text contains its own
// marker is sent unstyled instead, so the text stays exact and cannot end the style early and
// leave stray markers behind. Text objects are sent with `verbatim: true` (see render-blocks.ts),
// so Slack does not turn a typed `@here` or `#channel` into anything either. Control and
// text-direction characters (left in older records) are dropped on the way, as everywhere text is shown.

export function escapeMrkdwn(text: string): string {
  return stripControls(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Slack user ids (U…, or W… on Enterprise Grid); console names such as `dan` are not. */
export const isSlackUserId = (id: string): boolean => /^[UW][A-Z0-9]{1,31}$/.test(id);

/**
 * A person as Slack shows them: a Slack person (`slack:U123`) is mentioned; anyone else is named in
 * plain text with their platform, since Slack can neither ping nor resolve them. An id with no
 * platform (echoed from what someone typed) is shown as typed.
 */
export function personMrkdwn(id: string): string {
  const platform = platformOf(id);
  const local = localId(id);
  if (platform === 'slack' && isSlackUserId(local)) return `<@${local}>`;
  if (platform === undefined) return escapeMrkdwn(`@${id}`);
  if (platform === 'golive') return 'golive';
  return escapeMrkdwn(`@${local} (${platform})`);
}

/** An http(s) URL safe inside `<…|…>`, or undefined for anything else (javascript:, garbage). */
export function safeUrl(url: string): string | undefined {
  // href percent-encodes spaces and most of `<>`; `|` would end the URL part of the token.
  return httpUrl(url)?.replace(/\|/g, '%7C').replace(/</g, '%3C').replace(/>/g, '%3E').replace(/&/g, '&amp;');
}

const MARKER = { bold: '*', italic: '_', code: '`' } as const;
type Style = keyof typeof MARKER;

/** Whitespace goes outside the markers: Slack ignores `*word *`. */
function styled(text: string, style: Style | undefined): string {
  const escaped = escapeMrkdwn(text);
  if (!style || text.includes(MARKER[style])) return escaped;
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(escaped);
  const [, lead = '', core = '', trail = ''] = match ?? [];
  return core ? `${lead}${MARKER[style]}${core}${MARKER[style]}${trail}` : escaped;
}

// A label is one line, and `|` is swapped for a look-alike so the token keeps exactly one separator.
const linkLabel = (label: string) => escapeMrkdwn(label.replace(/\s+/g, ' ').trim().replace(/\|/g, '\u2223'));

export function spanToMrkdwn(span: Span): string {
  switch (span.type) {
    case 'text':
      return styled(span.text, span.style);
    case 'user':
      return personMrkdwn(span.id);
    case 'link': {
      const url = safeUrl(span.url);
      const label = span.label ? linkLabel(span.label) : '';
      if (!url) return escapeMrkdwn(span.label ? `${span.label} (${span.url})` : span.url);
      return label ? `<${url}|${label}>` : `<${url}>`;
    }
  }
}

export const spansToMrkdwn = (spans: readonly Span[]): string => spans.map(spanToMrkdwn).join('');

export const CUT = '… (cut)';

/**
 * Renders spans within `max` characters. When they do not fit, it cuts the neutral text (whole
 * code points) before escaping and drops a mention or link that does not fit whole, so no `&amp;`
 * or `<@U…>` is ever split, and ends with `… (cut)`. `prefix` is already mrkdwn (an emoji).
 */
export function fitMrkdwn(spans: readonly Span[], max: number, prefix = ''): string {
  const full = prefix + spansToMrkdwn(spans);
  if (full.length <= max) return full;
  const budget = max - CUT.length;
  let out = prefix.length <= budget ? prefix : '';
  for (const span of spans) {
    const rendered = spanToMrkdwn(span);
    if (out.length + rendered.length <= budget) {
      out += rendered;
      continue;
    }
    if (span.type === 'text') out += fitText(span.text, span.style, budget - out.length);
    break;
  }
  return out + CUT;
}

/** The longest start of `text` whose rendering (style kept or dropped as for the whole) fits. */
function fitText(text: string, style: Style | undefined, room: number): string {
  const keepStyle = style && !text.includes(MARKER[style]) ? style : undefined;
  const markers = keepStyle ? 2 : 0;
  let used = 0;
  let taken = '';
  for (const char of text) {
    const cost = escapeMrkdwn(char).length;
    if (used + cost + markers > room) break;
    used += cost;
    taken += char;
  }
  return taken ? styled(taken, keepStyle) : '';
}

/**
 * Text for a plain_text object, within `max`. Slack does not parse plain_text, so nothing is
 * escaped (an entity would show as typed); a zero-width space after a `<` that would open a
 * mention or link is belt and braces, so no reader of the payload ever sees `<!channel>`.
 */
export function plainText(text: string, max: number): string {
  return truncatePlain(stripControls(text).replace(/<(?=[!@#])/g, '<\u200b'), max);
}

/** Plain text within `max` characters, cut on a code point and ended with `…`. */
export const truncatePlain = truncate;
