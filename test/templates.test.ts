import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import { DEFAULT_TEMPLATES_DIR, TemplateError, listTemplates, loadTemplate } from '../src/app/usecases/templates.js';
import { isWorkingDay } from '../src/domain/calendar.js';

/** England and Wales bank holidays from the rules, for the years golive ships (no one-off holidays in them). */
function bankHolidays(year: number): string[] {
  const utc = (m: number, d: number) => new Date(Date.UTC(year, m - 1, d));
  const text = (d: Date) => d.toISOString().slice(0, 10);
  const plus = (d: Date, n: number) => new Date(d.getTime() + n * 86_400_000);
  const weekend = (d: Date) => d.getUTCDay() === 0 || d.getUTCDay() === 6;
  // Anonymous Gregorian computus.
  const a = year % 19,
    b = Math.floor(year / 100),
    c = year % 100,
    d = Math.floor(b / 4),
    e = b % 4;
  const f = Math.floor((b + 8) / 25),
    g = Math.floor((b - f + 1) / 3),
    h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4),
    k = c % 4,
    l = (32 + 2 * e + 2 * i - h - k) % 7,
    m = Math.floor((a + 11 * h + 22 * l) / 451);
  const easter = utc(Math.floor((h + l - 7 * m + 114) / 31), ((h + l - 7 * m + 114) % 31) + 1);
  const firstMonday = (month: number) => plus(utc(month, 1), (8 - utc(month, 1).getUTCDay()) % 7);
  const lastMonday = (month: number, days: number) => plus(utc(month, days), -((utc(month, days).getUTCDay() + 6) % 7));
  const days: Date[] = [];
  const fixed = (date: Date) => {
    let day = date;
    while (weekend(day) || days.some((x) => x.getTime() === day.getTime())) day = plus(day, 1);
    days.push(day);
  };
  fixed(utc(1, 1));
  days.push(plus(easter, -2), plus(easter, 1), firstMonday(5), lastMonday(5, 31), lastMonday(8, 31));
  fixed(utc(12, 25));
  fixed(utc(12, 26));
  return days.map(text).sort();
}

