import { nodes } from './support/teams-cards-read.js';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFRESH_VERB, bytes, renderCard } from '../adapters/teams/render-card.js';
import { FORM_VERBS, readFormData, renderFormCard } from '../adapters/teams/render-form.js';
import type { AdaptiveCard } from '../adapters/teams/card-types.js';
import { b, divider, heading, link, note, paragraph, t, user, type Action, type Block, type Form, type Span, type View } from '../src/views/elements.js';
import { statusView } from '../src/views/status.js';
import { checklistView } from '../src/views/checklist.js';
import { evaluate } from '../src/domain/readiness.js';
import type { Release } from '../src/domain/release.js';
import { actionValue } from '../src/app/language/action-ids.js';
import { Harness } from './support/golive.js';
import { cardProblems } from './teams-cards-validate.js';

type Node = Record<string, unknown>;

const ofType = (card: object, type: string) => nodes(card).filter((n) => n.type === type);

/** What a reader sees of one element: TextRuns joined, a mention tag as the name, zero-width spaces gone. */
function seen(element: Node): string {
  // In a TextBlock `**` is markdown (the renderer's own bold) and a tag is a mention; in a TextRun all is text.
  const text =
    element.type === 'TextBlock'
      ? String(element.text)
          .replace(/<at>(.*?)<\/at>/g, '@$1')
          .replace(/\*\*/g, '')
      : element.type === 'RichTextBlock'
        ? (element.inlines as Node[]).map((r) => r.text).join('')
        : '';
  return text.replace(/\u200b/g, '');
}
/** The card's text as a reader sees it, one element a line. */
const visible = (card: object) =>
  nodes(card)
    .filter((n) => n.type === 'TextBlock' || n.type === 'RichTextBlock')
    .map(seen)
    .join('\n');

function expectValid(card: object): void {
  expect(cardProblems(card)).toEqual([]);
  // Teams refuses a card over 28 KB; golive keeps a margin under it.
  expect(bytes(card)).toBeLessThanOrEqual(26_000);
}

const view = (...blocks: Block[]): View => ({ title: 'Test', blocks });
const action = (id: string, extra: Partial<Action> = {}): Action => ({ id, label: id, value: '{"r":"nov"}', ...extra });

// ---------------------------------------------------------------------------------------------

describe('the card validator', () => {
  const valid = (): Node => ({
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [{ type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'hello' }] }],
  });
  const withBody = (...body: Node[]) => ({ ...valid(), body });

  it('accepts a valid card', () => {
    expect(cardProblems(valid())).toEqual([]);
  });

  it('refuses an element or property newer than 1.5, and a card of another version', () => {
    expect(cardProblems(withBody({ type: 'Carousel', pages: [] })).join()).toMatch(/UnknownElementType: Unknown element type "Carousel"/);
    expect(cardProblems(withBody({ type: 'Input.Text', id: 'a', label: 'A', labelPosition: 'inline' })).join()).toMatch(/UnsupportedProperty: Property "labelPosition" is supported in version 1.6/);
    expect(cardProblems({ ...valid(), version: '1.6' })).toContain('version is "1.6", not "1.5"');
  });

  it('refuses an unknown property, a wrong type, a bad enum value and a missing required property', () => {
    expect(cardProblems(withBody({ type: 'TextBlock', text: 'x', bogus: 1 })).join()).toMatch(/not kept by the 1.5 object model: \.body\[0\]\.bogus/);
    expect(cardProblems(withBody({ type: 'TextBlock', text: 5 })).join()).toMatch(/not kept by the 1.5 object model: \.body\[0\]\.text/);
    expect(cardProblems(withBody({ type: 'TextBlock', text: 'x', color: 'purple' })).join()).toMatch(/InvalidPropertyValue: Invalid value "purple"/);
    expect(cardProblems(withBody({ type: 'TextBlock', wrap: true }))).toContain('.body[0]: TextBlock needs "text"');
    expect(cardProblems(withBody({ type: 'Container', items: [] })).join()).toMatch(/not kept/);
    expect(cardProblems({ ...valid(), actions: [{ type: 'Action.Frob', title: 'x' }] }).join()).toMatch(/UnknownActionType/);
  });

  it('refuses what Microsoft’s own validation refuses: required inputs without a label or message, duplicate ids, too many buttons', () => {
    expect(cardProblems(withBody({ type: 'Input.Text', id: 'a', isRequired: true })).join()).toMatch(/RequiredInputsShouldHaveLabel.*RequiredInputsShouldHaveErrorMessage/);
    expect(cardProblems(withBody({ type: 'Input.Text', id: 'a', label: 'A' }, { type: 'Input.Text', id: 'a', label: 'B' })).join()).toMatch(/DuplicateId/);
    const six = Array.from({ length: 6 }, (_, i) => ({ type: 'Action.Execute', title: `${i}`, verb: 'v' }));
    expect(cardProblems(withBody({ type: 'ActionSet', actions: six })).join()).toMatch(/TooManyActions/);
  });

  it('checks Teams’ msteams extension: only full width and mention entities that match the text', () => {
    expect(cardProblems({ ...valid(), msteams: { width: 'Full', colour: 'red' } }).join()).toMatch(/msteams: : Unrecognized key/);
    const tag = { type: 'TextBlock', text: 'Hi <at>Dan</at>', wrap: true };
    const entity = { type: 'mention', text: '<at>Dan</at>', mentioned: { id: '29:dan', name: 'Dan' } };
    expect(cardProblems({ ...withBody(tag), msteams: { entities: [entity] } })).toEqual([]);
    expect(cardProblems({ ...withBody(tag), msteams: { entities: [] } })).toContain('msteams: <at>Dan</at> has no entity');
    expect(cardProblems({ ...valid(), msteams: { entities: [entity] } })).toContain('msteams: entity <at>Dan</at> is not in any TextBlock');
  });
});

