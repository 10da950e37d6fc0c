import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openLowdbStore } from '../store/lowdb-store.js';
import { sealEntry } from '../src/domain/audit.js';
import { decisionPaper } from '../src/app/usecases/report.js';
import type { ReleaseDocument } from '../store/release-document.js';
import { Harness } from './support/golive.js';
import { SlackHarness, CHANNEL, SECRET } from './support/slack-harness.js';
import { appHomeOpened, event } from './support/slack-requests.js';
import { minimalReleaseDocument } from './fixtures/release-doc.js';
import { layoutOf, readRaw, releaseText } from './support/release-on-disk.js';

// Bad input that used to get through: built-in property names used as names, control characters
// that reach a terminal or reorder what people read, and text that pings a whole Slack channel.

const ESC = '\u001b';
const RLO = '\u202e';
// Any C0 control but tab and newline, DEL, C1, and the bidi marks, embeddings, overrides and isolates.
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

const releaseFile = async (dir: string, id: string) => (await readRaw(dir, id)) as ReleaseDocument;

describe('names that are built-in property names', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('refuses a role named constructor, toString or __proto__, and later writes to the release still work', async () => {
    h = await Harness.open();
    await h.run('/release create "R" 2019-11-29 --id r');
    const before = await releaseText(h.dir, 'r');
    for (const role of ['constructor', 'toString', 'ToString', '__proto__', 'valueOf', 'hasOwnProperty']) {
      const { output } = await h.run(`/release role ${role} @bob --release r`);
      expect(output, role).toMatch(/Not done: Role (name )?"[^"]+" is (a reserved word|not valid)/);
    }
    expect(await releaseText(h.dir, 'r')).toBe(before);

    const { output } = await h.run('/release role DCC @dan --release r\n/as dan\n/release confirm 1 met --release r');
    expect(output).toContain('Role DCC: @dan');
    expect(output).toContain('Recorded: criterion 1 (code-ready)');
    const doc = await releaseFile(h.dir, 'r');
    expect(Object.keys(doc.release.roles).sort()).toEqual(['DCC', 'Panel', 'SECAS']);
    expect(doc.release.criteria[0]!.responses).toHaveLength(1);
    expect(doc.audit.map((e) => e.outcome)).toEqual(['applied', 'applied', 'applied']);
  });

  it('refuses them, in any case, as group, switch, phase, criterion, release and template names', async () => {
    h = await Harness.open();
    await h.run('/release create "R" 2019-11-29 --id r');
    const before = await releaseText(h.dir, 'r');
    const attempts: Array<[string, RegExp]> = [
      ['group constructor members @a --release r', /Group id "constructor" is a reserved word/],
      ['signoff valueof agree --release r', /Group id "valueof" is a reserved word/],
      ['switch add toString --expect off --release r', /Switch key "toString" is a reserved word/],
      ['switch Constructor on --release r', /Switch key "Constructor" is a reserved word/],
      ['facts phase "__proto__" closed --release r', /Phase name "__proto__" is a reserved word/],
      ['facts phase "Prototype" open --release r', /Phase name "Prototype" is a reserved word/],
      ['confirm constructor met --release r', /Criterion id "constructor" is a reserved word/],
      ['status --release hasownproperty', /Release id "hasownproperty" is a reserved word/],
      ['create "X" 2019-11-29 --id tostring', /Release id "tostring" is a reserved word/],
      ['create "Constructor" 2019-11-29', /Release id "constructor" is a reserved word.*--id/],
      ['create "X" 2019-11-29 --id x --template constructor', /Template id "constructor" is a reserved word/],
    ];
    for (const [line, message] of attempts) {
      const { output } = await h.run(`/release ${line}`);
      expect(output, line).toMatch(message);
    }
    expect(await releaseText(h.dir, 'r')).toBe(before);
    expect((await readdir(join(h.dir, 'releases'))).sort()).toEqual(layoutOf('r'));
  });

  it.each([
    ['constructor', '"constructor":["U-x"],'],
    ['__proto__', '"__proto__":["U-x"],'],
    ['toString', '"toString":[],'],
  ])('refuses to start on a store file whose roles hold %s, naming the file, and leaves it byte for byte', async (role, inserted) => {
    const dir = await mkdtemp(join(tmpdir(), 'golive-roles-'));
    try {
      await mkdir(join(dir, 'releases'));
      const valid = JSON.stringify(minimalReleaseDocument('rel-1', { release: { roles: { dcc: ['U-dan'] } } }), null, 2);
      const text = valid.replace('"roles": {', `"roles": {${inserted}`);
      expect(text).not.toBe(valid);
      const file = join(dir, 'releases', 'rel-1.json');
      await writeFile(file, text);
      const opening = openLowdbStore(dir);
      await expect(opening).rejects.toThrow(file);
      await expect(openLowdbStore(dir)).rejects.toThrow(`release.roles.${role}`);
      expect(await readFile(file, 'utf8')).toBe(text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('control characters', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('strips them from a comment typed in the console before it is stored, and from the audit record of the command', async () => {
    h = await Harness.open();
    const { output } = await h.run(
      ['/release create "R" 2019-11-29 --id r', '/release role DCC @dan', '/as dan', `/release confirm 1 not-met "tests${ESC}[2J red ${RLO}fdp.exe\ttoo\u0007"`].join('\n'),
    );
    expect(output).toContain('Recorded: criterion 1 (code-ready) not met');
    const doc = await releaseFile(h.dir, 'r');
    expect(doc.release.criteria[0]!.responses[0]!.comment).toBe('tests[2J red fdp.exe\ttoo');
    expect(doc.audit.at(-1)!.command).toBe('/release confirm 1 not-met "tests[2J red fdp.exe\ttoo"');
    expect(JSON.stringify(doc)).not.toMatch(CONTROLS);
  });

  it('strips a lone carriage return and turns CRLF into a line break in a typed comment', async () => {
    h = await Harness.open();
    await h.run('/release create "R" 2019-11-29 --id r\n/release role DCC @dan');
    // The console reads a lone CR as the end of a line, so this is the line as a chat client sends it.
    const actor = { id: 'console:dan' as const, platform: 'console' as const };
    const result = await h.app.handle({ actor, text: '/release confirm 1 need-info "first\rsecond\r\nthird" --release r' });
    expect(JSON.stringify(result.replies)).toContain('Recorded');
    expect((await releaseFile(h.dir, 'r')).release.criteria[0]!.responses[0]!.comment).toBe('firstsecond\nthird');
  });

  it('refuses a release name holding one, saying which character and where, and creates nothing', async () => {
    h = await Harness.open();
    for (const [title, said] of [
      [`Bad${ESC}[31m`, 'U+001B (escape) at character 4'],
      [`Nov ${RLO}cexe`, 'U+202E (right-to-left override) at character 5'],
      ['Tab\tname', 'U+0009 (tab) at character 4'],
    ] as const) {
      const { output } = await h.run(`/release create "${title}" 2019-11-29 --id bad`);
      expect(output).toContain(`Not done: The release name holds ${said}`);
      expect(output).not.toMatch(CONTROLS);
    }
    const lone = await h.app.handle({ actor: { id: 'console:rita', platform: 'console' }, text: '/release create "a\rb" 2019-11-29 --id bad' });
    expect(JSON.stringify(lone.replies)).toContain('U+000D (carriage return) at character 2');
    expect(await readdir(join(h.dir, 'releases'))).toEqual([]);
  });

  it('refuses a phase name holding one, and a comment that is nothing but control characters', async () => {
    h = await Harness.open();
    await h.run('/release create "R" 2019-11-29 --id r\n/release role DCC @dan');
    const before = await releaseText(h.dir, 'r');
    const phase = await h.run(`/release facts phase "SIT${ESC}" closed`);
    expect(phase.output).toContain('The phase name holds U+001B (escape) at character 4');
    const empty = await h.run(`/as dan\n/release confirm 1 not-met "${ESC}${RLO}"`);
    expect(empty.output).toContain('The comment holds nothing but control characters');
    expect(await releaseText(h.dir, 'r')).toBe(before);
  });
});

describe('older records holding control characters', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  /** A release file as an older golive might have written it, before control characters were stripped. */
  async function oldRelease(): Promise<Harness> {
    const dir = await mkdtemp(join(tmpdir(), 'golive-old-'));
    await mkdir(join(dir, 'releases'));
    const doc = minimalReleaseDocument('old', {
      release: {
        name: `Old${ESC}[2J release`,
        roles: { dcc: ['U-dan'] },
      },
    });
    doc.release.criteria[0]!.responses.push({
      answer: 'not-met',
      comment: `first\rsecond ${ESC}[31mred${RLO}`,
      evidence: [],
      by: 'U-dan',
      platform: 'console',
      at: '2019-11-02T09:00:00.000Z',
    });
    const at = '2019-11-01T09:00:00.000Z';
    const actor = { id: 'U-manager', platform: 'console' as const };
    doc.audit.push(sealEntry(doc.audit, { at, actor, command: `/release create "Old${ESC}[2J release" 2019-11-29 --id old`, outcome: 'applied', before: null, after: { id: 'old' } }));
    doc.audit.push(
      sealEntry(doc.audit, {
        at: '2019-11-02T09:00:00.000Z',
        actor: { id: 'U-dan', platform: 'console' },
        command: `/release confirm 1 not-met "first\rsecond ${ESC}[31mred${RLO}"`,
        outcome: 'applied',
        before: null,
        after: null,
      }),
    );
    await writeFile(join(dir, 'releases', 'old.json'), JSON.stringify(doc));
    return Harness.open('2019-11-03T09:00:00Z', dir);
  }

  it('keeps a comment with a lone carriage return on one line of the decision paper', async () => {
    h = await oldRelease();
    const paper = decisionPaper((await h.store.get('old'))!.release, h.clock.now());
    expect(paper).not.toContain('\r');
    expect(paper).not.toMatch(CONTROLS);
    const answer = paper.split('\n').filter((line) => line.includes('- Answer:'));
    expect(answer).toHaveLength(1);
    expect(answer[0]).toMatch(/not met by @U-dan on [^\n]*: first second \\\[31mred$/);
    const [written = ''] = await h.written((await h.run('/release report --release old', 'U-manager')).output);
    expect(written).toMatch(/- Answer: not met by @U-dan on [^\n]*: first second \\\[31mred\n/);
  });

  it('prints no escape or direction character to the console through report or audit export', async () => {
    h = await oldRelease();
    for (const line of ['/release report --release old', '/release audit export --release old --format csv', '/release audit export --release old', '/release status --release old']) {
      const { output } = await h.run(line, 'U-manager');
      expect(output, line).toContain('Old[2J release');
      expect(output, line).not.toMatch(CONTROLS);
      expect(output, line).not.toContain('\r');
    }
  });
});

describe('through Slack', () => {
  let h: SlackHarness | undefined;
  afterEach(() => h?.close());

  const RITA = 'URITA';
  const DAN = 'UDAN';

  it('stores a form comment with its control characters stripped, and refuses a release name holding one', async () => {
    h = await SlackHarness.open();
    await h.command(RITA, 'create "R" 2019-11-29 --id r');
    await h.command(RITA, `role DCC <@${DAN}>`);
    await h.click(DAN, 'golive:answer:not-met', JSON.stringify({ r: 'r', c: 'code-ready' }));
    const view = h.fake.callsTo('views.open').at(-1)!.body.view as { callback_id: string; private_metadata: string };
    const submitted = await h.submit(DAN, view.callback_id, view.private_metadata, {
      evidence: { evidence: '' },
      comment: { comment: `waiting${ESC}[2J for\r the\r\nreport ${RLO}fdp.exe\u0085` },
    });
    expect(submitted.status).toBe(200);
    const doc = await releaseFile(h.dir, 'r');
    expect(doc.release.criteria[0]!.responses[0]!.comment).toBe('waiting[2J for the\nreport fdp.exe');
    expect(JSON.stringify(doc)).not.toMatch(CONTROLS);

    const before = h.fake.calls.length;
    await h.command(RITA, `create "Nov ${RLO}cexe" 2019-11-29 --id nov`, 'C0OTHER');
    expect(h.repliesSince(before, RITA)).toContain('The release name holds U+202E (right-to-left override) at character 5');
    expect(await readdir(join(h.dir, 'releases'))).toEqual(layoutOf('r'));
  });

  it('pings nobody with a release named <!channel> through the report upload or the audit export DM', async () => {
    h = await SlackHarness.open();
    // Typed as characters, which Slack sends as entities: the name holds `<!channel>` itself.
    await h.command(RITA, 'create "&lt;!channel&gt; release" 2019-11-29 --id pinged');
    expect((await h.doc('pinged')).release.name).toBe('<!channel> release');
    await h.command(RITA, 'report');
    await h.command(RITA, 'audit export');
    await h.command(RITA, 'audit export --format csv');
    const uploads = h.fake.uploads;
    expect(uploads.map((u) => u.filename)).toEqual(['pinged-decision-paper.md', 'pinged-audit.jsonl', 'pinged-audit.csv']);
    expect(uploads[0]!.channel_id).toBe(CHANNEL);
    for (const upload of uploads) {
      expect(upload.initial_comment).toBeDefined();
      expect(upload.initial_comment).not.toContain('<!channel>');
      expect(upload.initial_comment).toContain('&lt;!channel&gt; release');
      expect(upload.title).not.toContain('<!channel>');
      expect(upload.title).toContain('channel> release');
    }
  });

  it('pings nobody from the answer form: its field errors quoting what was typed, and App Home', async () => {
    h = await SlackHarness.open();
    await h.command(RITA, 'create "&lt;!channel&gt; release" 2019-11-29 --id pinged');
    await h.command(RITA, `role DCC <@${DAN}>`);
    await h.click(DAN, 'golive:answer:met', JSON.stringify({ r: 'pinged', c: 'code-ready' }));
    const view = h.fake.callsTo('views.open').at(-1)!.body.view as { callback_id: string; private_metadata: string };
    expect(JSON.stringify(view)).not.toContain('<!channel>');
    const submitted = await h.submit(DAN, view.callback_id, view.private_metadata, { evidence: { evidence: '<!channel>' }, comment: { comment: '' } });
    const errors = (submitted.json as { response_action: string; errors: Record<string, string> }).errors;
    expect(errors.evidence).toContain('Not an http(s) link');
    expect(errors.evidence).not.toContain('<!channel>');

    await event(h.url, SECRET, appHomeOpened(DAN));
    await h.callTo('views.publish');
    const home = JSON.stringify(h.fake.callsTo('views.publish').at(-1)!.body.view);
    expect(home).toContain('channel> release: PENDING');
    expect(home).not.toContain('<!channel>');
  });
});
