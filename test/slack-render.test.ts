import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { types } from '@slack/bolt';
import { escapeMrkdwn, fitMrkdwn, plainText, spansToMrkdwn, truncatePlain } from '../adapters/slack/mrkdwn.js';
import { LIMITS, renderBlocks } from '../adapters/slack/render-blocks.js';
import { formErrors, readFormValues, renderModal } from '../adapters/slack/render-modal.js';
import { b, divider, heading, link, note, paragraph, t, user, type Action, type Block, type Form, type Span, type View } from '../src/views/elements.js';
import { statusView } from '../src/views/status.js';
import { checklistView } from '../src/views/checklist.js';
import { evaluate } from '../src/domain/readiness.js';
import type { Release } from '../src/domain/release.js';
import { loadTemplate } from '../src/app/usecases/templates.js';
import { releaseFromTemplate } from '../src/app/usecases/new-release.js';
import type { Template } from '../src/domain/template.js';

type KnownBlock = types.KnownBlock;
type Text = { type: string; text: string; verbatim?: boolean };

/** No `&` outside an entity, no `<` or `>` outside a whole mention or link token. */
function wellFormed(mrkdwn: string): boolean {
  if (/&(?!amp;|lt;|gt;)/.test(mrkdwn)) return false;
  const rest = mrkdwn.replace(/<(?:@[UW][A-Z0-9]+|https?:\/\/[^\s<>|]+(?:\|[^<>|]+)?)>/g, '');
  return !/[<>]/.test(rest);
}

function mrkdwnText(text: Text, max: number): string {
  expect(text.type).toBe('mrkdwn');
  expect(text.verbatim).toBe(true);
  expect(text.text.length).toBeGreaterThan(0);
  expect(text.text.length).toBeLessThanOrEqual(max);
  expect(wellFormed(text.text), text.text).toBe(true);
  return text.text;
}

function expectPlain(text: { type: string; text: string }, max: number): void {
  expect(text.type).toBe('plain_text');
  expect(text.text.length).toBeGreaterThan(0);
  expect(text.text.length).toBeLessThanOrEqual(max);
}

/** The structural rules Slack enforces on a message, checked block by block. */
function expectValidMessage(blocks: KnownBlock[], maxBlocks: number = LIMITS.messageBlocks): void {
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(maxBlocks);
  const ids = blocks.map((block) => block.block_id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const block of blocks) {
    expect(block.block_id!.length).toBeLessThanOrEqual(255);
    switch (block.type) {
      case 'header':
        expectPlain(block.text, LIMITS.header);
        break;
      case 'section':
        expect(Boolean(block.text) || Boolean(block.fields)).toBe(true);
        if (block.text) mrkdwnText(block.text as Text, LIMITS.section);
        if (block.fields) {
          expect(block.fields.length).toBeGreaterThan(0);
          expect(block.fields.length).toBeLessThanOrEqual(LIMITS.fieldsPerSection);
          for (const field of block.fields) mrkdwnText(field as Text, LIMITS.field);
        }
        break;
      case 'context':
        expect(block.elements.length).toBeGreaterThan(0);
        expect(block.elements.length).toBeLessThanOrEqual(10);
        for (const element of block.elements) mrkdwnText(element as Text, LIMITS.context);
        break;
      case 'actions': {
        expect(block.elements.length).toBeGreaterThan(0);
        expect(block.elements.length).toBeLessThanOrEqual(LIMITS.actionsPerBlock);
        const actionIds = block.elements.map((e) => (e as types.Button).action_id);
        expect(new Set(actionIds).size).toBe(actionIds.length);
        for (const element of block.elements) {
          const button = element as types.Button;
          expect(button.type).toBe('button');
          expect(button.action_id!.length).toBeLessThanOrEqual(LIMITS.actionId);
          expectPlain(button.text, LIMITS.buttonText);
          if (button.value !== undefined) expect(button.value.length).toBeLessThanOrEqual(LIMITS.buttonValue);
          if (button.confirm) {
            expectPlain(button.confirm.title!, LIMITS.confirmTitle);
            expectPlain(button.confirm.text as Text, LIMITS.confirmText);
            expectPlain(button.confirm.confirm!, LIMITS.confirmButton);
            expectPlain(button.confirm.deny!, LIMITS.confirmButton);
          }
        }
        break;
      }
      case 'divider':
        break;
      default:
        throw new Error(`unexpected block type ${block.type}`);
    }
  }
}