// ---------------------------------------------------------------------------------------------

const script = (await readFile(new URL('../examples/sec-release-2019.txt', import.meta.url), 'utf8')).split('\n');
/** The seed release as set up and answered through the console, up to the Panel's meeting. */
const beforePanel = script.slice(0, script.indexOf('/as pat')).join('\n');
const panelDecides = '/as pat\n/release decide go "NOTE the views of OPSG and TAG; AGREE the release can be set live on 29 November 2019"';

/** The release with these people's ids qualified, as they are recorded once people are platform-qualified. */
/** The release with some of its console people replaced by people on other platforms (`dan` is console:dan). */
function qualified(release: Release, ids: Record<string, string>): Release {
  const renamed = (value: string) => (value.startsWith('console:') && Object.hasOwn(ids, value.slice(8)) ? ids[value.slice(8)] : value);
  return JSON.parse(JSON.stringify(release), (_key, value) => (typeof value === 'string' ? renamed(value) : value)) as Release;
}

describe('cards of the seed release, built through the console', () => {
  let h: Harness;
  let release: Release;
  beforeAll(async () => {
    h = await Harness.openWith(beforePanel, '2019-11-04T09:00:00Z');
    release = (await h.store.get('nov-2019-sec'))!.release;
  });
  afterAll(() => h.close());
  const now = () => h.clock.now();

  it('renders the status card valid and within size, verdict first, then criteria with who, when, evidence and comments', () => {
    const { card, mentions } = renderCard(statusView(release, evaluate(release, now()), now()));
    expectValid(card);
    expect(mentions).toEqual([]);
    expect(seen(card.body[0] as unknown as Node)).toBe('November 2019 SEC Release: PENDING');
    expect(card.body[0]).toMatchObject({ type: 'RichTextBlock', inlines: [{ size: 'Large', weight: 'Bolder' }] });
    const text = visible(card);
    expect(text).toContain('✅ 1. code-ready The DCC has developed the coding');
    expect(text).toContain('met by @dan on 5 Nov 2019 10:00 GMT: Coding complete for each approved change; deployable on 29 Nov');
    expect(text).toContain('met by @sam on 7 Nov 2019 11:00 GMT: SECAS ready to implement the SEC changes on 29 Nov');
    expect(text).toContain('Late for OPSG and TAG: given 7 Nov 2019 11:00 GMT, after their evidence deadline 6 Nov 2019 17:00 GMT');
    expect(text).toContain('@tara agreed (signed by @tess) on 8 Nov 2019 10:00 GMT: Testing demonstrates the code is developed to an acceptable standard');
    expect(text.indexOf('Acceptance criteria')).toBeLessThan(text.indexOf('Review groups'));
    expect(text.indexOf('Review groups')).toBeLessThan(text.indexOf('Residual risks'));
    expect(text).toMatch(/Blockers \(1\)\nWAITING /);
    // Evidence links open their page; nothing else in the card is a link.
    const urls = ofType(card, 'Action.OpenUrl').map((a) => a.url);
    expect(urls).toContain('https://example.org/nov-2019/code-complete');
    expect(urls.every((url) => String(url).startsWith('https://example.org/nov-2019/'))).toBe(true);
    // Met items are green; the decision still waiting is not coloured.
    const items = ofType(card, 'Container');
    expect(items.filter((c) => c.style === 'good').length).toBeGreaterThanOrEqual(7);
  });

  it('renders the checklist with the answer buttons as universal actions, and sign-off and decision buttons behind a second step', () => {
    const { card } = renderCard(checklistView(release, evaluate(release, now()), now()));
    expectValid(card);
    expect(seen(card.body[0] as unknown as Node)).toBe('Go-live checklist: November 2019 SEC Release: PENDING');
    const executes = ofType(card, 'Action.Execute');
    const answers = executes.filter((a) => String(a.verb).startsWith('golive:answer:'));
    expect(answers).toHaveLength(7 * 3);
    expect(answers.slice(0, 3)).toEqual([
      { type: 'Action.Execute', title: 'Met', verb: 'golive:answer:met', data: { value: actionValue({ r: 'nov-2019-sec', c: 'code-ready' }) }, style: 'positive' },
      { type: 'Action.Execute', title: 'Not met', verb: 'golive:answer:not-met', data: { value: actionValue({ r: 'nov-2019-sec', c: 'code-ready' }) }, style: 'destructive' },
      { type: 'Action.Execute', title: 'Need info', verb: 'golive:answer:need-info', data: { value: actionValue({ r: 'nov-2019-sec', c: 'code-ready' }) } },
    ]);
    const decide = ofType(card, 'Action.ShowCard').find((a) => a.title === 'Decide GO')!;
    expect(decide).toMatchObject({ style: 'positive', card: { actions: [{ type: 'Action.Execute', title: 'GO', verb: 'golive:decide:go', data: { value: actionValue({ r: 'nov-2019-sec' }) } }] } });
    expect(visible(decide.card as object)).toContain('As Panel, decide that November 2019 SEC Release goes live.');
    // Nothing that decides or signs off can run from one tap: each is inside a ShowCard.
    const direct = card.body.flatMap((element) =>
      nodes(element)
        .filter((n) => n.type === 'ActionSet')
        .flatMap((set) => set.actions as Node[]),
    );
    expect(direct.filter((a) => a.type === 'Action.Execute' && /^golive:(decide|signoff):/.test(String(a.verb)))).toEqual([]);
    expect(ofType(card, 'Action.ShowCard').map((a) => a.title)).toEqual(['OPSG: agree', 'OPSG: disagree', 'TAG: agree', 'TAG: disagree', 'Decide GO', 'Decide NO-GO']);
  });

  it('shows the decision once the Panel decides, in a card that still validates', async () => {
    await h.run(panelDecides);
    const decided = (await h.store.get('nov-2019-sec'))!.release;
    const { card } = renderCard(statusView(decided, evaluate(decided, now()), now()));
    expectValid(card);
    expect(seen(card.body[0] as unknown as Node)).toBe('November 2019 SEC Release: GO');
    expect(visible(card)).toContain('✅ GO by @pat on 15 Nov 2019 10:00 GMT: NOTE the views of OPSG and TAG; AGREE the release can be set live on 29 November 2019');
    expect(visible(card)).toContain('Nothing blocks go-live');
  });

  it('mentions Teams people with entities and writes everyone else as text', () => {
    const teams = qualified(release, { dan: 'teams:29:dan-id', sam: 'teams:29:sam-id', pat: 'teams:29:pat-id', olivia: 'slack:U0LIVIA', oscar: 'console:oscar' });
    const names = (id: string) => ({ 'teams:29:dan-id': 'Dan Daniels' })[id];
    const { card, mentions } = renderCard(checklistView(teams, evaluate(teams, now()), now()), { names });
    expectValid(card);
    expect(mentions).toEqual([
      { type: 'mention', text: '<at>Dan Daniels</at>', mentioned: { id: '29:dan-id', name: 'Dan Daniels' } },
      { type: 'mention', text: '<at>29:sam-id</at>', mentioned: { id: '29:sam-id', name: '29:sam-id' } },
      { type: 'mention', text: '<at>29:pat-id</at>', mentioned: { id: '29:pat-id', name: '29:pat-id' } },
    ]);
    expect(card.msteams).toEqual({ width: 'Full', entities: mentions });
    const blocks = ofType(card, 'TextBlock').map((n) => n.text);
    expect(blocks).toContain('Waiting for <at>29:pat-id</at>');
    expect(blocks).toContain('**met** by <at>Dan Daniels</at> on 5 Nov 2019 10:00 GMT: Coding complete for each approved change; deployable on 29 Nov');
    expect(visible(card)).toContain('slack:U0LIVIA agreed on 8 Nov 2019 10:00 GMT');
    expect(visible(card)).toContain('@oscar agreed on 8 Nov 2019 10:00 GMT');
  });
});

