import { nodes } from './support/teams-cards-read.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytes, renderCard } from '../adapters/teams/render-card.js';
import type { Action, Block, Span, View } from '../src/views/elements.js';
import { cardProblems } from './teams-cards-validate.js';

// Any view, however hostile its text, renders as a valid card within size, in which only golive's
// own mentions, bold and links can act. Long texts and up to 60 blocks make about one card in
// thirty too big, so the cutting is exercised too.

const piece = fc.constantFrom(
  'a',
  'Zo',
  ' ',
  '*',
  '**',
  '_',
  '[',
  ']',
  '(',
  ')',
  '<',
  '>',
  'at',
  '/',
  '{',
  '}',
  '{{',
  '$',
  '\n',
  '\u0007',
  '\u001b',
  '\u202e',
  '😀',
  'http://e.x',
  'www.',
  'x@y.z',
  '-',
  '1.',
  '#',
  '&lt;',
  ':',
  'é',
  'DATE(2019-11-05T10:00:00Z)',
  'lorem ipsum '.repeat(150),
);
const text = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
const span: fc.Arbitrary<Span> = fc.oneof(
  fc
    .record({ type: fc.constant('text' as const), text, style: fc.constantFrom(undefined, 'bold' as const, 'italic' as const, 'code' as const) })
    .map(({ style, ...rest }): Span => (style ? { ...rest, style } : rest)),
  fc.constantFrom<Span>(
    { type: 'user', id: 'teams:29:a' },
    { type: 'user', id: 'teams:29:b' },
    { type: 'user', id: 'teams:29:c' },
    { type: 'user', id: 'slack:U1' },
    { type: 'user', id: 'console:c' },
    { type: 'user', id: 'dan' },
    { type: 'link', url: 'https://ok.example/a?b=1&c=<2>' },
    { type: 'link', url: 'javascript:alert(1)', label: '[x](http://evil)' },
  ),
  text.map((label): Span => ({ type: 'link', url: 'https://ok.example/b', label })),
);
const spans = fc.array(span, { maxLength: 8 });
const action: fc.Arbitrary<Action> = fc
  .record({
    id: fc.constantFrom('golive:answer:met', 'golive:decide:go', 'golive:signoff:agree'),
    label: text.map((l) => l.slice(0, 75) || 'x'),
    value: text.map((v) => v.slice(0, 2000)),
    style: fc.constantFrom(undefined, 'primary' as const, 'danger' as const),
    confirm: fc.option(fc.record({ title: text, text, yes: text, no: text }), { nil: undefined }),
  })
  .map(({ style, confirm, ...rest }): Action => ({ ...rest, ...(style && { style }), ...(confirm && { confirm }) }));
const block: fc.Arbitrary<Block> = fc.oneof(
  text.map((t): Block => ({ type: 'heading', text: t })),
  spans.map((content): Block => ({ type: 'paragraph', content })),
  spans.map((content): Block => ({ type: 'note', content })),
  fc.array(fc.record({ label: text, value: spans }), { maxLength: 5 }).map((fields): Block => ({ type: 'fields', fields })),
  fc
    .record({
      status: fc.constantFrom('ok' as const, 'failed' as const, 'pending' as const, 'stale' as const, 'info' as const),
      title: spans,
      lines: fc.array(spans, { maxLength: 4 }),
      actions: fc.array(action, { maxLength: 7 }),
    })
    .map((item): Block => ({ type: 'item', ...item })),
  fc.array(action, { maxLength: 7 }).map((actions): Block => ({ type: 'actions', actions })),
  fc.constant<Block>({ type: 'divider' }),
);
const view: fc.Arbitrary<View> = fc.record({ title: text, blocks: fc.array(block, { maxLength: 60 }) });
const names = (id: string) => ({ 'teams:29:a': '**Ann** <at>x</at>', 'teams:29:b': 'Ann', 'slack:U1': '[s](http://evil)' })[id];

describe('any view as a Teams card', () => {
  it('is valid, within size, and holds no mention, link or markdown that golive did not put there', () => {
    fc.assert(
      fc.property(view, (v) => {
        const { card, mentions } = renderCard(v, { names });
        expect(cardProblems(card)).toEqual([]);
        expect(bytes(card)).toBeLessThanOrEqual(26_000);
        const tags = new Set(mentions.map((m) => m.text));
        for (const node of nodes(card.body)) {
          if (node.type === 'TextBlock') {
            const words = String(node.text).replace(/<at>[^<]*<\/at>/g, (tag) => (tags.has(tag) ? '' : tag));
            expect(words, String(node.text)).toMatch(/^[\p{L}\p{M}\p{N}\p{Extended_Pictographic}\uFE0F\u200D ,.:;'’"()?!/%=+\-·—–…@*]*$/u);
            expect(words.replace(/\*\*[^*]+\*\*/g, '')).not.toContain('*');
          }
          if (node.type === 'TextRun') expect(String(node.text)).not.toMatch(/<\s*\/?\s*at|\{\{|[\u0000-\u0008\u000b-\u001f\u007f\u202e]/i);
          if (node.type === 'Action.OpenUrl') expect(String(node.url)).toMatch(/^https:\/\/ok\.example\//);
        }
      }),
      { numRuns: 300 },
    );
  });
});