describe('shipped templates', () => {
  it('lists both, with names', async () => {
    const list = await listTemplates();
    expect(list.map((t) => t.id)).toEqual(['sec-release', 'software-release']);
    expect(list[0]).toMatchObject({ id: 'sec-release', name: 'SEC Release' });
    expect(list[1]?.description).toBeTruthy();
  });

  it('resolves the default directory from the module, not the cwd', () => {
    expect(DEFAULT_TEMPLATES_DIR).toBe(path.resolve(import.meta.dirname, '..', 'templates') + path.sep);
  });

  it('holds the seed paper in sec-release', async () => {
    const t = await loadTemplate('sec-release');
    expect(t).toMatchObject({ id: 'sec-release', name: 'SEC Release', zone: 'Europe/London', time: '09:00', approverRole: 'Panel' });
    expect(t.roles).toEqual(['DCC', 'SECAS', 'Panel']);
    expect(t.criteria.map((c) => c.id)).toEqual(['code-ready', 'test-phases-closed', 'no-sev1-sev2', 'defect-plans', 'environments-aligned', 'ops-ready', 'secas-ready']);
    expect(t.criteria.map((c) => c.owners)).toEqual([...Array(6).fill({ roles: ['DCC'], people: [] }), { roles: ['SECAS'], people: [] }]);
    expect(Object.fromEntries(t.criteria.map((c) => [c.id, c.rule]))).toEqual({
      'code-ready': undefined,
      'test-phases-closed': { kind: 'test-phases-closed' },
      'no-sev1-sev2': { kind: 'no-defects', severities: [1, 2] },
      'defect-plans': { kind: 'all', rules: [{ kind: 'defect-plans', severities: [3, 4, 5] }, { kind: 'testing-issues-within-threshold' }] },
      'environments-aligned': { kind: 'environment-noted' },
      'ops-ready': undefined,
      'secas-ready': undefined,
    });
    expect(t.criteria[2]?.text).toContain('no Severity 1 or 2 defects outstanding');
    expect(t.criteria[6]?.text).toMatch(/^SECAS will be ready/);
    expect(t.groups).toEqual([
      { id: 'opsg', name: 'OPSG', description: 'Operations Group', quorum: 1, members: [] },
      { id: 'tag', name: 'TAG', description: 'Testing Advisory Group', quorum: 1, members: [] },
    ]);
    expect(t.switches).toEqual([{ key: 'SECMP0062', expected: 'off', description: 'Northbound Application Traffic Management - Alert Storm Protection' }]);
  });

  it('has the England and Wales bank holidays right, around 29 Nov 2019 too', async () => {
    const t = await loadTemplate('sec-release');
    expect(t.holidays).toEqual([2019, 2025, 2026, 2027].flatMap(bankHolidays));
    expect(bankHolidays(2019)).toEqual(['2019-01-01', '2019-04-19', '2019-04-22', '2019-05-06', '2019-05-27', '2019-08-26', '2019-12-25', '2019-12-26']);
    expect(bankHolidays(2026)).toContain('2026-12-28');
    expect(bankHolidays(2027)).toEqual(expect.arrayContaining(['2027-12-27', '2027-12-28']));
    expect(isWorkingDay('2019-11-29', t.holidays)).toBe(true);
    expect(isWorkingDay('2019-11-08', t.holidays)).toBe(true);
    expect(isWorkingDay('2019-12-25', t.holidays)).toBe(false);
    expect(isWorkingDay('2019-12-26', t.holidays)).toBe(false);
  });

  it('software-release is short and generic', async () => {
    const t = await loadTemplate('software-release');
    expect(t).toMatchObject({ approverRole: 'ReleaseManager', roles: ['Engineering', 'QA', 'Product'], switches: [] });
    expect(t.criteria.map((c) => [c.id, c.owners.roles[0], c.rule?.kind])).toEqual([
      ['code-frozen', 'Engineering', undefined],
      ['tests-passed', 'QA', 'test-phases-closed'],
      ['no-blockers', 'QA', 'no-defects'],
      ['release-notes', 'Product', undefined],
    ]);
    expect(t.groups).toEqual([{ id: 'cab', name: 'CAB', description: 'Change Advisory Board', quorum: 1, members: [] }]);
    expect(t.holidays).toEqual([2025, 2026, 2027].flatMap(bankHolidays));
  });
});

