import type { types } from '@slack/bolt';
import { b, t, type Action, type Block, type Span, type Status, type View } from '../../src/views/elements.js';
import { fitMrkdwn, plainText, truncatePlain } from './mrkdwn.js';
import { deepFreeze } from '../../src/domain/deep-freeze.js';

type KnownBlock = types.KnownBlock;
type Button = types.Button;

// Neutral views to Block Kit. Slack refuses a whole message when one limit is exceeded, so every
// limit below is met by cutting, never by failing.
//
// Buttons keep the neutral action id verbatim as `action_id` (listeners match it, e.g. with
// /^golive:answer:/); the same id may appear in many blocks, which Slack allows. Block ids are
// `b<index>`: unique within the message and the same for the same view. Two buttons with one id
// inside one neutral actions list go into separate actions blocks, as Slack wants action ids
// unique per block.
export const LIMITS = {
  messageBlocks: 50,
  /** Home tabs and modals. */
  surfaceBlocks: 100,
  header: 150,
  section: 3000,
  field: 2000,
  fieldsPerSection: 10,
  context: 2000,
  actionsPerBlock: 25,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
} as const;

const EMOJI: Record<Status, string> = {
  ok: ':white_check_mark:',
  failed: ':x:',
  pending: ':hourglass_flowing_sand:',
  stale: ':warning:',
  info: ':information_source:',
};

// verbatim: Slack must not turn a typed `@here`, `#channel` or bare URL into anything.
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text, verbatim: true });
const plain = (text: string, max: number) => ({ type: 'plain_text' as const, text: plainText(text, max), emoji: true });
const section = (text: string): KnownBlock => ({ type: 'section', text: mrkdwn(text) });

/** One neutral block's Slack blocks; an item and its buttons are kept or dropped together. */
interface Group {
  blocks: KnownBlock[];
  /** Counted in the "… N more items" line; headings and dividers are not. */
  counts: boolean;
}

export interface RenderOptions {
  /** 50 for a message (the default), 100 for a home tab. */
  maxBlocks?: number;
}

export interface Rendered {
  text: string;
  blocks: KnownBlock[];
}

// A frozen view cannot change (a remembered status, see rememberedStatusView), so what it renders to
// is worked out once per block limit and shared, frozen too.
const remembered = new WeakMap<View, Map<number, Rendered>>();

export function renderBlocks(view: View, options: RenderOptions = {}): Rendered {
  const max = options.maxBlocks ?? LIMITS.messageBlocks;
  if (!Object.isFrozen(view)) return renderNow(view, max);
  let byMax = remembered.get(view);
  if (!byMax) remembered.set(view, (byMax = new Map()));
  let rendered = byMax.get(max);
  if (!rendered) byMax.set(max, (rendered = deepFreeze(renderNow(view, max))));
  return rendered;
}

function renderNow(view: View, max: number): Rendered {
  const text = fitMrkdwn([t(view.title.trim() || 'golive')], LIMITS.section);
  const groups = view.blocks.map(renderBlock).filter((g) => g.blocks.length > 0);
  const blocks = fit(groups, max);
  if (blocks.length === 0) blocks.push(section(text));
  return { text, blocks: blocks.map((block, i) => ({ ...block, block_id: `b${i}` })) };
}

/** Keeps whole groups in order; when they do not all fit, the last block says what is missing. */
function fit(groups: readonly Group[], max: number): KnownBlock[] {
  const total = groups.reduce((n, g) => n + g.blocks.length, 0);
  if (total <= max) return groups.flatMap((g) => g.blocks);
  let used = 0;
  let kept = 0;
  while (kept < groups.length && used + groups[kept]!.blocks.length <= max - 1) used += groups[kept++]!.blocks.length;
  // A heading or divider with nothing under it only adds noise before the cut line.
  while (kept > 0 && !groups[kept - 1]!.counts) kept--;
  const left = groups.slice(kept);
  const entries = left.filter((g) => g.counts).length;
  const what = entries > 0 ? `${entries} more item${entries === 1 ? '' : 's'}` : `${left.length} more block${left.length === 1 ? '' : 's'}`;
  const more: KnownBlock = {
    type: 'context',
    elements: [mrkdwn(`… ${what} not shown: Slack shows at most ${max} blocks here. Run \`/release status\` for the verdict and blockers, or \`/release report\` for the full record.`)],
  };
  return [...groups.slice(0, kept).flatMap((g) => g.blocks), more];
}

function renderBlock(block: Block): Group {
  switch (block.type) {
    case 'heading': {
      const text = block.text.replace(/\s+/g, ' ').trim();
      return { counts: false, blocks: text ? [{ type: 'header', text: plain(text, LIMITS.header) }] : [] };
    }
    case 'paragraph':
      return textGroup(block.content, (text) => section(text), LIMITS.section);
    case 'note':
      return textGroup(block.content, (text) => ({ type: 'context', elements: [mrkdwn(text)] }), LIMITS.context);
    case 'fields': {
      const fields = block.fields.map((f) => mrkdwn(fitMrkdwn(f.label ? [b(f.label), t('\n'), ...f.value] : f.value, LIMITS.field) || '—'));
      const blocks: KnownBlock[] = [];
      for (let i = 0; i < fields.length; i += LIMITS.fieldsPerSection) blocks.push({ type: 'section', fields: fields.slice(i, i + LIMITS.fieldsPerSection) });
      return { counts: true, blocks };
    }
    case 'item': {
      const spans = [...block.title, ...block.lines.flatMap((line) => [t('\n'), ...line])];
      return { counts: true, blocks: [section(fitMrkdwn(spans, LIMITS.section, `${EMOJI[block.status]} `)), ...actionBlocks(block.actions ?? [])] };
    }
    case 'actions':
      return { counts: true, blocks: actionBlocks(block.actions) };
    case 'divider':
      return { counts: false, blocks: [{ type: 'divider' }] };
  }
}

// Slack wants at least one character in a text object: empty text renders no block at all.
function textGroup(spans: readonly Span[], make: (text: string) => KnownBlock, max: number): Group {
  const text = fitMrkdwn(spans, max);
  return { counts: true, blocks: text.trim() ? [make(text)] : [] };
}

/** At most 25 buttons a block, and a new block wherever an action id would repeat. */
function actionBlocks(actions: readonly Action[]): KnownBlock[] {
  const chunks: Button[][] = [];
  let current: Button[] = [];
  for (const action of actions) {
    const button = renderButton(action);
    if (current.length >= LIMITS.actionsPerBlock || current.some((other) => other.action_id === button.action_id)) {
      chunks.push(current);
      current = [];
    }
    current.push(button);
  }
  if (current.length > 0) chunks.push(current);
  return chunks.map((elements) => ({ type: 'actions', elements }));
}

function renderButton(action: Action): Button {
  // Cutting a value or id breaks what it carries, but Slack would refuse the whole message.
  const value = truncatePlain(action.value, LIMITS.buttonValue, '');
  const button: Button = { type: 'button', action_id: action.id.slice(0, LIMITS.actionId), text: plain(action.label, LIMITS.buttonText) };
  if (value) button.value = value;
  if (action.style) button.style = action.style;
  if (action.confirm) {
    const c = action.confirm;
    button.confirm = {
      title: plain(c.title || 'Are you sure?', LIMITS.confirmTitle),
      text: plain(c.text || c.title || 'Are you sure?', LIMITS.confirmText),
      confirm: plain(c.yes || 'Yes', LIMITS.confirmButton),
      deny: plain(c.no || 'Cancel', LIMITS.confirmButton),
    };
  }
  return button;
}
