import type { Block, Span, Status, View } from '../../src/views/elements.js';
import { b, t } from '../../src/views/elements.js';
import { actionSets } from './card-actions.js';
import { renderSpans, type Look } from './card-lines.js';
import { SCHEMA_URL, type AdaptiveCard, type CardElement, type Column, type ColumnSet, type Container, type MentionEntity } from './card-types.js';
import { oneLine } from './card-text.js';
import { People, type NameOf } from './people.js';
import { rememberedCard, type RenderedCard } from './remembered-card.js';

// Neutral views as Adaptive Cards (1.5) for Teams: pure, no SDK. Teams refuses a message whose card
// is over about 28 KB, so the card is cut to fit, never refused: whole items from the end, with a
// last line saying how many were left out, as the Slack renderer does with its block limit.

export const CARD_LIMITS = {
  /** UTF-8 bytes of the card JSON (mention entities included), with a margin under Teams' 28 KB. */
  bytes: 26_000,
  heading: 300,
  /** Teams runs a card's refresh for at most 60 users. */
  refreshUsers: 60,
} as const;

/** The verb of the refresh action: the invoke handler answers it with the card as this viewer should see it. */
export const REFRESH_VERB = 'golive:refresh';

export type { MentionEntity } from './card-types.js';

export interface CardOptions {
  /** Display names by platform-qualified person id; a Teams person without one is shown by their raw id. */
  names?: NameOf;
  /** Teams user ids (`29:…`, or `teams:`-qualified) whose client refreshes the card, and the data it sends back. */
  refresh?: { userIds: string[]; data: object };
}

const EMOJI: Record<Status, string> = { ok: '✅', failed: '❌', pending: '⏳', stale: '⚠️', info: 'ℹ️' };
const COLOUR: Partial<Record<Status, NonNullable<Container['style']>>> = { ok: 'good', failed: 'attention', stale: 'warning', info: 'accent' };

/** One neutral block's elements; an item and its buttons are kept or dropped together. */
interface Group {
  elements: CardElement[];
  mentions: string[];
  /** Counted in the "… N more items" line; headings and dividers are not. */
  counts: boolean;
  /** A divider: the next element gets a separator line. */
  divider?: boolean;
}

export function renderCard(view: View, options: CardOptions = {}): RenderedCard {
  return rememberedCard(view, options, renderNow);
}

function renderNow(view: View, options: CardOptions): RenderedCard {
  const people = new People(options.names);
  const groups = view.blocks.map((block) => renderBlock(block, people)).filter((g) => g.divider || g.elements.length > 0);
  // Teams shows no card without a body: an empty view shows its title.
  if (!groups.some((g) => g.elements.length > 0)) groups.push(textGroup([t(oneLine(view.title, CARD_LIMITS.heading) || 'golive')], people, {}));
  const build = (kept: readonly Group[], more?: Group) => assemble(more ? [...kept, more] : kept, people, options);
  const whole = build(groups);
  if (bytes(whole.card) <= CARD_LIMITS.bytes) return whole;

  let kept = fitting(groups, people, build);
  // A heading or divider with nothing under it only adds noise before the cut line.
  while (kept > 0 && !groups[kept - 1]!.counts) kept--;
  for (;;) {
    const rendered = build(groups.slice(0, kept), moreGroup(groups.slice(kept), people));
    if (bytes(rendered.card) <= CARD_LIMITS.bytes || kept === 0) return rendered;
    kept--;
  }
}

export const bytes = (card: object): number => Buffer.byteLength(JSON.stringify(card), 'utf8');

/** How many groups fit, counted from the sizes of their parts, which is within a few bytes of the card's. */
function fitting(groups: readonly Group[], people: People, build: (kept: readonly Group[], more?: Group) => { card: AdaptiveCard }): number {
  let used = bytes(build([], moreGroup(groups, people)).card);
  const seen = new Set<string>();
  let kept = 0;
  for (const group of groups) {
    let size = group.elements.reduce((n, e) => n + bytes(e) + 1, 0) + (group.divider ? '"separator":true,'.length : 0);
    for (const entity of people.entitiesFor(group.mentions.filter((id) => !seen.has(id)))) size += bytes(entity) + 1;
    if (used + size > CARD_LIMITS.bytes) break;
    used += size;
    group.mentions.forEach((id) => seen.add(id));
    kept++;
  }
  return kept;
}