const view = (...blocks: Block[]): View => ({ title: 'Test', blocks });
const render = (...blocks: Block[]) => renderBlocks(view(...blocks)).blocks;
const sectionText = (block: KnownBlock | undefined) => ((block as types.SectionBlock).text as Text).text;
const action = (id: string, extra: Partial<Action> = {}): Action => ({ id, label: id, value: `{"r":"nov"}`, ...extra });

describe('escapeMrkdwn', () => {
  it('escapes exactly &, < and >', () => {
    expect(escapeMrkdwn('<!channel>')).toBe('&lt;!channel&gt;');
    expect(escapeMrkdwn('<!everyone> <!here>')).toBe('&lt;!everyone&gt; &lt;!here&gt;');
    expect(escapeMrkdwn('<@U1>')).toBe('&lt;@U1&gt;');
    expect(escapeMrkdwn('R&D & ops')).toBe('R&amp;D &amp; ops');
    // Text that already looks escaped was typed that way and must show that way.
    expect(escapeMrkdwn('&amp;')).toBe('&amp;amp;');
    expect(escapeMrkdwn('*_~`"\'')).toBe('*_~`"\'');
  });
});

describe('spans to mrkdwn', () => {
  it('pings nobody for a release or comment that spells a mention', () => {
    const text = spansToMrkdwn([t('<!channel> '), b('<!everyone>'), t(' <@U123> <!subteam^S1>')]);
    expect(text).toBe('&lt;!channel&gt; *&lt;!everyone&gt;* &lt;@U123&gt; &lt;!subteam^S1&gt;');
    expect(text).not.toMatch(/<[!@]/);
  });

  it('puts style markers outside the escaped text and its surrounding spaces', () => {
    expect(spansToMrkdwn([b('Implementation: '), t('29 Nov')])).toBe('*Implementation:* 29 Nov');
    expect(spansToMrkdwn([t(' a&b ', 'italic')])).toBe(' _a&amp;b_ ');
    expect(spansToMrkdwn([t('/release status', 'code')])).toBe('`/release status`');
    expect(spansToMrkdwn([b('   ')])).toBe('   ');
  });

  it('sends a styled span unstyled when its text holds its own marker, so it cannot close early', () => {
    expect(spansToMrkdwn([b('2*3 is 6')])).toBe('2*3 is 6');
    expect(spansToMrkdwn([t('a `b` c', 'code')])).toBe('a `b` c');
    expect(spansToMrkdwn([t('snake_case', 'italic')])).toBe('snake_case');
    // Other markers inside a style only change looks; they are kept as typed.
    expect(spansToMrkdwn([b('a_b~c')])).toBe('*a_b~c*');
  });

  it('mentions Slack people and names anyone else in plain text, with their platform', () => {
    expect(spansToMrkdwn([user('slack:U123ABC')])).toBe('<@U123ABC>');
    expect(spansToMrkdwn([user('slack:W0ENTERPRISE1')])).toBe('<@W0ENTERPRISE1>');
    expect(spansToMrkdwn([user('console:dan')])).toBe('@dan (console)');
    expect(spansToMrkdwn([user('teams:29:1aBc_-x')])).toBe('@29:1aBc_-x (teams)');
    expect(spansToMrkdwn([user('golive:golive')])).toBe('golive');
    // A Slack-looking id of another platform, or with none, is never a Slack mention.
    expect(spansToMrkdwn([user('console:U123ABC')])).toBe('@U123ABC (console)');
    expect(spansToMrkdwn([user('U123ABC')])).toBe('@U123ABC');
    expect(spansToMrkdwn([user('slack:U1>|<!channel')])).toBe('@U1&gt;|&lt;!channel (slack)');
    expect(spansToMrkdwn([user('U1>|<!channel')])).toBe('@U1&gt;|&lt;!channel');
    expect(spansToMrkdwn([user('slack:u123')])).toBe('@u123 (slack)');
  });

  it('links only http(s) URLs, with | < > encoded in the URL and neutralised in the label', () => {
    expect(spansToMrkdwn([link('https://example.com/a?b=1&c=2')])).toBe('<https://example.com/a?b=1&amp;c=2>');
    expect(spansToMrkdwn([link('https://example.com/x', 'Test report')])).toBe('<https://example.com/x|Test report>');
    expect(spansToMrkdwn([link('https://example.com/a|b>c<d')])).toBe('<https://example.com/a%7Cb%3Ec%3Cd>');
    const label = spansToMrkdwn([link('https://example.com/', 'a|b <!channel>\nnext')]);
    expect(label).toBe('<https://example.com/|a\u2223b &lt;!channel&gt; next>');
    expect(label.match(/\|/g)).toHaveLength(1);
  });

  it('refuses non-http links and shows them as escaped text', () => {
    expect(spansToMrkdwn([link('javascript:alert(1)')])).toBe('javascript:alert(1)');
    expect(spansToMrkdwn([link('javascript:alert(1)', 'click <here>')])).toBe('click &lt;here&gt; (javascript:alert(1))');
    expect(spansToMrkdwn([link('not a url')])).toBe('not a url');
    expect(spansToMrkdwn([link('ftp://example.com/x')])).toBe('ftp://example.com/x');
  });
});

