import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { Harness } from './support/golive.js';
import { readRaw } from './support/release-on-disk.js';

const SETUP = `
/release create "Nov" 2019-11-29 --id nov
/release role DCC dan
/release role SECAS sam
/release role Panel pat
/release group opsg members olivia --meeting 2019-11-08
`;

describe('who may do what', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open();
    expect((await h.run(SETUP)).status).toBe(0);
  });
  afterEach(() => h.close());

  const onDisk = async () => ReleaseDocument.parse(await readRaw(h.dir, 'nov'));

  it('refuses an answer from someone who does not own the criterion, privately, audited, and changes nothing', async () => {
    const before = await onDisk();
    const { output } = await h.run('/release confirm code-ready met', 'mallory');
    expect(output).toContain('(only you can see this)');
    expect(output).toContain('Not allowed: Criterion 1 (code-ready) is owned by @dan (role DCC); only its owners or their delegates can answer it.');
    const after = await onDisk();
    expect(after.release).toEqual(before.release);
    const last = after.audit.at(-1)!;
    expect(last).toMatchObject({ outcome: 'refused', actor: { id: 'console:mallory', platform: 'console' }, command: '/release confirm code-ready met' });
    expect(last.reason).toContain('owned by @console:dan');
  });

  it('lets the owner and a named delegate answer, recording on whose behalf', async () => {
    await h.run('/release confirm 1 met --evidence https://example.org/a', 'dan');
    await h.run('/release delegate dora for dan', 'dan');
    const { output } = await h.run('/release confirm 2 need-info "waiting for UIT report"', 'dora');
    expect(output).toContain('Recorded: criterion 2 (test-phases-closed) needs more information');
    const doc = await onDisk();
    expect(doc.release.criteria[0]!.responses[0]).toMatchObject({ answer: 'met', by: 'console:dan', evidence: ['https://example.org/a'] });
    expect(doc.release.criteria[1]!.responses[0]).toMatchObject({ answer: 'need-info', by: 'console:dora', onBehalfOf: 'console:dan', comment: 'waiting for UIT report' });
  });

  it('keeps release changes, facts and switches to the managers', async () => {
    for (const line of ['/release role DCC mallory', '/release facts defects sev1=0', '/release switch SECMP0062 on', '/release date 2019-12-01 "why not"', '/release risk add "x"']) {
      const { output } = await h.run(line, 'mallory');
      expect(output, line).toContain('Not allowed: Only the release managers (@rita)');
    }
    const doc = await onDisk();
    expect(doc.release.roles.DCC).toEqual(['console:dan']);
    expect(doc.release.facts.defects).toBeUndefined();
    expect(doc.release.switches[0]!.history).toEqual([]);
    // One person's refusals within a minute: the first is an entry, the rest are counted beside it.
    expect(doc.audit.filter((e) => e.outcome === 'refused')).toHaveLength(1);
    expect(doc.refusals).toMatchObject({ actor: { id: 'console:mallory' }, count: 4 });
  });

  it('lets only group members or their delegates sign off, and only the approver role decide', async () => {
    expect((await h.run('/release signoff opsg agree', 'dan')).output).toContain('Only members of OPSG (@olivia) or their delegates can sign off for it.');
    expect((await h.run('/release decide go', 'rita')).output).toContain('Only the Panel (@pat) can decide go or no-go for Nov.');
    expect((await h.run('/release signoff opsg agree "ok"', 'olivia')).output).toContain('Recorded: @olivia agrees for OPSG.');
    expect((await h.run('/release decide no-go "not yet"', 'pat')).output).toContain('Recorded: NO-GO');
  });

  it('tells a typo its usage and a suggestion, changing nothing', async () => {
    const before = await onDisk();
    const { output, status } = await h.run('/release confrim code-ready met', 'dan');
    expect(status).toBe(1);
    expect(output).toContain('Did you mean `confirm`?');
    expect((await onDisk()).audit).toEqual(before.audit);
  });

  it('says clearly when a criterion, group or release does not exist', async () => {
    expect((await h.run('/release confirm 9 met', 'dan')).output).toContain('Nov has no criterion 9. Its criteria are: 1 code-ready');
    expect((await h.run('/release signoff cab agree', 'olivia')).output).toContain('Nov has no review group "cab"');
    expect((await h.run('/release status --release nope', 'dan')).output).toContain('There is no release "nope"');
  });
});
