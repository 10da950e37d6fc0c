import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_EVIDENCE_RULE, evidenceDeadline } from '../src/domain/evidence-deadline.js';
import { lateEvidence, lateFor } from '../src/domain/late-evidence.js';
import { evaluate } from '../src/domain/readiness.js';
import type { Release, Response } from '../src/domain/release.js';
import { loadTemplate } from '../src/app/usecases/templates.js';
import { releaseFromTemplate } from '../src/app/usecases/new-release.js';
import type { Template } from '../src/domain/template.js';
import { Harness } from './support/golive.js';

// An answer given after a review group's evidence deadline (two working days before its meeting,
// 17:00 in the release's zone) reached the group too late to scrutinise: the seed paper's TAG said so.

const london = (holidays: string[] = []) => ({ implementation: { date: '2019-11-29', time: '09:00', zone: 'Europe/London' }, holidays });
const iso = (d: Date | undefined) => d?.toISOString();

describe('evidenceDeadline', () => {
  it("is two working days before the meeting at 17:00 in the release's zone", () => {
    expect(iso(evidenceDeadline(london(), { meeting: '2019-11-08' }))).toBe('2019-11-06T17:00:00.000Z'); // GMT
    expect(iso(evidenceDeadline(london(), { meeting: '2019-10-10' }))).toBe('2019-10-08T16:00:00.000Z'); // 17:00 BST
    const newYork = { implementation: { date: '2019-11-29', time: '09:00', zone: 'America/New_York' }, holidays: [] };
    expect(iso(evidenceDeadline(newYork, { meeting: '2019-11-08' }))).toBe('2019-11-06T22:00:00.000Z'); // 17:00 EST
  });

  it('steps back over the weekend: a Monday meeting has its deadline on the Thursday before', () => {
    expect(iso(evidenceDeadline(london(), { meeting: '2019-11-11' }))).toBe('2019-11-07T17:00:00.000Z');
  });

  it("steps over the release's holidays, and only those", () => {
    // Tuesday 27 Aug 2019 follows the August bank holiday: Friday 23 is one day back, Thursday 22 two.
    expect(iso(evidenceDeadline(london(['2019-08-26']), { meeting: '2019-08-27' }))).toBe('2019-08-22T16:00:00.000Z');
    expect(iso(evidenceDeadline(london([]), { meeting: '2019-08-27' }))).toBe('2019-08-23T16:00:00.000Z');
    expect(iso(evidenceDeadline(london(['2019-12-25', '2019-12-26']), { meeting: '2019-12-27' }))).toBe('2019-12-23T17:00:00.000Z');
  });

  it('is none for a group without a meeting date', () => {
    expect(evidenceDeadline(london(), {})).toBeUndefined();
  });

  it('follows the rule it is given', () => {
    expect(DEFAULT_EVIDENCE_RULE).toEqual({ workingDaysBeforeMeeting: 2, time: '17:00' });
    expect(iso(evidenceDeadline(london(), { meeting: '2019-11-08' }, { workingDaysBeforeMeeting: 5, time: '12:00' }))).toBe('2019-11-01T12:00:00.000Z');
  });
});