describe('refused templates', () => {
  let dir: string;
  const valid = () => ({
    id: 'x',
    name: 'X',
    approverRole: 'Boss',
    roles: ['Dev'],
    criteria: [
      { id: 'one', text: 'first', owners: { roles: ['Dev'] } },
      { id: 'two', text: 'second', owners: { roles: ['Dev'] } },
      { id: 'three', text: 'third', owners: { roles: ['Dev'] } },
    ],
  });
  const write = (name: string, body: unknown) => writeFile(path.join(dir, name), typeof body === 'string' ? body : stringify(body));
  const refusal = async (id: string, where = dir) => {
    const error = await loadTemplate(id, where).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(TemplateError);
    return (error as TemplateError).message;
  };

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'golive-templates-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('accepts the minimal valid template', async () => {
    await write('x.yaml', valid());
    expect((await loadTemplate('x', dir)).criteria).toHaveLength(3);
  });

  it('names the field of an undeclared role', async () => {
    const t = valid();
    t.criteria[2]!.owners.roles = ['DCX'];
    await write('x.yaml', t);
    const message = await refusal('x');
    expect(message).toBe(`${path.join(dir, 'x.yaml')}: criteria.2.owners.roles.0: role "DCX" is not declared in roles`);
  });

  it('names a duplicate criterion id', async () => {
    const t = valid();
    t.criteria[1]!.id = 'one';
    await write('x.yaml', t);
    expect(await refusal('x')).toContain('x.yaml: criteria.1.id: duplicate id "one"');
  });

  it('names a criterion id that is not a slug', async () => {
    const t = valid();
    t.criteria[0]!.id = 'Code_Ready';
    await write('x.yaml', t);
    expect(await refusal('x')).toMatch(/x\.yaml: criteria\.0\.id: must be lower-case letters/);
  });

  it('names an unknown rule kind and the kinds there are', async () => {
    await write('x.yaml', { ...valid(), criteria: [{ id: 'one', text: 't', owners: { roles: ['Dev'] }, rule: { kind: 'no-bugs' } }] });
    const message = await refusal('x');
    expect(message).toContain('criteria.0.rule.kind: "no-bugs" is not a known kind; use one of no-defects,');
    expect(message).toContain('test-phases-closed');
  });

  it('names a bad severity inside a nested rule', async () => {
    const rule = { kind: 'all', rules: [{ kind: 'no-defects', severities: [1, 7] }] };
    await write('x.yaml', { ...valid(), criteria: [{ id: 'one', text: 't', owners: { roles: ['Dev'] }, rule }] });
    expect(await refusal('x')).toContain('criteria.0.rule.rules.0.severities.1: must be one of 1, 2, 3, 4, 5');
  });

  it('says criteria are required, and names unknown fields', async () => {
    const { criteria: _, ...rest } = valid();
    await write('x.yaml', { ...rest, colour: 'blue' });
    const message = await refusal('x');
    expect(message).toContain('x.yaml: criteria: is required');
    expect(message).toContain('x.yaml: unknown field "colour"');
    await write('x.yaml', { ...valid(), criteria: [] });
    expect(await refusal('x')).toMatch(/x\.yaml: criteria: /);
  });

  it('refuses an empty file', async () => {
    await write('x.yaml', '');
    expect(await refusal('x')).toContain('x.yaml: must be a YAML mapping');
  });

  it('gives the line and column of a YAML syntax error', async () => {
    await write('x.yaml', 'id: x\nname: X\ncriteria: [unclosed\napproverRole: Boss\n');
    expect(await refusal('x')).toMatch(/x\.yaml: line 4, column 1: YAML syntax error: Flow sequence/);
    await write('x.yaml', 'id: x\nname: X\nid: y\n');
    expect(await refusal('x')).toMatch(/x\.yaml: line 3, column 1: YAML syntax error: Map keys must be unique$/);
  });

  it('refuses a file whose id is not its name', async () => {
    await write('y.yaml', valid());
    expect(await refusal('y')).toBe(`${path.join(dir, 'y.yaml')}: id: id "x" does not match the file name y.yaml; they must be the same`);
  });

  it('lists the available ids for an unknown id', async () => {
    await write('x.yaml', valid());
    await write('b-list.yaml', { ...valid(), id: 'b-list' });
    await write('notes.txt', 'not a template');
    expect(await refusal('nope')).toBe('There is no template "nope". Available templates: b-list, x.');
    expect(await refusal('nope', path.join(dir, 'missing'))).toMatch(/There is no template "nope": .* holds no templates\./);
  });

  it('refuses path-traversal ids before touching the disk', async () => {
    // A valid template sits exactly where "../x" would lead from `inner`.
    await write('x.yaml', valid());
    const inner = path.join(dir, 'inner');
    await mkdir(inner);
    for (const id of ['../x', '..', 'a/b', '/etc/passwd', 'X', '', 'x.yaml', '..\\x']) {
      expect(await refusal(id, inner)).toMatch(/is not a template id/);
    }
    // A directory that does not exist proves no lookup happened: the refusal is about the id.
    expect(await refusal('../x', path.join(dir, 'nowhere'))).toMatch(/^"\.\.\/x" is not a template id/);
  });

  it('fails the listing when one template is broken', async () => {
    await write('x.yaml', valid());
    await write('y.yaml', valid());
    await expect(listTemplates(dir)).rejects.toThrow(/y\.yaml: id: id "x" does not match/);
  });
});
