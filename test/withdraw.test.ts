import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';

// Withdrawing an answer or a sign-off, through the real console: only by whoever gave it (or
// their delegate), audited, appended to the history and never deleted; the item waits again.

const SETUP = `
/release create "Nov" 2019-11-29 --template sec-release --id nov
/release role DCC dan
/release role SECAS sam
/release role Panel pat
/release group opsg members olivia oscar --quorum 2
/release group tag members tara tom --quorum 1 --delegate tess for tara
/release delegate dora for dan
`;

describe('withdraw', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.openWith(SETUP, '2019-11-07T09:00:00Z');
  });
  afterEach(() => h.close());

  const onDisk = () => h.onDisk('nov');
  const as = (user: string, line: string) => h.as(user, line);
  const status = () => as('rita', '/release status');

  it('lets the owner withdraw their own answer: kept in the history, audited, and the criterion waits again', async () => {
    await as('dan', '/release confirm code-ready met --evidence https://example.org/build');
    expect(await status()).toMatch(/\[x\] 1\. code-ready/);
    const output = await as('dan', '/release withdraw code-ready "wrong build"');
    expect(output).toContain('Withdrawn: the answer to criterion 1 (code-ready). It waits for a new answer; the record keeps both.');

    const shown = await status();
    expect(shown).toMatch(/\[ \] 1\. code-ready/);
    expect(shown).toContain('withdrawn by @dan on 7 Nov 2019');
    expect(shown).toMatch(/WAITING 1\. code-ready: answer withdrawn: waiting for an answer · owner @dan/);

    const doc = await onDisk();
    const responses = doc.release.criteria[0]!.responses;
    expect(responses).toHaveLength(2);
    expect(responses[0]).toMatchObject({ answer: 'met', by: 'console:dan', evidence: ['https://example.org/build'] });
    expect(responses[1]).toMatchObject({ answer: 'withdrawn', by: 'console:dan', comment: 'wrong build' });
    expect(responses[1]!.onBehalfOf).toBeUndefined();
    expect(doc.audit.at(-1)).toMatchObject({ outcome: 'applied', actor: { id: 'console:dan' }, command: '/release withdraw code-ready "wrong build"' });
    expect(verifyChain(doc.audit).ok).toBe(true);

    // A new answer counts again.
    await as('dan', '/release confirm code-ready met');
    expect(await status()).toMatch(/\[x\] 1\. code-ready/);
  });

  it('lets a delegate withdraw the answer of the person they stand in for, and turns a not-met back into waiting', async () => {
    await as('dan', '/release confirm ops-ready not-met "TOC not staffed"');
    expect(await status()).toContain('Nov: NO-GO');
    expect(await as('dora', '/release withdraw 6')).toContain('Withdrawn: the answer to criterion 6 (ops-ready) given for @dan.');
    const shown = await status();
    expect(shown).not.toContain('NO-GO');
    expect(shown).toMatch(/WAITING 6\. ops-ready: answer withdrawn: waiting for an answer/);
    expect((await onDisk()).release.criteria[5]!.responses.at(-1)).toMatchObject({ answer: 'withdrawn', by: 'console:dora', onBehalfOf: 'console:dan' });
  });

  it('refuses anyone else, privately and audited, and changes nothing', async () => {
    await as('dan', '/release confirm code-ready met');
    const before = await onDisk();
    for (const who of ['mallory', 'sam', 'rita']) {
      const output = await as(who, '/release withdraw code-ready');
      expect(output).toContain('(only you can see this)');
      expect(output).toContain('Not allowed: Only @dan, who gave the current answer to criterion 1 (code-ready), or their delegates can withdraw it.');
    }
    const after = await onDisk();
    expect(after.release).toEqual(before.release);
    const refused = after.audit.slice(before.audit.length);
    expect(refused.map((e) => [e.outcome, e.actor.id, e.command])).toEqual([
      ['refused', 'console:mallory', '/release withdraw code-ready'],
      ['refused', 'console:sam', '/release withdraw code-ready'],
      ['refused', 'console:rita', '/release withdraw code-ready'],
    ]);
    expect(verifyChain(after.audit).ok).toBe(true);
  });

  it('says there is nothing to withdraw when the criterion waits already, recording nothing', async () => {
    const before = (await onDisk()).audit.length;
    expect(await as('dan', '/release withdraw code-ready')).toContain('Not done: criterion 1 (code-ready) has no answer to withdraw: it is waiting for one.');
    await as('dan', '/release confirm code-ready met');
    await as('dan', '/release withdraw code-ready');
    // The same withdrawal sent again at once (a retried request) is the one already recorded.
    expect(await as('dan', '/release withdraw code-ready')).toContain('Withdrawn: the answer to criterion 1 (code-ready).');
    h.clock.set('2019-11-07T10:00:00Z');
    expect(await as('dan', '/release withdraw code-ready')).toContain('has no answer to withdraw');
    const after = await onDisk();
    expect(after.release.criteria[0]!.responses.map((r) => r.answer)).toEqual(['met', 'withdrawn']);
    expect(after.audit.length).toBe(before + 2);
  });

  it('withdraws a sign-off by its member or the delegate who signed it; the group waits for them again', async () => {
    await as('olivia', '/release signoff opsg agree');
    await as('oscar', '/release signoff opsg agree');
    await as('tess', '/release signoff tag agree --for tara');
    expect(await status()).toContain('[x] OPSG 2 of 2 agreed');

    expect(await as('olivia', '/release signoff opsg withdraw "need to re-read the test report"')).toContain('Withdrawn: the sign-off of @olivia for OPSG.');
    // tara withdraws what her delegate signed for her.
    expect(await as('tara', '/release signoff tag withdraw')).toContain('Withdrawn: the sign-off of @tara for TAG.');
    const shown = await status();
    expect(shown).toContain('OPSG sign-off: 1 of 2 needed · owner @olivia');
    expect(shown).toContain('TAG sign-off: 0 of 1 needed · owner @tara, @tom');

    const groups = (await onDisk()).release.groups;
    expect(groups[0]!.signoffs.map((s) => [s.verdict, s.by, s.onBehalfOf])).toEqual([
      ['agree', 'console:olivia', undefined],
      ['agree', 'console:oscar', undefined],
      ['withdrawn', 'console:olivia', undefined],
    ]);
    expect(groups[0]!.signoffs[2]!.note).toBe('need to re-read the test report');
    expect(groups[1]!.signoffs.map((s) => [s.verdict, s.by, s.onBehalfOf])).toEqual([
      ['agree', 'console:tess', 'console:tara'],
      ['withdrawn', 'console:tara', undefined],
    ]);

    // The delegate may withdraw for the member too.
    await as('tess', '/release signoff tag agree --for tara');
    expect(await as('tess', '/release signoff tag withdraw')).toContain('Withdrawn: the sign-off of @tara for TAG.');
    expect((await onDisk()).release.groups[1]!.signoffs.at(-1)).toMatchObject({ verdict: 'withdrawn', by: 'console:tess', onBehalfOf: 'console:tara' });
  });

  it("refuses a sign-off withdrawal by anyone else, audited; a member cannot withdraw another member's", async () => {
    await as('olivia', '/release signoff opsg agree');
    const before = await onDisk();
    expect(await as('mallory', '/release signoff opsg withdraw')).toContain('Not allowed: Only the members of OPSG who signed, or their delegates, can withdraw a sign-off for it.');
    expect(await as('oscar', '/release signoff opsg withdraw --for olivia')).toContain('Not allowed: Only @olivia, who gave this sign-off for OPSG, or their delegates can withdraw it.');
    expect(await as('oscar', '/release signoff opsg withdraw')).toContain('Not done: You have no sign-off for OPSG to withdraw.');
    const after = await onDisk();
    expect(after.release).toEqual(before.release);
    expect(after.audit.slice(before.audit.length).map((e) => [e.outcome, e.actor.id])).toEqual([
      ['refused', 'console:mallory'],
      ['refused', 'console:oscar'],
    ]);
  });

  it('explains both forms in help', async () => {
    const help = await as('dan', '/release help withdraw');
    expect(help).toContain('/release withdraw <criterion> ["reason"]');
    expect(help).toContain('it waits for a new answer, and the record keeps both');
    expect(await as('dan', '/release help signoff')).toContain('/release signoff <group> agree|disagree|withdraw ["note"] [--for <user>]');
    expect(await as('dan', '/release help')).toContain('/release withdraw <criterion> · /release signoff <group> withdraw: take back your own answer or sign-off');
  });
});