describe('lateness', () => {
  let template: Template;
  beforeAll(async () => {
    template = await loadTemplate('sec-release');
  });

  /** OPSG meets Friday 8 Nov (deadline Wed 6 Nov 17:00), TAG Monday 11 Nov (deadline Thu 7 Nov 17:00); a third group has no meeting. */
  function release(): Release {
    const r = releaseFromTemplate(template, { id: 'nov', name: 'Nov', date: '2019-11-29', by: 'rita', at: '2019-11-01T09:00:00.000Z' });
    r.groups[0]!.meeting = '2019-11-08';
    r.groups[1]!.meeting = '2019-11-11';
    r.groups.push({ id: 'panel', name: 'Panel', members: [], delegates: [], quorum: 1, signoffs: [] });
    return r;
  }
  const answer = (at: string, answer: Response['answer'] = 'met'): Response => ({
    answer,
    evidence: ['https://example.org/e'],
    by: 'dan',
    platform: 'console',
    at,
    ...(answer === 'met' || answer === 'withdrawn' ? {} : { comment: 'why' }),
  });
  const names = (late: { group: { name: string } }[]) => late.map((l) => l.group.name);

  it('is late for each group whose deadline had passed, strictly after it, and never for a group without a meeting', () => {
    const r = release();
    expect(names(lateFor(r, answer('2019-11-06T17:00:00.000Z')))).toEqual([]);
    expect(names(lateFor(r, answer('2019-11-06T17:00:00.001Z')))).toEqual(['OPSG']);
    expect(names(lateFor(r, answer('2019-11-07T18:00:00.000Z', 'need-info')))).toEqual(['OPSG', 'TAG']);
    expect(lateFor(r, answer('2019-11-07T18:00:00.000Z'))[1]!.deadline.toISOString()).toBe('2019-11-07T17:00:00.000Z');
  });

  it('never counts a withdrawal as late: it brings no evidence', () => {
    expect(lateFor(release(), answer('2019-11-20T10:00:00.000Z', 'withdrawn'))).toEqual([]);
  });

  it("keeps the latest answer's lateness in the readiness result", () => {
    const r = release();
    r.criteria[0]!.responses.push(answer('2019-11-05T10:00:00.000Z'));
    r.criteria[1]!.responses.push(answer('2019-11-07T09:00:00.000Z'));
    r.criteria[2]!.responses.push(answer('2019-11-07T09:00:00.000Z'), answer('2019-11-07T10:00:00.000Z', 'withdrawn'));
    const criteria = evaluate(r, new Date('2019-11-20T12:00:00Z')).criteria;
    expect(criteria[0]!.lateFor).toEqual([]);
    expect(criteria[1]!.lateFor.map((l) => [l.group.id, l.deadline.toISOString()])).toEqual([['opsg', '2019-11-06T17:00:00.000Z']]);
    expect(criteria[2]!.lateFor).toEqual([]);
  });

  it('lists, per group with a meeting, every answer that arrived after its deadline, oldest first, replaced ones marked', () => {
    const r = release();
    r.criteria[5]!.responses.push(answer('2019-11-07T18:00:00.000Z'));
    r.criteria[0]!.responses.push(answer('2019-11-05T10:00:00.000Z'), answer('2019-11-07T09:00:00.000Z', 'need-info'), answer('2019-11-08T09:00:00.000Z'));
    const late = lateEvidence(r);
    expect(late.map((g) => [g.group.id, g.deadline.toISOString()])).toEqual([
      ['opsg', '2019-11-06T17:00:00.000Z'],
      ['tag', '2019-11-07T17:00:00.000Z'],
    ]);
    const items = (i: number) => late[i]!.items.map((x) => [x.criterion.id, x.response.at, x.response.answer, x.current]);
    expect(items(0)).toEqual([
      ['code-ready', '2019-11-07T09:00:00.000Z', 'need-info', false],
      ['ops-ready', '2019-11-07T18:00:00.000Z', 'met', true],
      ['code-ready', '2019-11-08T09:00:00.000Z', 'met', true],
    ]);
    expect(items(1)).toEqual([
      ['ops-ready', '2019-11-07T18:00:00.000Z', 'met', true],
      ['code-ready', '2019-11-08T09:00:00.000Z', 'met', true],
    ]);
  });

  it('lists nothing when every answer came in time, and no group without a meeting', () => {
    const r = release();
    r.criteria[0]!.responses.push(answer('2019-11-04T10:00:00.000Z'));
    expect(lateEvidence(r).map((g) => [g.group.id, g.items.length])).toEqual([
      ['opsg', 0],
      ['tag', 0],
    ]);
    r.groups.forEach((g) => delete g.meeting);
    expect(lateEvidence(r)).toEqual([]);
  });
});

