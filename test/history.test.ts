import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { recordOf } from './support/store-records.js';

// history, switch list and risk list through the real console: what a person reads about one item.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release role Panel pat
/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-08
/release delegate dora for dan
/release switch add opsg --expect on
/release risk add "Interface change" --owner dan
`;

describe('history', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());
  const as = async (user: string, line: string) => (await h.run(line, user)).output;

  it("shows a criterion's answers in order: who, for whom, when in the release's zone, comment, evidence, refusals, withdrawn and replaced", async () => {
    await as('dan', '/release confirm code-ready need-info "waiting for the build" --evidence https://example.org/b1');
    h.clock.set('2019-11-07T14:30:00Z');
    await as('eve', '/release confirm code-ready met');
    await as('dora', '/release confirm code-ready met --for dan --evidence https://example.org/b2');
    h.clock.set('2019-11-08T10:00:00Z');
    await as('dan', '/release withdraw code-ready "wrong build"');

    const shown = await as('rita', '/release history code-ready');
    const lines = shown.split('\n');
    const at = (text: string) => lines.findIndex((line) => line.includes(text));
    expect(shown).toContain('History of criterion 1 (code-ready): Nov');
    expect(shown).toContain('[ ] 7 Nov 2019 09:00 GMT · asked for more information · @dan via console');
    expect(shown).toContain('"waiting for the build"');
    expect(shown).toContain('Evidence: https://example.org/b1');
    expect(shown).toMatch(/\[!\] 7 Nov 2019 14:30 GMT · refused: `\/release confirm code-ready met` · @eve via console\n\s+not allowed: Criterion 1 \(code-ready\) is owned by @dan/);
    expect(shown).toMatch(/\[x\] 7 Nov 2019 14:30 GMT · answered met · @dora for @dan via console\n\s+Evidence: https:\/\/example.org\/b2\n\s+withdrawn later/);
    expect(shown).toMatch(/ - {2}8 Nov 2019 10:00 GMT · answer withdrawn · @dan via console\n\s+"wrong build"/);
    expect(at('asked for more information')).toBeLessThan(at('refused'));
    expect(at('refused')).toBeLessThan(at('@dora for @dan'));
    expect(at('@dora for @dan')).toBeLessThan(at('answer withdrawn'));
    expect(shown).toContain('Times in Europe/London. 4 events.');
    // By number, the same item.
    expect(await as('rita', '/release history 1 --release nov')).toContain('History of criterion 1 (code-ready): Nov');
  });

  it('marks a stale confirmation and a stale sign-off', async () => {
    await as('dan', '/release confirm code-ready met');
    await as('olivia', '/release signoff opsg agree "fine"');
    await as('rita', '/release date 2019-12-03 "extra testing"');
    expect(await as('rita', '/release history code-ready')).toMatch(
      /\[~\] 7 Nov 2019 09:0\d GMT · answered met · @dan via console\n\s+stale: answered before the implementation date moved; it must be confirmed again/,
    );
    const group = await as('rita', '/release history opsg');
    expect(group).toContain('set up: `/release group opsg members olivia oscar --quorum 2 --meeting 2019-11-08`');
    expect(group).toMatch(/\[~\] .* · signed off: agrees · @olivia via console\n\s+"fine"\n\s+stale: signed before the implementation date moved/);
  });

  it('says which item an ambiguous name took, and how to get the others', async () => {
    const byNumber = await as('rita', '/release history 1');
    expect(byNumber).toContain('"1" names more than one item: showing criterion 1 (code-ready). Also: risk R1 (`/release history risk R1`).');
    const byName = await as('rita', '/release history opsg');
    expect(byName).toContain('showing review group OPSG. Also: switch opsg (`/release history switch opsg`).');
    expect(byName).toContain('History of review group OPSG');
    const chosen = await as('rita', '/release history switch opsg');
    expect(chosen).toContain('History of switch opsg: Nov');
    expect(chosen).not.toContain('names more than one item');
  });

  it('lists what exists when there is no such item, and changes nothing', async () => {
    const before = (await recordOf(h.store, 'nov')).audit.length;
    const { output } = await h.run('/release history nope');
    expect(output).toContain('Not done: Nov has no item "nope". Criteria: 1 code-ready, 2 test-phases-closed');
    expect(output).toContain('groups: opsg, tag; switches: SECMP0062, opsg; risks: R1.');
    expect(await as('rita', '/release history risk 9')).toContain('Nov has no risk "9"');
    expect((await recordOf(h.store, 'nov')).audit.length).toBe(before);
  });

  it("shows a switch's changes and a risk's mitigations and acceptance, with the refused attempt", async () => {
    await as('rita', '/release switch SECMP0062 on --source "TOC"');
    await as('rita', '/release switch SECMP0062 off');
    await as('rita', '/release risk mitigate 1 "Fallback plan"');
    await as('dan', '/release risk accept 1');
    await as('pat', '/release risk accept 1 --conditions "TOC watches"');
    const sw = await as('rita', '/release history SECMP0062');
    expect(sw).toMatch(/\[!\] .* · reported on · @rita via console\n\s+"TOC"\n\s+expected off: this blocked go-live/);
    expect(sw).toMatch(/\[x\] .* · reported off \(was on\) · @rita via console/);
    const risk = await as('rita', '/release history R1');
    expect(risk).toContain('risk added, owner @dan · @rita');
    expect(risk).toMatch(/mitigation 1 added · @rita\n\s+"Fallback plan"/);
    expect(risk).toMatch(/\[!\] .* · refused: `\/release risk accept 1` · @dan via console/);
    expect(risk).toMatch(/\[x\] .* · accepted with conditions · @pat via console\n\s+"TOC watches"/);
  });
});

describe('switch list and risk list', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  it('shows each guarded switch: expected, current, the last change, by whom and from where', async () => {
    await h.run('/release switch SECMP0062 on --source "TOC alert"');
    const { output } = await h.run('/release switch list');
    expect(output).toMatch(/\[!\] SECMP0062\n\s+Expected off · current on: this blocks go-live\n\s+Last change: unreported → on, 7 Nov 2019 09:0\d GMT by @rita via console, source: TOC alert/);
    expect(output).toMatch(/\[ \] opsg\n\s+Expected on · current not reported yet/);
  });

  it('shows the risk register with status, owner, mitigations and conditions', async () => {
    await h.run('/release risk add "Second risk"');
    await h.run('/release risk mitigate 1 "Fallback"');
    await h.run('/release risk accept 1 --conditions "TOC watches"', 'pat');
    const { output } = await h.run('/release risk list');
    expect(output).toMatch(/\[x\] R1 accepted with conditions: Interface change\n\s+Owner @dan · 1 mitigation · 0 group views\n\s+Conditions: TOC watches/);
    expect(output).toMatch(/\[!\] R2 OPEN: Second risk\n\s+Owner none · 0 mitigations/);
  });

  it('refuses a switch called list, and keeps list as the listing', async () => {
    const { output, status } = await h.run('/release switch add list --expect on');
    expect(status).toBe(1);
    expect(output).toContain('A switch cannot be called "list"');
    expect((await h.store.get('nov'))!.release.switches.map((s) => s.key)).toEqual(['SECMP0062', 'opsg']);
  });
});
