import type { Span } from '../../src/views/elements.js';
import type { CardElement, RichTextBlock, TextBlock, TextRun } from './card-types.js';
import { atText, CUT, inertPrefix, runText, safeUrl, type AtPart } from './card-text.js';
import type { People } from './people.js';
import { stripControls } from '../../src/domain/control-chars.js';

// One neutral line of spans as card elements. A line without a Teams mention is one RichTextBlock.
// A line with one is cut into pieces: mentions and the inert text around them go into TextBlocks
// (the only element Teams pings from), anything else into RichTextBlocks right under them, so
// what a person typed is never read as markdown.

export const TEXT_LIMITS = {
  /** Characters a line shows before it is cut. */
  line: 2000,
  /** Rows a line with line breaks may take; the rest are joined into the last one. */
  rows: 12,
} as const;

type Style = 'bold' | 'italic' | 'code';
type Piece = { kind: 'text'; text: string; style?: Style } | { kind: 'mention'; personId: string; tag: string } | { kind: 'link'; text: string; url: string };

export interface Look {
  /** Small and toned down, for notes. */
  subtle?: boolean;
  size?: 'Large';
  weight?: 'Bolder';
}

export interface RenderedLine {
  elements: CardElement[];
  /** Teams people this line pings. */
  mentions: string[];
}

/** Spans as rows of card elements, within the line limit, with the people they mention. */
export function renderSpans(spans: readonly Span[], people: People, look: Look = {}, max: number = TEXT_LIMITS.line): RenderedLine {
  const pieces = cut(merged(spans.map((span) => piece(span, people))), max);
  const elements: CardElement[] = [];
  const mentions: string[] = [];
  for (const row of rows(pieces)) {
    for (const element of renderRow(row, look, mentions)) elements.push(elements.length === 0 ? element : { ...element, spacing: 'None' });
  }
  return { elements, mentions };
}

/** Controls go first, so a line of nothing but controls counts as empty and is left out. */
function piece(span: Span, people: People): Piece {
  switch (span.type) {
    case 'text': {
      const text = stripControls(span.text);
      return span.style ? { kind: 'text', text, style: span.style } : { kind: 'text', text };
    }
    case 'user': {
      const person = people.person(span.id);
      return person.kind === 'mention' ? { kind: 'mention', personId: person.personId, tag: person.tag } : { kind: 'text', text: stripControls(person.text) };
    }
    case 'link': {
      const url = safeUrl(span.url);
      const label = span.label && stripControls(span.label).replace(/\s+/g, ' ').trim();
      if (!url) return { kind: 'text', text: stripControls(label ? `${label} (${span.url})` : span.url) };
      return { kind: 'link', text: label || url, url };
    }
  }
}

/** Neighbouring text of one style as one piece, so bold is one `**…**` and not `**a****b**`. */
function merged(pieces: readonly Piece[]): Piece[] {
  const out: Piece[] = [];
  for (const p of pieces) {
    const last = out.at(-1);
    if (p.kind === 'text' && last?.kind === 'text' && last.style === p.style) out[out.length - 1] = { ...last, text: last.text + p.text };
    else out.push(p);
  }
  return out;
}

const shown = (p: Piece) => (p.kind === 'mention' ? p.tag.length : p.text.length);

/** Keeps whole mentions and links, cuts text on a code point, and says where it cut. */
function cut(pieces: readonly Piece[], max: number): Piece[] {
  if (pieces.reduce((n, p) => n + shown(p), 0) <= max) return [...pieces];
  const budget = max - CUT.length;
  const out: Piece[] = [];
  let used = 0;
  for (const p of pieces) {
    if (used + shown(p) <= budget) {
      out.push(p);
      used += shown(p);
      continue;
    }
    if (p.kind === 'text') {
      let taken = '';
      for (const char of p.text) {
        if (used + taken.length + char.length > budget) break;
        taken += char;
      }
      if (taken) out.push({ ...p, text: taken });
    }
    break;
  }
  out.push({ kind: 'text', text: CUT });
  return out;
}