function assemble(groups: readonly Group[], people: People, options: CardOptions): { card: AdaptiveCard; mentions: MentionEntity[] } {
  const body: CardElement[] = [];
  let separator = false;
  for (const group of groups) {
    if (group.divider) separator = body.length > 0;
    for (const element of group.elements) {
      body.push(separator ? { ...element, separator: true } : element);
      separator = false;
    }
  }
  const mentions = people.entitiesFor(groups.flatMap((g) => g.mentions));
  const card: AdaptiveCard = { type: 'AdaptiveCard', $schema: SCHEMA_URL, version: '1.5', body, msteams: { width: 'Full' } };
  if (mentions.length > 0) card.msteams = { width: 'Full', entities: mentions };
  const refresh = refreshOf(options.refresh);
  if (refresh) card.refresh = refresh;
  return { card, mentions };
}

function refreshOf(refresh: CardOptions['refresh']): AdaptiveCard['refresh'] {
  if (!refresh) return undefined;
  // Only Teams ids mean anything to a Teams client; people known by another platform are left out.
  const userIds = [...new Set(refresh.userIds.flatMap((id) => (id.startsWith('teams:') ? [id.slice('teams:'.length)] : /^(slack|console):/.test(id) ? [] : [id])))];
  const card: AdaptiveCard['refresh'] = { action: { type: 'Action.Execute', verb: REFRESH_VERB, data: { ...refresh.data } }, userIds: userIds.slice(0, CARD_LIMITS.refreshUsers) };
  return card;
}

function moreGroup(left: readonly Group[], people: People): Group {
  const entries = left.filter((g) => g.counts).length;
  const what = entries > 0 ? `${entries} more item${entries === 1 ? '' : 's'}` : `${left.length} more part${left.length === 1 ? '' : 's'}`;
  const spans: Span[] = [
    t(`… ${what} not shown: a Teams card holds about 28 KB. Send `),
    t('release status', 'code'),
    t(' for the verdict and blockers, or '),
    t('release report', 'code'),
    t(' for the full record.'),
  ];
  return textGroup(spans, people, { subtle: true });
}

function textGroup(spans: readonly Span[], people: People, look: Look): Group {
  const { elements, mentions } = renderSpans(spans, people, look);
  return { elements, mentions, counts: true };
}

function renderBlock(block: Block, people: People): Group {
  switch (block.type) {
    case 'heading': {
      const text = oneLine(block.text, CARD_LIMITS.heading);
      return { counts: false, mentions: [], elements: text ? renderSpans([t(text)], people, { size: 'Large', weight: 'Bolder' }).elements : [] };
    }
    case 'paragraph':
      return textGroup(block.content, people, {});
    case 'note':
      return textGroup(block.content, people, { subtle: true });
    case 'fields':
      return fieldsGroup(block.fields, people);
    case 'item':
      return itemGroup(block, people);
    case 'actions':
      return { counts: true, mentions: [], elements: actionSets(block.actions) };
    case 'divider':
      return { counts: false, mentions: [], elements: [], divider: true };
  }
}

/** Two fields a row, each a bold label over its value, like Slack's two-column fields. */
function fieldsGroup(fields: Extract<Block, { type: 'fields' }>['fields'], people: People): Group {
  const mentions: string[] = [];
  const columns: Column[] = fields.map((field) => {
    const label = field.label.trim() ? renderSpans([b(field.label)], people).elements : [];
    const value = renderSpans(field.value.length > 0 ? field.value : [t('—')], people);
    mentions.push(...value.mentions);
    const items = [...label, ...(value.elements.length > 0 ? value.elements : renderSpans([t('—')], people).elements)];
    return { type: 'Column', width: 'stretch', items };
  });
  const elements: ColumnSet[] = [];
  for (let i = 0; i < columns.length; i += 2) elements.push({ type: 'ColumnSet', columns: columns.slice(i, i + 2) });
  return { counts: true, mentions, elements };
}

function itemGroup(block: Extract<Block, { type: 'item' }>, people: People): Group {
  const title = renderSpans([t(`${EMOJI[block.status]} `), ...block.title], people);
  const lines = block.lines.map((line) => renderSpans(line, people));
  const items: CardElement[] = [...title.elements, ...lines.flatMap((l) => l.elements), ...actionSets(block.actions ?? [])];
  const container: Container = { type: 'Container', items };
  const style = COLOUR[block.status];
  if (style) container.style = style;
  return { counts: true, mentions: [...title.mentions, ...lines.flatMap((l) => l.mentions)], elements: [container] };
}