describe('truncation', () => {
  it('cuts neutral text before escaping, never inside an entity or a token', () => {
    const cut = fitMrkdwn([t('&'.repeat(100))], 23);
    expect(cut).toBe(`${'&amp;'.repeat(3)}… (cut)`);
    const mention = fitMrkdwn([t('x'.repeat(5)), user('slack:U1234567'), t('tail')], 14);
    expect(mention).toBe('xxxxx… (cut)');
    expect(fitMrkdwn([b('abcdefghij')], 12)).toBe('*abcdefghij*');
    expect(fitMrkdwn([b('abcdefghij')], 11)).toBe('*ab*… (cut)');
  });

  it('keeps any mix of spans well formed and within the limit', () => {
    const span = fc.oneof(
      fc
        .record({
          type: fc.constant('text' as const),
          text: fc.string({ unit: fc.constantFrom('a', ' ', '&', '<', '>', '*', '_', '`', '\n', '😀') }),
          style: fc.constantFrom(undefined, 'bold', 'italic', 'code'),
        })
        .map(({ style, ...rest }): Span => (style ? { ...rest, style } : rest)),
      fc.constantFrom<Span>(user('slack:U12345678'), user('console:dan'), link('https://example.com/a&b|c', 'l|<>'), link('javascript:x', '<!here>')),
    );
    fc.assert(
      fc.property(fc.array(span, { maxLength: 12 }), fc.integer({ min: 8, max: 80 }), (spans, max) => {
        const text = fitMrkdwn(spans, max, ':x: ');
        expect(text.length).toBeLessThanOrEqual(max);
        expect(wellFormed(text), text).toBe(true);
        expect(text).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
      }),
    );
  });

  it('keeps plain text as typed but never lets it spell a mention token', () => {
    expect(plainText('R&D <!channel> <@U1> <#C1> a<b', 100)).toBe('R&D <\u200b!channel> <\u200b@U1> <\u200b#C1> a<b');
  });

  it('cuts plain text on a code point and marks it', () => {
    expect(truncatePlain('abcdef', 4)).toBe('abc…');
    expect(truncatePlain('😀😀😀', 4)).toBe('😀…');
    expect(truncatePlain('short', 150)).toBe('short');
  });
});

