import type { Action, Block, Span, Status, View } from '../../src/views/elements.js';
import { stripControls } from '../../src/domain/control-chars.js';

// Plain text for a terminal. No markup to escape here, but control characters from user text
// are stripped so nobody can move the cursor, recolour or overwrite the operator's screen, or
// reverse the direction of what they read.

/** Anyone's text made safe to print: every control character but newline and tab removed. */
export const clean = (text: string): string => stripControls(text);

const MARK: Record<Status, string> = { ok: '[x]', failed: '[!]', pending: '[ ]', stale: '[~]', info: ' - ' };

export function renderSpans(spans: readonly Span[]): string {
  return spans
    .map((span) => {
      switch (span.type) {
        case 'text':
          return span.style === 'code' ? `\`${clean(span.text)}\`` : clean(span.text);
        case 'user':
          return `@${clean(span.id)}`;
        case 'link':
          return span.label ? `${clean(span.label)} <${clean(span.url)}>` : clean(span.url);
      }
    })
    .join('');
}

function renderBlock(block: Block): string[] {
  switch (block.type) {
    case 'heading':
      return ['', clean(block.text), '-'.repeat(Math.min(72, clean(block.text).length))];
    case 'paragraph':
      return [renderSpans(block.content)];
    case 'note':
      return [`  ${renderSpans(block.content)}`];
    case 'fields':
      return block.fields.map((f) => `  ${clean(f.label)}: ${renderSpans(f.value)}`);
    case 'item':
      return [`${MARK[block.status]} ${renderSpans(block.title)}`, ...block.lines.map((line) => `      ${renderSpans(line)}`), ...renderActions(block.actions ?? [])];
    case 'actions':
      return renderActions(block.actions);
    case 'divider':
      return [''];
  }
}

function renderActions(actions: readonly Action[]): string[] {
  return actions.length > 0 ? [`      (${actions.map((a) => clean(a.label)).join(' | ')})`] : [];
}

export function renderText(view: View): string {
  return view.blocks.flatMap(renderBlock).join('\n').replace(/^\n+/, '');
}