describe('late evidence through the console', () => {
  let h: Harness;
  const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-08
/release group tag members tara --quorum 1 --meeting 2019-11-11
`;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-05T09:00:00Z');
  });
  afterEach(() => h.close());
  const as = async (user: string, line: string) => (await h.run(line, user)).output;
  /** The lines of one criterion's item in a status or checklist. */
  const itemOf = (shown: string, id: string) => {
    const start = shown.indexOf(`. ${id} `);
    const next = shown.slice(start + 1).search(/\n\[.\] /);
    return shown.slice(start, next < 0 ? undefined : start + 1 + next);
  };

  it('does not mark an answer given before the deadline', async () => {
    await as('dan', '/release confirm code-ready met --evidence https://example.org/code');
    h.clock.set('2019-11-06T16:59:00Z');
    await as('dan', '/release confirm ops-ready met "TOC ready"');
    const status = await as('rita', '/release status');
    expect(itemOf(status, 'code-ready')).toContain('met by @dan on 5 Nov 2019 09:00 GMT');
    expect(status).not.toMatch(/late for/i);
    expect(await as('rita', '/release history ops-ready')).not.toMatch(/late for/i);
    const [paper = ''] = await h.written(await as('rita', '/release report'));
    expect(paper).not.toContain('Late for');
    expect(paper).toContain("All evidence arrived before the OPSG's deadline (6 Nov 2019 17:00 GMT).");
    expect(paper).toContain("All evidence arrived before the TAG's deadline (7 Nov 2019 17:00 GMT).");
  });

  it('marks an answer after the deadline in status, the checklist, history and the paper, which lists it per group', async () => {
    await as('dan', '/release confirm code-ready met --evidence https://example.org/code');
    h.clock.set('2019-11-06T18:00:00Z');
    await as('dan', '/release confirm no-sev1-sev2 met "no sev 1 or 2" --evidence https://example.org/defects --evidence https://example.org/log');
    h.clock.set('2019-11-07T18:00:00Z');
    await as('dan', '/release confirm ops-ready need-info "waiting for the TOC rota"');

    const status = await as('rita', '/release status');
    expect(itemOf(status, 'code-ready')).not.toMatch(/late for/i);
    expect(itemOf(status, 'no-sev1-sev2')).toContain('Late for OPSG: given 6 Nov 2019 18:00 GMT, after its evidence deadline 6 Nov 2019 17:00 GMT');
    expect(itemOf(status, 'no-sev1-sev2')).not.toContain('TAG');
    const ops = itemOf(status, 'ops-ready');
    expect(ops).toContain('Late for OPSG: given 7 Nov 2019 18:00 GMT, after its evidence deadline 6 Nov 2019 17:00 GMT');
    expect(ops).toContain('Late for TAG: given 7 Nov 2019 18:00 GMT, after its evidence deadline 7 Nov 2019 17:00 GMT');

    const checklist = await as('rita', '/release ask');
    expect(checklist).toContain('Go-live checklist: Nov');
    expect(itemOf(checklist, 'no-sev1-sev2')).toContain('Late for OPSG: given 6 Nov 2019 18:00 GMT, after its evidence deadline 6 Nov 2019 17:00 GMT');
    expect(itemOf(checklist, 'code-ready')).not.toMatch(/late for/i);

    expect(await as('rita', '/release history no-sev1-sev2')).toMatch(
      /6 Nov 2019 18:00 GMT · answered met · @dan via console\n\s+"no sev 1 or 2"\n\s+Evidence: .*\n\s+late for OPSG: after its evidence deadline 6 Nov 2019 17:00 GMT\n/,
    );
    expect(await as('rita', '/release history code-ready')).not.toMatch(/late for/i);

    const [paper = ''] = await h.written(await as('rita', '/release report'));
    const criterion = (n: number) => paper.slice(paper.indexOf(`\n${n}. **`), paper.indexOf(`\n${n + 1}. **`));
    expect(criterion(1)).not.toContain('Late');
    expect(criterion(3)).toContain('   - **Late for OPSG: given 6 Nov 2019 18:00 GMT, after its evidence deadline 6 Nov 2019 17:00 GMT**');
    expect(criterion(6)).toContain('   - **Late for TAG: given 7 Nov 2019 18:00 GMT, after its evidence deadline 7 Nov 2019 17:00 GMT**');
    const section = (name: string) => paper.slice(paper.indexOf(`. Views of ${name}`), paper.indexOf('\n## ', paper.indexOf(`. Views of ${name}`)));
    expect(section('OPSG')).toContain(
      [
        "Evidence that arrived after the OPSG's deadline (6 Nov 2019 17:00 GMT):",
        '',
        '- criterion 3 no-sev1-sev2 answered met on 6 Nov 2019 18:00 GMT by @console:dan, 2 evidence links',
        '- criterion 6 ops-ready asked for more information on 7 Nov 2019 18:00 GMT by @console:dan',
      ].join('\n'),
    );
    expect(section('TAG')).toContain(
      ["Evidence that arrived after the TAG's deadline (7 Nov 2019 17:00 GMT):", '', '- criterion 6 ops-ready asked for more information on 7 Nov 2019 18:00 GMT by @console:dan'].join('\n'),
    );
    expect(section('TAG')).not.toContain('no-sev1-sev2');
  });

  it("follows a group's meeting when it moves: an answer late for the old date is in time for the new one", async () => {
    h.clock.set('2019-11-07T10:00:00Z');
    await as('dan', '/release confirm code-ready met');
    expect(itemOf(await as('rita', '/release status'), 'code-ready')).toContain('Late for OPSG');
    await as('rita', '/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-13');
    expect(itemOf(await as('rita', '/release status'), 'code-ready')).not.toMatch(/late for/i);
    const [paper = ''] = await h.written(await as('rita', '/release report'));
    expect(paper).toContain("All evidence arrived before the OPSG's deadline (11 Nov 2019 17:00 GMT).");
  });
});