describe('renderBlocks', () => {
  it('maps every neutral block type to its Block Kit block', () => {
    const { text, blocks } = renderBlocks({
      title: 'Nov <!channel> & co',
      blocks: [
        heading('Acceptance criteria'),
        paragraph(b('Implementation: '), t('29 Nov 2019')),
        note(t('Release nov · managers '), user('slack:U1'), t(', '), user('console:rita')),
        {
          type: 'fields',
          fields: [
            { label: 'Defects', value: [t('sev1 0')] },
            { label: 'Phase', value: [t('SIT closed')] },
          ],
        },
        {
          type: 'item',
          status: 'ok',
          title: [b('1. code-ready'), t(' Code is ready')],
          lines: [
            [t('Owners: '), user('slack:U2')],
            [t('Evidence: '), link('https://ci.example.com/1')],
          ],
        },
        { type: 'item', status: 'failed', title: [t('x')], lines: [], actions: [action('golive:answer:met'), action('golive:answer:not-met', { style: 'danger' })] },
        { type: 'actions', actions: [action('golive:decide:go', { style: 'primary' })] },
        divider(),
      ],
    });
    expect(text).toBe('Nov &lt;!channel&gt; &amp; co');
    expectValidMessage(blocks);
    expect(blocks.map((block) => block.type)).toEqual(['header', 'section', 'context', 'section', 'section', 'section', 'actions', 'actions', 'divider']);
    expect(blocks.map((block) => block.block_id)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6', 'b7', 'b8']);
    expect(blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text', text: 'Acceptance criteria' } });
    expect(sectionText(blocks[1])).toBe('*Implementation:* 29 Nov 2019');
    expect(blocks[2]).toMatchObject({ type: 'context', elements: [{ type: 'mrkdwn', text: 'Release nov · managers <@U1>, @rita (console)' }] });
    expect((blocks[3] as types.SectionBlock).fields!.map((f) => (f as Text).text)).toEqual(['*Defects*\nsev1 0', '*Phase*\nSIT closed']);
    expect(sectionText(blocks[4])).toBe(':white_check_mark: *1. code-ready* Code is ready\nOwners: <@U2>\nEvidence: <https://ci.example.com/1>');
    expect(sectionText(blocks[5])).toBe(':x: x');
    expect((blocks[6] as types.ActionsBlock).elements).toEqual([
      { type: 'button', action_id: 'golive:answer:met', text: { type: 'plain_text', text: 'golive:answer:met', emoji: true }, value: '{"r":"nov"}' },
      { type: 'button', action_id: 'golive:answer:not-met', text: { type: 'plain_text', text: 'golive:answer:not-met', emoji: true }, value: '{"r":"nov"}', style: 'danger' },
    ]);
  });

  it('shows each item status as its emoji', () => {
    const statuses = ['ok', 'failed', 'pending', 'stale', 'info'] as const;
    const blocks = render(...statuses.map((status): Block => ({ type: 'item', status, title: [t(status)], lines: [] })));
    expect(blocks.map((block) => sectionText(block).split(' ')[0])).toEqual([':white_check_mark:', ':x:', ':hourglass_flowing_sand:', ':warning:', ':information_source:']);
  });

  it('turns a confirm into a Slack confirmation dialog of plain text', () => {
    const [block] = render({
      type: 'actions',
      actions: [action('golive:decide:go', { confirm: { title: 'Decide GO?', text: 'As Panel, decide that <!channel> goes live.', yes: 'GO', no: 'Cancel' } })],
    });
    expect((block as types.ActionsBlock).elements[0]).toMatchObject({
      confirm: {
        title: { type: 'plain_text', text: 'Decide GO?' },
        text: { type: 'plain_text', text: 'As Panel, decide that <\u200b!channel> goes live.' },
        confirm: { type: 'plain_text', text: 'GO' },
        deny: { type: 'plain_text', text: 'Cancel' },
      },
    });
    const [long] = render({ type: 'actions', actions: [action('a', { label: 'L'.repeat(75), confirm: { title: 'T'.repeat(200), text: 'x'.repeat(400), yes: 'Y'.repeat(40), no: 'N'.repeat(40) } })] });
    expectValidMessage([long!]);
  });

  it('skips blocks Slack would refuse as empty and never sends an empty message', () => {
    const empty: Block[] = [heading('  '), paragraph(), note(t('')), { type: 'fields', fields: [] }, { type: 'actions', actions: [] }];
    expect(render(paragraph(t('a')), ...empty).map((block) => block.type)).toEqual(['section']);
    const { blocks } = renderBlocks({ title: '<!here>', blocks: empty });
    expect(blocks).toEqual([{ type: 'section', text: { type: 'mrkdwn', text: '&lt;!here&gt;', verbatim: true }, block_id: 'b0' }]);
  });

  it('cuts a header to 150 characters with an ellipsis', () => {
    const [block] = render(heading(`Release ${'x'.repeat(300)}`));
    expect((block as types.HeaderBlock).text.text).toHaveLength(150);
    expect((block as types.HeaderBlock).text.text.endsWith('…')).toBe(true);
  });

  it('cuts a section to 3000 characters without splitting an escape', () => {
    const blocks = render(paragraph(t('&'.repeat(5000))), { type: 'item', status: 'info', title: [t('<'.repeat(2000))], lines: [[user('slack:U1'), t('x'.repeat(3000))]] }, note(t('>'.repeat(3000))));
    expectValidMessage(blocks);
    expect(sectionText(blocks[0]).endsWith('&amp;… (cut)')).toBe(true);
    expect(sectionText(blocks[1]).endsWith('… (cut)')).toBe(true);
    expect(((blocks[2] as types.ContextBlock).elements[0] as Text).text.length).toBeLessThanOrEqual(LIMITS.context);
  });

  it('splits more than 10 fields into several sections and cuts a long field', () => {
    const fields = Array.from({ length: 23 }, (_, i) => ({ label: `F${i}`, value: [t(i === 0 ? '&'.repeat(1000) : `${i}`)] }));
    const blocks = render({ type: 'fields', fields });
    expectValidMessage(blocks);
    expect(blocks.map((block) => (block as types.SectionBlock).fields!.length)).toEqual([10, 10, 3]);
    expect(((blocks[0] as types.SectionBlock).fields![0] as Text).text.endsWith('… (cut)')).toBe(true);
  });

  it('puts at most 25 buttons in an actions block and never repeats an action id in one block', () => {
    const many = render({ type: 'actions', actions: Array.from({ length: 30 }, (_, i) => action(`golive:x:${i}`)) });
    expectValidMessage(many);
    expect(many.map((block) => (block as types.ActionsBlock).elements.length)).toEqual([25, 5]);
    const repeated = render({ type: 'actions', actions: [action('golive:answer:met'), action('golive:answer:met'), action('golive:answer:not-met')] });
    expectValidMessage(repeated);
    expect(repeated.map((block) => (block as types.ActionsBlock).elements.map((e) => (e as types.Button).action_id))).toEqual([['golive:answer:met'], ['golive:answer:met', 'golive:answer:not-met']]);
  });

  it('keeps the neutral action id verbatim, so a listener can match it with a RegExp', () => {
    const blocks = render(
      { type: 'item', status: 'pending', title: [t('1')], lines: [], actions: [action('golive:answer:met')] },
      { type: 'item', status: 'pending', title: [t('2')], lines: [], actions: [action('golive:answer:met')] },
    );
    const ids = blocks.filter((block) => block.type === 'actions').map((block) => ((block as types.ActionsBlock).elements[0] as types.Button).action_id);
    expect(ids).toEqual(['golive:answer:met', 'golive:answer:met']);
    expect(ids.every((id) => /^golive:answer:/.test(id!))).toBe(true);
    expectValidMessage(blocks);
  });

  it('keeps at most 50 blocks, whole items with their buttons, and says how many items were left out', () => {
    const items = Array.from({ length: 60 }, (_, i): Block => ({ type: 'item', status: 'pending', title: [t(`${i + 1}. criterion`)], lines: [], actions: [action('golive:answer:met')] }));
    const blocks = render(heading('Acceptance criteria'), ...items);
    expectValidMessage(blocks);
    // The heading and 24 items with their buttons: 49 blocks, then the line saying what is missing.
    expect(blocks).toHaveLength(50);
    expect(blocks[48]!.type).toBe('actions');
    const last = blocks[49] as types.ContextBlock;
    expect(last.type).toBe('context');
    expect((last.elements[0] as Text).text).toMatch(/^… 36 more items not shown/);
    expect((last.elements[0] as Text).text).toContain('`/release status`');
    // A home tab holds 100: 49 items with their buttons, then the line.
    const home = renderBlocks(view(...items), { maxBlocks: 100 }).blocks;
    expectValidMessage(home, 100);
    expect(home).toHaveLength(99);
  });

  it('does not end a cut message on a heading with nothing under it', () => {
    const blocks = render(...Array.from({ length: 48 }, (_, i) => paragraph(t(`${i}`))), heading('Facts'), divider(), paragraph(t('a')), paragraph(t('b')));
    expectValidMessage(blocks);
    expect(blocks).toHaveLength(49);
    expect(blocks[47]!.type).toBe('section');
    expect(((blocks[48] as types.ContextBlock).elements[0] as Text).text).toMatch(/^… 2 more items not shown/);
  });
});

describe('renderModal', () => {
  const form: Form = {
    id: 'golive:answer',
    title: 'Answer criterion 1 of the November release',
    submit: 'Record answer',
    intro: [t('Criterion '), b('1. code-ready'), t(' of <!channel>')],
    fields: [
      { id: 'comment', label: 'Comment', kind: 'text', multiline: true, required: true, hint: 'Why, in a sentence or two', placeholder: 'What is missing?' },
      { id: 'evidence', label: 'Evidence links', kind: 'links', multiline: true, required: false },
    ],
    metadata: '{"r":"nov","c":"code-ready","a":"not-met"}',
  };

  it('builds a modal with one input per field, keyed by the field id', () => {
    const modal = renderModal(form);
    expect(modal).toMatchObject({
      type: 'modal',
      callback_id: 'golive:answer',
      private_metadata: form.metadata,
      title: { type: 'plain_text', text: 'Answer criterion 1 of t…' },
      submit: { type: 'plain_text', text: 'Record answer' },
      close: { type: 'plain_text', text: 'Cancel' },
    });
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
    expect(modal.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn', text: 'Criterion *1. code-ready* of &lt;!channel&gt;' } });
    expect(modal.blocks.slice(1)).toEqual([
      {
        type: 'input',
        block_id: 'comment',
        label: { type: 'plain_text', text: 'Comment', emoji: true },
        optional: false,
        element: { type: 'plain_text_input', action_id: 'comment', multiline: true, max_length: 3000, placeholder: { type: 'plain_text', text: 'What is missing?', emoji: true } },
        hint: { type: 'plain_text', text: 'Why, in a sentence or two', emoji: true },
      },
      {
        type: 'input',
        block_id: 'evidence',
        label: { type: 'plain_text', text: 'Evidence links', emoji: true },
        optional: true,
        element: { type: 'plain_text_input', action_id: 'evidence', multiline: true, max_length: 3000 },
      },
    ]);
  });

  it('reads submitted values back by field id, empty for anything left blank', () => {
    const modal = renderModal(form);
    const state: Record<string, Record<string, { type: string; value: string | null }>> = {};
    for (const block of modal.blocks) {
      if (block.type !== 'input') continue;
      const input = block as types.InputBlock;
      const element = input.element as types.PlainTextInput;
      state[input.block_id!] = { [element.action_id!]: { type: 'plain_text_input', value: input.block_id === 'comment' ? 'Waiting for <b> & co' : null } };
    }
    expect(readFormValues(state)).toEqual({ comment: 'Waiting for <b> & co', evidence: '' });
    expect(readFormValues({}, ['comment', 'evidence'])).toEqual({ comment: '', evidence: '' });
    expect(Object.getPrototypeOf(readFormValues({ __proto__: { x: { type: 'plain_text_input', value: 'v' } } } as never))).toBe(Object.prototype);
  });

  it('gives the ack body that shows errors under the fields', () => {
    expect(formErrors({ comment: 'A comment is required.' })).toEqual({ response_action: 'errors', errors: { comment: 'A comment is required.' } });
  });
});

describe('real views', () => {
  let template: Template;
  beforeAll(async () => {
    template = await loadTemplate('sec-release');
  });

  const T0 = Date.parse('2019-11-01T09:00:00.000Z');
  const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();
  const NOW = new Date('2019-11-20T12:00:00Z');

  /** The seed release half way: some answers with comments and evidence, a risk, a moved date. */
  function release(criteria = 0): Release {
    const r = releaseFromTemplate(template, { id: 'nov-2019', name: 'November 2019 SEC Release <!channel> & co', date: '2019-11-29', by: 'slack:URITA0001', at: at(0) });
    r.roles = { DCC: ['slack:UDAN00001'], SECAS: ['slack:USAM00001', 'console:sam-console'], Panel: ['slack:UPAT00001'] };
    r.facts = {
      defects: { counts: { 1: 0, 2: 1, 3: 4, 4: 7, 5: 2 }, plans: true, setAt: at(1), setBy: 'slack:URITA0001', changedAt: at(1) },
      testingIssues: { count: 12, threshold: 30, setAt: at(1), setBy: 'slack:URITA0001', changedAt: at(1) },
      phases: [{ name: 'SIT', closed: true, exitCriteriaMet: true, setAt: at(1), setBy: 'slack:URITA0001', changedAt: at(1) }],
      environment: { note: 'SIT A <@U999> & B', setAt: at(1), setBy: 'slack:URITA0001', changedAt: at(1) },
    };
    for (let i = 0; i < criteria; i++) {
      r.criteria.push({ id: `extra-${i}`, number: r.criteria.length + 1, text: `Extra criterion ${i} ${'long text & more '.repeat(20)}`, owners: { roles: ['DCC'], people: [] }, responses: [] });
    }
    r.criteria.forEach((c, i) => {
      if (i % 3 === 0) c.responses.push({ answer: 'met', evidence: ['https://ci.example.com/run?id=1&x=2', 'https://docs.example.com/a|b'], by: 'slack:UDAN00001', platform: 'slack', at: at(10 + i) });
      if (i % 3 === 1)
        c.responses.push({ answer: 'need-info', comment: `Need the <!everyone> report *now* ${'&'.repeat(400)}`, evidence: [], by: 'slack:USAM00001', platform: 'slack', at: at(10 + i) });
    });
    for (const g of r.groups) {
      g.members = ['slack:UCHAIR001', 'slack:UCHAIR002'];
      g.signoffs.push({ verdict: 'agree', by: 'slack:UCHAIR001', platform: 'slack', at: at(20), note: 'OK <!here>' });
    }
    r.risks.push({
      number: 1,
      description: 'SECMP0062 switches turned on by mistake',
      owner: 'slack:URITA0001',
      mitigations: [1, 2, 3].map((n) => ({ text: `Mitigation ${n} ${'x'.repeat(900)}`, by: 'slack:URITA0001', at: at(5) })),
      views: [{ group: r.groups[0]!.id, text: 'Acceptable', by: 'slack:UCHAIR001', at: at(6) }],
      status: 'accepted-with-conditions',
      conditions: 'Clarify the alerting',
      statusChangedAt: at(7),
      by: 'slack:URITA0001',
      at: at(5),
    });
    r.switches[0]!.current = 'off';
    r.dateChanges.push({
      from: { date: '2019-11-22', time: r.implementation.time },
      to: { date: '2019-11-29', time: r.implementation.time },
      reason: 'Extra testing & <!channel>',
      by: 'slack:URITA0001',
      at: at(2),
    });
    return r;
  }

  it('renders the status of a realistic release within every Slack limit', () => {
    const r = release();
    const rendered = renderBlocks(statusView(r, evaluate(r, NOW), NOW));
    expectValidMessage(rendered.blocks);
    expect(rendered.text).toContain('&lt;!channel&gt; &amp; co');
    const all = JSON.stringify(rendered.blocks);
    expect(all).not.toMatch(/<!(channel|everyone|here)/);
    expect(all).toContain('<@UDAN00001>');
    expect(all).toContain('@sam-console (console)');
    // Slack does not parse plain_text, so a header keeps the name as typed, entities and all.
    expect(rendered.blocks[0]).toMatchObject({ type: 'header', text: { text: 'November 2019 SEC Release <\u200b!channel> & co: NO-GO' } });
  });

  it('renders the status and the checklist of a release far too big for one message within every limit', () => {
    const r = release(60);
    const readiness = evaluate(r, NOW);
    for (const v of [statusView(r, readiness, NOW), checklistView(r, readiness, NOW)]) {
      const { blocks } = renderBlocks(v);
      expectValidMessage(blocks);
      const last = blocks.at(-1) as types.ContextBlock;
      expect((last.elements[0] as Text).text).toMatch(/^… \d+ more items? not shown/);
    }
  });
});