// ---------------------------------------------------------------------------------------------

describe('a release far too big for one card', () => {
  let h: Harness;
  let big: Release;
  const comment = (i: number) => `Comment ${i}: ${'waiting for the supplier to confirm the fix '.repeat(70)}`.slice(0, 3000);
  beforeAll(async () => {
    h = await Harness.openWith(beforePanel, '2019-11-04T09:00:00Z');
    big = qualified((await h.store.get('nov-2019-sec'))!.release, { dan: 'teams:29:dan-id' });
    while (big.criteria.length < 60) {
      const n = big.criteria.length + 1;
      big.criteria.push({ id: `extra-${n}`, number: n, text: `Extra criterion ${n}`, owners: { roles: ['DCC'], people: [] }, responses: [] });
    }
    big.criteria.forEach((c, i) => {
      c.responses.push({ answer: 'need-info', comment: comment(i), evidence: [`https://example.org/evidence/${i}`], by: 'teams:29:dan-id', platform: 'teams', at: '2019-11-06T10:00:00.000Z' });
    });
  });
  afterAll(() => h.close());

  it('has 60 criteria with 3,000-character comments', () => {
    expect(big.criteria).toHaveLength(60);
    expect(big.criteria.every((c) => c.responses.at(-1)!.comment!.length === 3000)).toBe(true);
  });

  it('keeps the checklist under the size limit, whole items from the start, and says how many are left out', () => {
    const v = checklistView(big, evaluate(big, h.clock.now()), h.clock.now());
    const { card, mentions } = renderCard(v, { names: () => 'Dan' });
    expectValid(card);
    const items = card.body.filter((e) => e.type === 'Container');
    const numbers = items.map((c) => /^\S+ (\d+)\. /.exec(seen((c as unknown as { items: Node[] }).items[0]!))?.[1]).map(Number);
    expect(numbers).toEqual(numbers.map((_, i) => i + 1));
    expect(numbers.length).toBeGreaterThan(3);
    expect(numbers.length).toBeLessThan(60);
    // Left out: the other criteria, both groups, the decision and the closing note.
    const last = seen(card.body.at(-1) as unknown as Node);
    expect(last).toBe(`… ${60 - numbers.length + 4} more items not shown: a Teams card holds about 28 KB. Send release status for the verdict and blockers, or release report for the full record.`);
    expect(card.body.at(-1)).toMatchObject({ type: 'RichTextBlock', inlines: [{ isSubtle: true, size: 'Small' }, { fontType: 'Monospace' }, {}, { fontType: 'Monospace' }, {}] });
    // Every kept comment is cut to the line limit and says so.
    const comments = ofType(card, 'RichTextBlock')
      .map(seen)
      .filter((s) => s.includes('waiting for the supplier'));
    expect(comments.length).toBe(numbers.length);
    expect(comments.every((s) => s.length <= 2000 && s.endsWith('… (cut)'))).toBe(true);
    expect(mentions).toEqual([{ type: 'mention', text: '<at>Dan</at>', mentioned: { id: '29:dan-id', name: 'Dan' } }]);
  });

  it('keeps the status card under the size limit with headings before the cut, never a heading last', () => {
    const { card } = renderCard(statusView(big, evaluate(big, h.clock.now()), h.clock.now()));
    expectValid(card);
    const last = seen(card.body.at(-1) as unknown as Node);
    expect(last).toMatch(/^… \d+ more items not shown/);
    expect(seen(card.body[0] as unknown as Node)).toBe('November 2019 SEC Release: PENDING');
    const beforeLast = card.body.at(-2) as unknown as Node;
    expect(beforeLast.type).toBe('Container');
  });

  it('stays under the limit whatever the number of items, and renders everything when it fits', () => {
    for (const count of [1, 5, 20, 40, 200]) {
      const items = Array.from(
        { length: count },
        (_, i): Block => ({
          type: 'item',
          status: 'pending',
          title: [b(`${i + 1}.`), t(` ${'ü'.repeat(400)}`)],
          lines: [[t('Owner '), user(`teams:29:p${i}`)]],
          actions: [action('golive:answer:met')],
        }),
      );
      const { card, mentions } = renderCard(view(heading('Criteria'), ...items));
      expectValid(card);
      const shown = card.body.filter((e) => e.type === 'Container').length;
      expect(mentions).toHaveLength(shown);
      if (shown < count) expect(seen(card.body.at(-1) as unknown as Node)).toMatch(new RegExp(`^… ${count - shown} more items? not shown`));
      else expect(visible(card)).not.toContain('more item');
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('hostile text', () => {
  const HOSTILE = ['**bold**', '[x](http://evil)', '<at>Boss</at>', '{{template}}', '{{DATE(2019-11-05T10:00:00Z, SHORT)}}', '${x}', '</script>', '_it_', '- list', '# head', '&lt;at&gt;'];
  const CONTROLS = 'a\u0007b\u001b[31mc\u202ed\u0000e';
  const LONG = `${'y'.repeat(10_000)}`;
  const joined = HOSTILE.join(' ');

  function hostileView(): View {
    return view(
      heading(`Release ${joined}`),
      paragraph(t(joined)),
      note(t('By '), user('teams:29:rita'), t(`: ${joined}`)),
      { type: 'fields', fields: [{ label: joined, value: [t(joined)] }] },
      {
        type: 'item',
        status: 'failed',
        title: [b(joined)],
        lines: [[t('Answer by '), user('teams:29:dan'), t(` on 5 Nov: ${joined}`)], [t(CONTROLS)], [t(LONG)], [user('teams:29:dan'), t(` ${LONG}`)]],
        actions: [action('golive:answer:met', { label: joined.slice(0, 75) })],
      },
      divider(),
      paragraph(b(joined), t(' · '), link('javascript:alert(1)', joined), t(' · '), link('https://example.org/ok', '[x](http://evil) <at>Boss</at>')),
    );
  }

  it('renders every hostile string literally, in a card that validates', () => {
    const { card } = renderCard(hostileView(), { names: (id) => (id === 'teams:29:dan' ? 'Dan' : 'Rita') });
    expectValid(card);
    const text = visible(card);
    for (const hostile of HOSTILE) {
      expect(text.split(hostile).length - 1, hostile).toBeGreaterThanOrEqual(6);
    }
    expect(text).toContain('ab[31mcde');
    expect(JSON.stringify(card)).not.toMatch(/\\u000[07]|\\u001b|\u202e/);
  });

  it('adds no mention, link or markdown of its own', () => {
    const { card, mentions } = renderCard(hostileView(), { names: (id) => (id === 'teams:29:dan' ? 'Dan' : 'Rita') });
    expect(mentions.map((m) => m.mentioned.id)).toEqual(['29:rita', '29:dan']);
    // Markdown and mentions are read only in TextBlocks: those hold nothing but our tags and inert words.
    for (const block of ofType(card, 'TextBlock')) {
      const text = String(block.text).replace(/<at>(Dan|Rita)<\/at>/g, '');
      expect(text, String(block.text)).toMatch(/^[\w ,.:;'’"()?!/%=+\-·—–…@✅❌⏳⚠️ℹ️*]*$/u);
      expect(text.replace(/\*\*[^*]+\*\*/g, '')).not.toContain('*');
    }
    // Typed tags cannot become mentions in any element: each `<` before `at` is broken.
    expect(JSON.stringify({ ...card, msteams: undefined }).match(/<\/?at>/g)!.length).toBe(ofType(card, 'TextBlock').reduce((n, b) => n + (String(b.text).match(/<\/?at>/g)?.length ?? 0), 0));
    for (const run of ofType(card, 'TextRun')) expect(String(run.text)).not.toMatch(/<\/?at>|\{\{DATE\(/i);
    // The only link is the one http(s) link span; javascript: is shown as text.
    expect(ofType(card, 'Action.OpenUrl')).toEqual([{ type: 'Action.OpenUrl', url: 'https://example.org/ok' }]);
    expect(visible(card)).toContain(`${joined} (javascript:alert(1))`);
  });

  it('cuts 10,000 characters to the line limit', () => {
    const { card } = renderCard(hostileView());
    // The second long line follows a mention: its inert start stays beside the mention, in the TextBlock.
    const longs = nodes(card)
      .filter((n) => n.type === 'RichTextBlock' || n.type === 'TextBlock')
      .map(seen)
      .filter((s) => s.includes('yyyy'));
    expect(longs).toHaveLength(2);
    for (const s of longs) {
      expect(s.length).toBeLessThanOrEqual(2000);
      expect(s.endsWith('y… (cut)')).toBe(true);
    }
  });

  it('keeps a hostile comment given through the console literal on the Teams card, mention and all', async () => {
    const h = await Harness.openWith(beforePanel, '2019-11-04T09:00:00Z');
    try {
      const typed = '**bold** [x](http://evil) <at>Boss</at> {{template}} ${x} </script>';
      const { output } = await h.run(`/as dan\n/release confirm code-ready need-info "${typed}"`);
      expect(output).not.toMatch(/error|not/i);
      const release = qualified((await h.store.get('nov-2019-sec'))!.release, { dan: 'teams:29:dan-id' });
      const { card, mentions } = renderCard(checklistView(release, evaluate(release, h.clock.now()), h.clock.now()), { names: () => 'Dan' });
      expectValid(card);
      expect(visible(card)).toContain(`needs more information by @Dan on 15 Nov 2019 10:00 GMT: \n${typed}`);
      expect(ofType(card, 'TextBlock').map((n) => n.text)).toContain('**needs more information** by <at>Dan</at> on 15 Nov 2019 10:00 GMT: ');
      expect(mentions).toEqual([{ type: 'mention', text: '<at>Dan</at>', mentioned: { id: '29:dan-id', name: 'Dan' } }]);
      expect(ofType(card, 'Action.OpenUrl').every((a) => String(a.url).startsWith('https://example.org/'))).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('cleans a display name before it goes inside a mention', () => {
    const { card, mentions } = renderCard(view(paragraph(user('teams:29:x'))), { names: () => '**Boss** <at>x</at> [l](http://e)\n_y_' });
    expectValid(card);
    expect(mentions[0]!.text).toBe('<at>Boss at x at l (http: e) y</at>');
    expect(mentions[0]!.mentioned).toEqual({ id: '29:x', name: 'Boss at x at l (http: e) y' });
  });
});

// ---------------------------------------------------------------------------------------------

describe('people, buttons and refresh', () => {
  it('gives each Teams person one entity, and two people of one name distinct mentions', () => {
    const names = (id: string) => (id.startsWith('teams:') ? 'Sam' : undefined);
    const { card, mentions } = renderCard(view(paragraph(user('teams:29:a'), t(', '), user('teams:29:b'), t(', '), user('teams:29:a')), note(user('teams:29:a'))), { names });
    expectValid(card);
    expect(mentions.map((m) => [m.text, m.mentioned.id])).toEqual([
      ['<at>Sam</at>', '29:a'],
      ['<at>Sam (2)</at>', '29:b'],
    ]);
    expect(card.body[0]).toEqual({ type: 'TextBlock', text: '<at>Sam</at>, <at>Sam (2)</at>, <at>Sam</at>', wrap: true });
    expect(card.body[1]).toEqual({ type: 'TextBlock', text: '<at>Sam</at>', wrap: true, isSubtle: true, size: 'Small' });
  });

  it('writes bold beside a mention only where markdown reads it as bold, never leaving stray stars', () => {
    const line = (...spans: Span[]) => String((renderCard(view(paragraph(...spans))).card.body[0] as unknown as Node).text);
    expect(line(b('GO (override)'), t(' by '), user('teams:29:a'))).toBe('**GO (override)** by <at>29:a</at>');
    expect(line(b('Owner:'), user('teams:29:a'))).toBe('Owner:<at>29:a</at>');
    expect(line(user('teams:29:a'), b('(x)'), t(' y'))).toBe('<at>29:a</at>(x) y');
    expect(line(user('teams:29:a'), t(' '), b('a'), b('b'), t(' '), t('c', 'italic'))).toBe('<at>29:a</at> **ab** c');
  });

  it('writes Slack, console and unqualified people as text, with their name when known', () => {
    const names = (id: string) => ({ 'slack:U2': 'Ann' })[id];
    const { card, mentions } = renderCard(view(paragraph(user('slack:U1'), t(' '), user('slack:U2'), t(' '), user('console:alice'), t(' '), user('dan'))), { names });
    expectValid(card);
    expect(mentions).toEqual([]);
    expect(card.msteams).toEqual({ width: 'Full' });
    expect(visible(card)).toBe('slack:U1 @Ann @alice @dan');
  });

  it('maps styles, keeps action ids as verbs and values as data, and puts five buttons a row', () => {
    const actions = Array.from({ length: 7 }, (_, i) => action(`golive:x:${i}`, i === 0 ? { style: 'primary' } : i === 1 ? { style: 'danger' } : {}));
    const { card } = renderCard(view({ type: 'actions', actions }));
    expectValid(card);
    const sets = card.body.filter((e) => e.type === 'ActionSet') as unknown as Array<{ actions: Node[] }>;
    expect(sets.map((s) => s.actions.length)).toEqual([5, 2]);
    expect(sets[0]!.actions.slice(0, 2)).toEqual([
      { type: 'Action.Execute', title: 'golive:x:0', verb: 'golive:x:0', data: { value: '{"r":"nov"}' }, style: 'positive' },
      { type: 'Action.Execute', title: 'golive:x:1', verb: 'golive:x:1', data: { value: '{"r":"nov"}' }, style: 'destructive' },
    ]);
  });

  it('drops the confirmation of an answer button, which opens a form, and puts any other behind a ShowCard', () => {
    const confirm = { title: 'Sure?', text: 'Really <at>x</at>?', yes: 'Yes, do it', no: 'Cancel' };
    const { card } = renderCard(view({ type: 'actions', actions: [action('golive:answer:met', { confirm }), action('golive:decide:no-go', { confirm, style: 'danger', label: 'Decide NO-GO' })] }));
    expectValid(card);
    const [met, nogo] = (card.body[0] as unknown as { actions: Node[] }).actions;
    expect(met).toEqual({ type: 'Action.Execute', title: 'golive:answer:met', verb: 'golive:answer:met', data: { value: '{"r":"nov"}' } });
    expect(nogo).toMatchObject({
      type: 'Action.ShowCard',
      title: 'Decide NO-GO',
      style: 'destructive',
      card: { actions: [{ type: 'Action.Execute', title: 'Yes, do it', verb: 'golive:decide:no-go', style: 'destructive' }] },
    });
    expect(visible(nogo!.card as object)).toBe('Sure?\nReally <at>x</at>?\nTap "Decide NO-GO" again to close this without acting.');
  });

  it('adds the refresh for Teams users only, at most 60', () => {
    const userIds = ['teams:29:a', '29:b', 'slack:U1', 'console:c', ...Array.from({ length: 70 }, (_, i) => `29:x${i}`)];
    const { card } = renderCard(view(paragraph(t('x'))), { refresh: { userIds, data: { r: 'nov-2019-sec', view: 'checklist' } } });
    expectValid(card);
    expect(card.refresh!.action).toEqual({ type: 'Action.Execute', verb: REFRESH_VERB, data: { r: 'nov-2019-sec', view: 'checklist' } });
    expect(card.refresh!.userIds.slice(0, 3)).toEqual(['29:a', '29:b', '29:x0']);
    expect(card.refresh!.userIds).toHaveLength(60);
  });

  it('never sends an empty card, and draws a divider as a separator on what follows it', () => {
    const empty = renderCard({ title: '**x** <at>y</at>', blocks: [heading(' '), paragraph(), divider()] }).card;
    expectValid(empty);
    expect(visible(empty)).toBe('**x** <at>y</at>');
    const { card } = renderCard(view(paragraph(t('a')), divider(), paragraph(t('b')), divider()));
    expect(card.body).toEqual([
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'a' }] },
      { type: 'RichTextBlock', inlines: [{ type: 'TextRun', text: 'b' }], separator: true },
    ]);
  });
});

// ---------------------------------------------------------------------------------------------

describe('the answer form as a card', () => {
  let h: Harness;
  let form: Form;
  beforeAll(async () => {
    h = await Harness.openWith(beforePanel, '2019-11-04T09:00:00Z');
    const [reply] = await h.app.act({ actor: { id: 'console:dan', platform: 'console' } }, 'golive:answer:not-met', actionValue({ r: 'nov-2019-sec', c: 'code-ready' }));
    if (reply?.kind !== 'form') throw new Error('expected the answer form');
    form = reply.form;
  });
  afterAll(() => h.close());

  it('has labelled inputs, the comment required with its message, the hint, and submit and cancel verbs', () => {
    const card = renderFormCard(form);
    expectValid(card as AdaptiveCard);
    const inputs = ofType(card, 'Input.Text');
    expect(inputs).toEqual([
      { type: 'Input.Text', id: 'evidence', label: 'Evidence links', maxLength: 3000, isMultiline: true },
      { type: 'Input.Text', id: 'comment', label: 'Why? (required)', maxLength: 3000, isMultiline: true, isRequired: true, errorMessage: 'Why? (required): this is required.' },
    ]);
    expect(visible(card)).toContain('One http:// or https:// link per line.');
    expect(visible(card)).toContain('November 2019 SEC Release, criterion 1 (code-ready)');
    expect(card.actions).toEqual([
      { type: 'Action.Execute', title: 'Record answer', verb: FORM_VERBS.submit, data: { form: 'golive:answer', metadata: form.metadata }, style: 'positive' },
      { type: 'Action.Execute', title: 'Cancel', verb: FORM_VERBS.cancel, data: { form: 'golive:answer', metadata: form.metadata }, associatedInputs: 'none' },
    ]);
    expect(JSON.parse(form.metadata)).toEqual({ r: 'nov-2019-sec', c: 'code-ready', a: 'not-met' });
  });

  it('shows each error in red right under its input, keeps what was typed, and shows an error for no field at the top', () => {
    const card = renderFormCard(form, { evidence: 'Not an http(s) link: ftp://x <at>Boss</at>', comment: 'Say why.', other: 'Something else went wrong.' }, { evidence: 'ftp://x', comment: '' });
    expectValid(card as AdaptiveCard);
    const body = card.body as unknown as Node[];
    const at = (id: string) => body.findIndex((e) => e.id === id);
    expect(body[at('evidence')]).toMatchObject({ value: 'ftp://x' });
    expect(body[at('evidence') + 1]).toEqual({
      type: 'RichTextBlock',
      spacing: 'Small',
      inlines: [{ type: 'TextRun', text: 'Not an http(s) link: ftp://x <\u200bat>Boss<\u200b/at>', color: 'Attention' }],
    });
    expect(body[at('comment')]).toMatchObject({ errorMessage: 'Say why.' });
    expect(body[at('comment')]).not.toHaveProperty('value');
    expect(seen(body[at('comment') + 1]!)).toBe('Say why.');
    expect(body[at('comment') + 1]).toMatchObject({ inlines: [{ color: 'Attention' }] });
    expect(at('evidence')).toBeGreaterThan(body.findIndex((e) => seen(e) === 'Something else went wrong.'));
  });

  it('renders a hostile intro as text, and refuses a field id the submit data uses', () => {
    const hostile: Form = { ...form, title: '**T** <at>x</at>', intro: [t('[x](http://evil) '), user('teams:29:a')] };
    const card = renderFormCard(hostile);
    expectValid(card as AdaptiveCard);
    expect(ofType(card, 'TextBlock')).toEqual([]);
    expect(visible(card)).toContain('[x](http://evil) @29:a');
    expect(() => renderFormCard({ ...form, fields: [{ ...form.fields[0]!, id: 'metadata' }] })).toThrow(/"metadata" is reserved/);
    expect(() => renderFormCard({ ...form, fields: [form.fields[0]!, form.fields[0]!] })).toThrow(/used twice/);
  });

  it('reads a submit back into the form, its metadata and the field values', () => {
    expect(readFormData({ form: 'golive:answer', metadata: form.metadata, comment: 'Because', extra: 3 }, ['evidence', 'comment'])).toEqual({
      form: 'golive:answer',
      metadata: form.metadata,
      values: { evidence: '', comment: 'Because' },
    });
    expect(readFormData({ metadata: 'x' })).toBeUndefined();
    expect(readFormData('nope')).toBeUndefined();
    expect(Object.getPrototypeOf(readFormData(JSON.parse('{"form":"f","metadata":"m","__proto__":"x"}'))!.values)).toBe(Object.prototype);
  });
});
