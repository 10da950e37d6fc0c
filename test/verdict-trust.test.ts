import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';
import { readRaw } from './support/release-on-disk.js';

// Issue 6, cases 3, 4, 5 and 7, and the rules that close them, through the real console on a
// real store: what each person types, what they are shown, and what is on disk.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release role SECAS sam
/release role Panel pat
/release group opsg members olivia oscar --quorum 2
/release group tag members tara tom --quorum 1 --delegate tess for tara
`;

const FACTS = `
/release facts defects sev1=0 sev2=0 sev3=4 sev4=7 sev5=2 --plans yes
/release facts issues 12 --threshold 30
/release facts phase SIT closed
/release facts environment "SIT A aligned to production"
/release switch SECMP0062 off
`;

const ANSWERS = `
/as dan
/release confirm code-ready met
/release confirm test-phases-closed met
/release confirm no-sev1-sev2 met
/release confirm defect-plans met
/release confirm environments-aligned met
/release confirm ops-ready met
/as sam
/release confirm secas-ready met
`;

const SIGNOFFS = `
/as olivia
/release signoff opsg agree
/as oscar
/release signoff opsg agree
/as tess
/release signoff tag agree --for tara
`;

describe('the verdict nobody can get wrong, through the console', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  const onDisk = () => h.onDisk('nov');
  const as = (user: string, line: string) => h.as(user, line);
  const status = () => as('rita', '/release status');
  const paper = async () => {
    const [written = ''] = await h.written(await as('rita', '/release report'));
    return written;
  };

  async function reachGo(): Promise<void> {
    expect((await h.run(FACTS + ANSWERS + SIGNOFFS)).status).toBe(0);
    expect(await as('pat', '/release decide go')).toContain('Recorded: GO.');
    expect(await status()).toContain('Nov: GO');
  }

  it('case 3: an old GO does not come back by itself once the defect that broke it is cleared', async () => {
    await reachGo();
    await as('rita', '/release facts defects sev2=1');
    expect(await status()).toContain('Nov: NO-GO');

    await as('rita', '/release facts defects sev2=0');
    await h.run('/as dan\n/release confirm no-sev1-sev2 met\n/release confirm defect-plans met');
    const after = await status();
    expect(after).toContain('Nov: PENDING');
    expect(after).not.toContain('Nov: GO');
    expect(after).toContain('Made on an earlier state of the release: decide again.');
    expect(after).toMatch(/Since then: the defect figures changed; new answers on no-sev1-sev2, defect-plans/);
    expect(after).toMatch(/WAITING Panel decided GO on an earlier state of the release .* · owner @pat/);
    expect((await onDisk()).release.decisions).toHaveLength(1);

    // The groups signed before the verdict worsened: they sign again, then the Panel decides again.
    expect(after).toContain('STALE, does not count: signed before the verdict worsened (GO to NO-GO: 3. no-sev1-sev2: 1 severity 2 defect outstanding)');
    await h.run(SIGNOFFS);
    expect(await as('pat', '/release decide go')).toContain('Recorded: GO.');
    expect(await status()).toContain('Nov: GO');
  });

  it('case 4: GO while other items block is refused, naming them, audited, and not broadcast', async () => {
    const output = await as('pat', '/release decide go');
    expect(output).toContain('Not allowed: GO refused: 10 things still block Nov:');
    expect(output).toContain('1. code-ready: waiting for an answer');
    expect(output).toContain('… and 5 more');
    expect(output).toContain('decide go --override "<reason>"');
    expect(output).not.toContain('[#general]');
    const doc = await onDisk();
    expect(doc.release.decisions).toEqual([]);
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'refused', actor: { id: 'console:pat' }, command: '/release decide go' });
    expect(doc.audit.at(-1)!.reason).toContain('GO refused: 10 things still block Nov');
    expect(doc.outbox.filter((m) => m.kind === 'decision')).toEqual([]);
    expect(await status()).toContain('Nov: PENDING');

    // A NO-GO needs nothing else to be clear.
    expect(await as('pat', '/release decide no-go "not ready"')).toContain('Recorded: NO-GO.');
  });

  it('case 4: GO with --override is recorded with its reason and shown as GO (override) in status, announcement and paper', async () => {
    await h.run(FACTS + ANSWERS);
    const decided = await as('pat', '/release decide go "Go ahead" --override "Groups met on 8 Nov; minutes to follow"');
    expect(decided).toContain('Recorded: GO (override).');
    expect(decided).toContain('[#general] Panel decided GO (override) by @pat on 7 Nov 2019');
    expect(decided).toContain('Override, with 2 blockers still open: Groups met on 8 Nov; minutes to follow');

    const shown = await status();
    expect(shown).toContain('Nov: GO (override)');
    expect(shown).toMatch(/\[x\] GO \(override\) by @pat on 7 Nov 2019 \d\d:\d\d GMT: Go ahead/);
    expect(shown).toContain('Override: Groups met on 8 Nov; minutes to follow');
    expect(shown).toContain('Blockers overridden by the Panel (2)');
    expect(shown).toContain('WAITING OPSG sign-off: 0 of 2 needed');

    const text = await paper();
    expect(text).toContain('verdict **GO (override)**');
    expect(text).toMatch(/The Panel decided \*\*GO \(override\)\*\* on 7 Nov 2019 .* \(@console:pat\): Go ahead/);
    expect(text).toContain('Reason for the override: Groups met on 8 Nov; minutes to follow');
    expect(text).toMatch(/- Waiting: TAG sign-off: 0 of 1 needed \(owner @console:tara, @console:tom/);
    expect(text).not.toContain('AGREE that the Nov can be set live');

    const decision = (await onDisk()).release.decisions[0]!;
    expect(decision).toMatchObject({ verdict: 'go', override: 'Groups met on 8 Nov; minutes to follow', by: 'console:pat' });
    expect(decision.basis).toMatch(/^[0-9a-f]{64}$/);

    // The override holds for the state it was given on only.
    await as('rita', '/release switch SECMP0062 on');
    expect(await status()).toContain('Nov: NO-GO');
  });

  it('case 4: --override on a NO-GO, or with nothing to override, is a mistake that changes nothing', async () => {
    const wrong = await h.run('/release decide no-go --override "x"', 'pat');
    expect(wrong.output).toContain('--override is for deciding GO while something still blocks');
    await h.run(FACTS + ANSWERS + SIGNOFFS);
    const before = (await onDisk()).audit.length;
    expect(await as('pat', '/release decide go --override "just in case"')).toContain('Nothing else blocks this release: decide go without --override.');
    expect((await onDisk()).audit.length).toBe(before);
  });

  it('case 4 and separation of duties: a manager cannot make themself the approver, nor decide as one', async () => {
    const self = await as('rita', '/release role Panel rita');
    expect(self).toContain('Not allowed: Nov keeps separation of duties: a release manager cannot give themself the Panel role.');
    expect((await onDisk()).release.roles.Panel).toEqual(['console:pat']);

    // Another manager can name rita, but a manager still may not decide.
    await as('rita', '/release manager add mo');
    expect(await as('mo', '/release role Panel pat rita')).toContain('Role Panel: @pat, @rita');
    const decide = await as('rita', '/release decide no-go "stop"');
    expect(decide).toContain('Not allowed: Nov keeps separation of duties: @rita manages it, so cannot also decide go or no-go.');

    const doc = await onDisk();
    expect(doc.release.decisions).toEqual([]);
    const refused = doc.audit.filter((e) => e.outcome === 'refused');
    expect(refused.map((e) => [e.actor.id, e.command])).toEqual([
      ['console:rita', '/release role Panel rita'],
      ['console:rita', '/release decide no-go "stop"'],
    ]);
    expect(refused.every((e) => e.reason!.includes('separation of duties'))).toBe(true);
    expect(verifyChain(doc.audit).ok).toBe(true);
  });

  it('separation of duties: whoever gave a current answer may not decide, in person or through a delegate', async () => {
    await as('rita', '/release role Panel pat dan');
    await as('dan', '/release confirm code-ready met');
    expect(await as('dan', '/release decide no-go "not ready"')).toContain('@dan gave the current answer to criterion 1 (code-ready), so cannot also decide go or no-go.');
    await as('rita', '/release delegate dan for pat');
    expect(await as('dan', '/release decide no-go "not ready" --for pat')).toContain('@dan gave the current answer to criterion 1 (code-ready)');
    // Once dan's answer is no longer the current one, he may decide.
    await as('dan', '/release withdraw code-ready');
    expect(await as('dan', '/release decide no-go "not ready"')).toContain('Recorded: NO-GO.');
    const refused = (await onDisk()).audit.filter((e) => e.outcome === 'refused');
    expect(refused).toHaveLength(2);
    expect(refused.every((e) => e.actor.id === 'console:dan' && e.reason!.includes('separation of duties'))).toBe(true);
  });

  it('separation of duties is off in software-release: the manager may be the approver and decide', async () => {
    expect((await h.run('/channel web\n/release create "Web" 2019-11-29 --template software-release --id web')).status).toBe(0);
    expect(await as('rita', '/release role ReleaseManager rita --release web')).toContain('Role ReleaseManager: @rita');
    expect(await as('rita', '/release decide no-go "not yet" --release web')).toContain('Recorded: NO-GO.');
    const web = ReleaseDocument.parse(await readRaw(h.dir, 'web'));
    expect(web.release.separationOfDuties).toBe(false);
    expect((await onDisk()).release.separationOfDuties).toBe(true);
  });

  it('case 5: a not-met answer stays a failure when it goes stale, and --plans no fails defect-plans', async () => {
    await as('dan', '/release confirm no-sev1-sev2 not-met "two severity 2 defects open"');
    expect(await status()).toContain('Nov: NO-GO');
    // Recording the figures makes the answer stale; it must not soften the failure into PENDING.
    await as('rita', '/release facts defects sev1=0 sev2=0 sev3=3');
    const shown = await status();
    expect(shown).toContain('Nov: NO-GO');
    expect(shown).toMatch(/FAILED 3\. no-sev1-sev2: not met: two severity 2 defects open \(answered before the defect figures last changed; still a failure until answered again\) · owner @dan/);

    await as('rita', '/release facts defects --plans no');
    expect(await status()).toMatch(/FAILED 4\. defect-plans: no resolution plan for 3 severity 3\/4\/5 defects/);
    // A newer answer replaces the failure.
    await as('dan', '/release confirm no-sev1-sev2 met');
    expect(await status()).not.toContain('FAILED 3. no-sev1-sev2');
  });

  it('case 7: every blocker names who can actually clear it', async () => {
    await as('rita', '/release risk add "switch risk" --owner olivia');
    await as('dan', '/release confirm no-sev1-sev2 met');
    await as('dan', '/release confirm ops-ready not-met "TOC not staffed"');
    const shown = await status();
    // Confirmed, waiting only for facts: only the managers record facts.
    expect(shown).toMatch(/WAITING 3\. no-sev1-sev2: confirmed, but defect figures not recorded yet · owner @rita ·/);
    // No answer and no facts yet: both the owner and the managers have to act.
    expect(shown).toMatch(/WAITING 2\. test-phases-closed: waiting for an answer; no test phases recorded yet · owner @dan, @rita ·/);
    expect(shown).toMatch(/FAILED 6\. ops-ready: not met: TOC not staffed · owner @dan ·/);
    expect(shown).toMatch(/WAITING 1\. code-ready: waiting for an answer · owner @dan ·/);
    expect(shown).toMatch(/WAITING Risk R1 is open: switch risk · owner @olivia, @rita, @pat ·/);
    expect(shown).toMatch(/WAITING Switch SECMP0062 state not reported \(expected off\) · owner @rita ·/);
    expect(shown).toMatch(/WAITING Panel has not decided yet · owner @pat ·/);
  });

  it('makes sign-offs stale when the verdict worsens after them, in status and in the paper', async () => {
    await reachGo();
    await as('rita', '/release switch SECMP0062 on');
    await as('rita', '/release switch SECMP0062 off');
    const shown = await status();
    expect(shown).toContain('Nov: PENDING');
    expect(shown).toMatch(/@olivia agreed on .* STALE, does not count: signed before the verdict worsened \(GO to NO-GO: Switch SECMP0062 is on, expected off\); sign again/);
    expect(shown).toContain('WAITING OPSG sign-off: 0 of 2 needed; 2 stale sign-offs must be given again · owner @olivia, @oscar');
    expect(shown).toContain('WAITING TAG sign-off: 0 of 1 needed; 1 stale sign-off must be given again · owner @tara, @tom');
    expect(await paper()).toMatch(/- @console:olivia agreed on .* \(\*\*STALE\*\*, does not count: signed before the verdict worsened/);

    const worsened = (await onDisk()).release.worsened!;
    expect(worsened.what).toBe('GO to NO-GO: Switch SECMP0062 is on, expected off');
    expect(worsened.signoffs).toEqual([
      { group: 'opsg', count: 2 },
      { group: 'tag', count: 1 },
    ]);

    // Signing again after the worsening counts; so does a decision made on the state as it is now.
    await h.run(SIGNOFFS);
    expect(await as('pat', '/release decide go')).toContain('Recorded: GO.');
    expect(await status()).toContain('Nov: GO');
  });

  it('does not make sign-offs stale on changes that improve or keep the verdict', async () => {
    await h.run(FACTS + ANSWERS);
    await as('rita', '/release risk add "minor" --owner dan');
    await h.run(SIGNOFFS);
    await as('rita', '/release facts issues 12 --threshold 30');
    await as('rita', '/release facts defects sev3=4');
    await as('rita', '/release risk accept 1');
    const shown = await status();
    expect(shown).not.toContain('STALE');
    expect(shown).toContain('[x] OPSG 2 of 2 agreed');
    expect(await as('pat', '/release decide go')).toContain('Recorded: GO.');
    expect(await status()).toContain('Nov: GO');
    // Adding the open risk was the last worsening, and it came before the sign-offs.
    expect((await onDisk()).release.worsened).toMatchObject({
      what: 'GO to PENDING: Risk R1 is open: minor',
      signoffs: [
        { group: 'opsg', count: 0 },
        { group: 'tag', count: 0 },
      ],
    });
  });
});