/** Splits text at line breaks into rows, drops empty rows, and keeps at most `TEXT_LIMITS.rows`. */
function rows(pieces: readonly Piece[]): Piece[][] {
  const out: Piece[][] = [[]];
  for (const p of pieces) {
    if (p.kind !== 'text') {
      out.at(-1)!.push(p);
      continue;
    }
    p.text.split(/\r\n|[\n\r\u2028\u2029]/).forEach((part, i) => {
      if (i > 0) out.push([]);
      if (part) out.at(-1)!.push({ ...p, text: part });
    });
  }
  const kept = out.filter((row) => row.some((p) => p.kind !== 'text' || p.text.trim() !== ''));
  if (kept.length <= TEXT_LIMITS.rows) return kept;
  const last = kept.slice(TEXT_LIMITS.rows - 1).flatMap((row, i) => (i === 0 ? row : [{ kind: 'text' as const, text: ' ' }, ...row]));
  return [...kept.slice(0, TEXT_LIMITS.rows - 1), last];
}

function textRun(text: string, style: Style | undefined, look: Look, url?: string): TextRun {
  const run: TextRun = { type: 'TextRun', text: runText(text) };
  if (style === 'bold' || look.weight) run.weight = 'Bolder';
  if (style === 'italic') run.italic = true;
  if (style === 'code') run.fontType = 'Monospace';
  if (look.subtle) {
    run.isSubtle = true;
    run.size = 'Small';
  }
  if (look.size) run.size = look.size;
  if (url) run.selectAction = { type: 'Action.OpenUrl', url };
  return run;
}

/** Two runs that differ only in their text (and neither is a link) read the same as one. */
function sameLook(a: TextRun, b: TextRun): boolean {
  if (a.selectAction || b.selectAction) return false;
  // Without a link every other property is a string or boolean: compared one by one. Two
  // JSON.stringify calls per run were a tenth of a status card's rendering in the profile.
  const lookA = a as unknown as Record<string, unknown>;
  const lookB = b as unknown as Record<string, unknown>;
  for (const key in lookA) if (key !== 'text' && lookA[key] !== lookB[key]) return false;
  for (const key in lookB) if (key !== 'text' && !(key in lookA)) return false;
  return true;
}

type Segment = { kind: 'at'; parts: AtPart[] } | { kind: 'rich'; runs: TextRun[] };

function renderRow(row: readonly Piece[], look: Look, mentions: string[]): Array<RichTextBlock | TextBlock> {
  const segments: Segment[] = [];
  const hasMention = row.some((p) => p.kind === 'mention');
  const last = () => segments.at(-1);
  const rich = (run: TextRun) => {
    if (run.text === '') return;
    const seg = last();
    if (seg?.kind !== 'rich') segments.push({ kind: 'rich', runs: [run] });
    else if (sameLook(seg.runs.at(-1)!, run)) seg.runs[seg.runs.length - 1] = { ...seg.runs.at(-1)!, text: seg.runs.at(-1)!.text + run.text };
    else seg.runs.push(run);
  };
  for (const p of row) {
    if (p.kind === 'mention') {
      const seg = last();
      if (seg?.kind === 'at') seg.parts.push({ tag: p.tag });
      else segments.push({ kind: 'at', parts: [{ tag: p.tag }] });
      mentions.push(p.personId);
    } else if (p.kind === 'link') {
      rich(textRun(p.text, undefined, look, p.url));
    } else {
      const seg = last();
      // Text joins a mention's TextBlock only while no markdown reader could act on it.
      if (hasMention && (seg === undefined || seg.kind === 'at')) {
        const atStart = seg === undefined;
        const [inert, rest] = inertPrefix(p.text, atStart);
        if (inert) {
          // Italic and code have no safe markdown here (`_` is not read inside words): plain.
          const part = { text: inert, bold: p.style === 'bold' };
          if (seg?.kind === 'at') seg.parts.push(part);
          else segments.push({ kind: 'at', parts: [part] });
        }
        if (rest) rich(textRun(rest, p.style, look));
      } else {
        rich(textRun(p.text, p.style, look));
      }
    }
  }
  return segments.map((seg, i): RichTextBlock | TextBlock => {
    const element: RichTextBlock | TextBlock = seg.kind === 'rich' ? { type: 'RichTextBlock', inlines: seg.runs } : textBlock(atText(seg.parts), look);
    return i === 0 ? element : { ...element, spacing: 'None' };
  });
}

function textBlock(text: string, look: Look): TextBlock {
  const block: TextBlock = { type: 'TextBlock', text, wrap: true };
  if (look.subtle) {
    block.isSubtle = true;
    block.size = 'Small';
  }
  return block;
}
