import type { Block, Span, Status, View } from '../../src/views/elements.js';
import { stripControls } from '../../src/domain/control-chars.js';
import { localId, platformOf } from '../../src/domain/person-id.js';

// Plain text for a terminal. No markup to escape here, but control characters from user text
// are stripped so nobody can move the cursor, recolour or overwrite the operator's screen, or
// reverse the direction of what they read. Buttons are not drawn: nothing can click them here,
// and each one names a command the person can type instead.

/** Anyone's text made safe to print: every control character but newline and tab removed. */
export const clean = (text: string): string => stripControls(text);

/** A console person as they are typed here, `@alice`; anyone else with their platform, `@slack:U123`. */
export function personText(id: string): string {
  const platform = platformOf(id);
  if (platform === 'golive') return 'golive';
  return `@${clean(platform === 'console' ? localId(id) : id)}`;
}

const MARK: Record<Status, string> = { ok: '[x]', failed: '[!]', pending: '[ ]', stale: '[~]', info: ' - ' };

export function renderSpans(spans: readonly Span[]): string {
  return spans
    .map((span) => {
      switch (span.type) {
        case 'text':
          return span.style === 'code' ? `\`${clean(span.text)}\`` : clean(span.text);
        case 'user':
          return personText(span.id);
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
      return [`${MARK[block.status]} ${renderSpans(block.title)}`, ...block.lines.map((line) => `      ${renderSpans(line)}`)];
    case 'actions':
      return [];
    case 'divider':
      return [''];
  }
}

export function renderText(view: View): string {
  return view.blocks.flatMap(renderBlock).join('\n').replace(/^\n+/, '');
}

/** A view that says one thing (what was recorded, what was refused) fits on one line. */
export function isOneLine(view: View): boolean {
  const [only, ...rest] = view.blocks;
  return rest.length === 0 && only?.type === 'paragraph' && !renderSpans(only.content).includes('\n');
}
