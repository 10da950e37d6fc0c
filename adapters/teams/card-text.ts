import { httpUrl } from '../../src/views/http-url.js';
import { truncate } from '../../src/views/truncate.js';
import { stripControls } from '../../src/domain/control-chars.js';

// How text is made safe for a card. Teams reads markdown (bold, italic, lists, `[label](url)`) and
// `<at>…</at>` mentions in a TextBlock, and its markdown escapes differ between clients (Android and
// iOS show the backslash), so escaping cannot be trusted. Instead, anything a person typed goes
// into RichTextBlock TextRuns, which are never read as markdown. A TextBlock is used only where a
// Teams mention must ping someone, and then holds only mention tags and text that no markdown
// reader can turn into anything (`isInert`).

const ZWSP = '\u200b';

/**
 * Text for a TextRun: controls dropped, and a zero-width space after any `<` that could start an
 * `<at>` (or end one across two runs), and between `{{` that could start a `{{DATE(…)}}` function,
 * so no client can turn typed text into a mention or a date. The reader sees the text as typed.
 */
export function runText(text: string): string {
  return stripControls(text)
    .replace(/<(?=\s*\/?\s*(?:a|$))/gi, `<${ZWSP}`)
    .replace(/\{(?=\{|$)/g, `{${ZWSP}`);
}

/** Letters, digits, emoji, spaces and punctuation that CommonMark gives no meaning to on one line. */
// biome-ignore lint/suspicious/noMisleadingCharacterClass: emoji sequences are allowed as their parts (variation selector, joiner) on purpose.
const INERT_CHARS = /^[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\uFE0F\u200D ,.:;'’"()?!/%=+\-·—–…@]*$/u;
/** Things some Teams clients turn into links on their own: URLs, bare domains, e-mail addresses. */
const LINKISH = /:\/\/|www\.|[\p{L}\p{N}]\.\p{L}{2,}|\S@\S/u;
/** A list item or a rule (`---`), when it starts the TextBlock. */
const LIST_START = /^\s*(?:(?:[-+*]|\d+[.)])(?:\s|$)|-{3,})/;

export function isInert(text: string, atStart: boolean): boolean {
  return INERT_CHARS.test(text) && !LINKISH.test(text) && !(atStart && LIST_START.test(text));
}

/** The longest start of `text` made of whole words that is inert, and the rest. */
export function inertPrefix(text: string, atStart: boolean): [string, string] {
  const words = text.split(/(?<= )/);
  let prefix = '';
  for (const word of words) {
    if (!isInert(prefix + word, atStart)) break;
    prefix += word;
  }
  return [prefix, text.slice(prefix.length)];
}

/** A TextBlock's parts: mention tags, and inert text that may be bold. */
export type AtPart = { tag: string } | { text: string; bold: boolean };

const PUNCT = /[\p{P}\p{S}]/u;
const flankOk = (inner: string, outer: string | undefined) => !PUNCT.test(inner) || outer === undefined || /\s/.test(outer) || PUNCT.test(outer);

/**
 * The TextBlock's markdown. Bold becomes `**…**` around the words (spaces outside), and only where
 * CommonMark reads those markers as bold: next to punctuation it may not (`**GO (override)**by`), and
 * a reader would then see the stars, so such text is left plain.
 */
export function atText(parts: readonly AtPart[]): string {
  // A mention may be read before or after the markdown: next to bold it counts as a word, the strictest case.
  const edge = (part: AtPart | undefined, end: boolean) => (part === undefined ? undefined : 'tag' in part ? 'a' : end ? part.text.at(-1) : part.text[0]);
  let out = '';
  parts.forEach((part, i) => {
    if ('tag' in part) {
      out += part.tag;
      return;
    }
    const [, lead = '', core = '', trail = ''] = /^(\s*)([\s\S]*?)(\s*)$/.exec(part.text) ?? [];
    const before = lead ? ' ' : edge(parts[i - 1], true);
    const after = trail ? ' ' : edge(parts[i + 1], false);
    const bold = part.bold && core !== '' && flankOk(core[0]!, before) && flankOk(core.at(-1)!, after);
    out += bold ? `${lead}**${core}**${trail}` : part.text;
  });
  return out;
}

export const CUT = '… (cut)';

export { truncate };

/** One line of plain text (a button title, a label): controls and line breaks become spaces. */
export function oneLine(text: string, max: number): string {
  return truncate(runText(text).replace(/\s+/g, ' ').trim(), max);
}

/** An http(s) URL for Action.OpenUrl, or undefined for anything else (javascript:, garbage). */
export const safeUrl = httpUrl;
