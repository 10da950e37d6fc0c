import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';
import { readRaw } from './support/release-on-disk.js';

// The seed paper, replayed through the console exactly as a release manager would type it
// (examples/sec-release-2019.txt is also what the README tells a newcomer to run).
const script = await readFile(new URL('../examples/sec-release-2019.txt', import.meta.url), 'utf8');
const lines = script.split('\n');
const sev2At = lines.indexOf('/release facts defects sev2=1');
const dateAt = lines.findIndex((l) => l.startsWith('/release date 2019-12-06'));
// The tour moves its clock on to 28 Nov just before the defect is recorded: that move starts the second part.
const sev2DayAt = lines.lastIndexOf('/clock 2019-11-28T14:30', sev2At);
const toGo = lines.slice(0, sev2DayAt).join('\n');
const toSev2 = lines.slice(sev2DayAt, dateAt).join('\n');
const toMoved = ['/as rita', ...lines.slice(dateAt)].join('\n');

describe('the November 2019 SEC Release, end to end through the console', () => {
  let h: Harness;
  const out: string[] = [];
  beforeAll(async () => {
    h = await Harness.open('2019-11-04T09:00:00Z');
    for (const part of [toGo, toSev2, toMoved]) {
      const { output, status } = await h.run(part);
      expect(status, output).toBe(0);
      out.push(output);
    }
  });
  afterAll(() => h.close());

  it('ends GO once every owner confirmed, both groups agreed, the risk is accepted and the Panel decided go', () => {
    const status = out[0]!.slice(out[0]!.lastIndexOf('pat in #general> /release status'), out[0]!.indexOf('pat in #general> /release report'));
    expect(status).toContain('November 2019 SEC Release: GO');
    expect(status).toContain('Nothing blocks go-live');
    for (const id of ['code-ready', 'test-phases-closed', 'no-sev1-sev2', 'defect-plans', 'environments-aligned', 'ops-ready', 'secas-ready']) {
      expect(status).toMatch(new RegExp(`\\[x\\] \\d\\. ${id}`));
    }
    expect(status).toContain('@tara agreed (signed by @tess)');
    expect(status).not.toContain('Not allowed');
  });

  it('keeps every event on its real day, and shows the SECAS answer as late for both groups', () => {
    expect(out[0]).not.toContain('Not done');
    for (const when of ['2019-11-05T10:00', '2019-11-07T11:00', '2019-11-08T10:00', '2019-11-15T10:00']) expect(out[0]).toContain(`Clock moved to ${when}:00.000Z.`);
    const status = out[0]!.slice(out[0]!.lastIndexOf('pat in #general> /release status'), out[0]!.indexOf('pat in #general> /release report'));
    expect(status.match(/met by @dan on 5 Nov 2019 10:00 GMT/g)).toHaveLength(6);
    expect(status).toContain('met by @sam on 7 Nov 2019 11:00 GMT: SECAS ready to implement the SEC changes on 29 Nov');
    // The DCC answered before the deadline (Wed 6 Nov 17:00); only SECAS, the day after, is late.
    expect(status).toMatch(/7\. secas-ready [^\n]*\n(?: {6}[^\n]*\n)*? {6}Late for OPSG and TAG: given 7 Nov 2019 11:00 GMT, after their evidence deadline 6 Nov 2019 17:00 GMT\n/);
    expect(status.match(/Late for/g)).toHaveLength(1);
    expect(status).toContain('@olivia agreed on 8 Nov 2019 10:00 GMT: The go-live criteria have been met');
    expect(status).toContain('@oscar agreed on 8 Nov 2019 10:00 GMT');
    expect(status).toContain('@tara agreed (signed by @tess) on 8 Nov 2019 10:00 GMT');
    expect(status).toContain('Status accepted-with-conditions since 8 Nov 2019 10:00 GMT');
    expect(status).toContain('[x] GO by @pat on 15 Nov 2019 10:00 GMT');
    expect(status).toContain('Implementation: 29 Nov 2019 09:00 (Europe/London), in 13 days 22 hours');
  });

  it('writes the decision paper from the record alone', async () => {
    expect(out[0]).toContain(`Decision paper: November 2019 SEC Release: written to ${join(h.workingDir, 'reports', 'nov-2019-sec-decision-paper.md')}`);
    const [paper = ''] = await h.written(out[0]!);
    expect(paper.startsWith('# Approval to implement the November 2019 SEC Release')).toBe(true);
    expect(paper).toContain('due to be implemented on 29 Nov 2019 at 09:00 (Europe/London)');
    expect(paper).toMatch(/## 2\. Acceptance criteria/);
    expect(paper.match(/State: \*\*MET\*\*/g)).toHaveLength(7);
    expect(paper).toContain('Evidence: <https://example.org/nov-2019/sit-completion>, <https://example.org/nov-2019/uit-completion>');
    expect(paper).toContain('## 3. Views of OPSG');
    expect(paper).toContain('OPSG agreed that the go-live criteria have been met');
    expect(paper).toContain('## 4. Views of TAG');
    expect(paper).toContain('| Residual risk | Proposed approach | Views | Status |');
    expect(paper).toMatch(/R1\. There is a risk that SECMP0062 .*1\. The DCC Transition Team.*<br>2\. .*<br>3\. The SECMP0062 feature switches/);
    expect(paper).toContain('accepted with conditions: Check added to the Release Management checklist');
    expect(paper).toContain('**SECMP0062**');
    expect(paper).toContain('expected off, now off');
    expect(paper).toContain('generated 15 Nov 2019 10:00 GMT from the golive record');
    expect(paper).toContain('The Panel decided **GO** on 15 Nov 2019 10:00 GMT (@console:pat): NOTE the views of OPSG and TAG');
    expect(paper).toContain('- AGREE that the November 2019 SEC Release can be set live on 29 Nov 2019.');
  });

  it('dates the sign-offs 8 Nov in the paper and lists, per group, the evidence that arrived after its deadline', async () => {
    const [paper = ''] = await h.written(out[0]!);
    const opsg = paper.slice(paper.indexOf('## 3. Views of OPSG'), paper.indexOf('## 4. Views of TAG'));
    const tag = paper.slice(paper.indexOf('## 4. Views of TAG'), paper.indexOf('## 5. Residual risks'));
    expect(opsg).toContain('met on 8 Nov 2019.');
    expect(opsg).toContain('- @console:olivia agreed on 8 Nov 2019 10:00 GMT: The go-live criteria have been met; ready to be set live');
    expect(opsg).toContain('- @console:oscar agreed on 8 Nov 2019 10:00 GMT');
    expect(tag).toContain('met on 8 Nov 2019.');
    expect(tag).toContain('- @console:tara agreed (signed by delegate @console:tess) on 8 Nov 2019 10:00 GMT: Testing demonstrates the code is developed to an acceptable standard');
    for (const [group, section] of [
      ['OPSG', opsg],
      ['TAG', tag],
    ] as const) {
      const late = section.slice(section.indexOf('Evidence that arrived after'));
      expect(late).toBe(
        `Evidence that arrived after the ${group}'s deadline (6 Nov 2019 17:00 GMT):\n\n- criterion 7 secas-ready answered met on 7 Nov 2019 11:00 GMT by @console:sam, 1 evidence link\n\n`,
      );
    }
    const secas = paper.slice(paper.indexOf('7. **secas-ready**'), paper.indexOf('## 3.'));
    expect(secas).toContain('Answer: met by @console:sam on 7 Nov 2019 11:00 GMT');
    expect(secas).toContain('**Late for OPSG and TAG: given 7 Nov 2019 11:00 GMT, after their evidence deadline 6 Nov 2019 17:00 GMT**');
    expect(paper.match(/Answer: met by @console:dan on 5 Nov 2019 10:00 GMT/g)).toHaveLength(6);
    expect(paper.match(/Late for/g)).toHaveLength(1);
  });

  it('turns NO-GO naming no-sev1-sev2 and the managers who record the facts when a severity 2 defect is recorded', () => {
    expect(out[1]).toContain('Clock moved to 2019-11-28T14:30:00.000Z.');
    expect(out[1]).toContain('November 2019 SEC Release: NO-GO');
    expect(out[1]).toMatch(/FAILED 3\. no-sev1-sev2: 1 severity 2 defect outstanding · owner @rita · since 28 Nov 2019 14:30 GMT/);
  });

  it('makes the earlier confirmations stale when the date moves', () => {
    const status = out[2]!.slice(out[2]!.indexOf('rita in #general> /release status'));
    expect(status).toContain('Implementation: 6 Dec 2019 09:00 (Europe/London)');
    expect(status).toContain('Date moved from 29 Nov 2019 to 6 Dec 2019 on 28 Nov 2019 14:30 GMT by @rita: A Severity 2 defect was found in regression testing');
    expect(status.match(/^\[~\] \d\./gm)).toHaveLength(6);
    expect(status).toMatch(/^\[!\] 3\. no-sev1-sev2/m);
    expect(status).toContain('answered before the implementation date moved: must be confirmed again');
    expect(status).toContain('Made on an earlier state of the release: decide again.');
    expect(status).toContain('the implementation date moved');
    expect(out[2]).toContain('[#general] ');
    expect(out[2]).toMatch(/Audit record intact: \d+ entries/);
  });

  it('has every answer and its audit entry on disk', async () => {
    const doc = ReleaseDocument.parse(await readRaw(h.dir, 'nov-2019-sec'));
    expect(doc.release.criteria.every((c) => c.responses.length === 1 && c.responses[0]!.evidence.length > 0)).toBe(true);
    expect(doc.release.risks[0]!.mitigations).toHaveLength(3);
    expect(verifyChain(doc.audit).ok).toBe(true);
    const applied = doc.audit.filter((e) => e.outcome === 'applied');
    const commands = script.split('\n').filter((l) => l.startsWith('/release') && !/\/release (status|report|audit)/.test(l));
    expect(applied.map((e) => e.command)).toEqual(commands);
    // Each step is stamped on the day the tour's /clock moved to, as it happened in November 2019.
    const day = (at: string) => at.slice(0, 13);
    expect(day(doc.audit[0]!.at)).toBe('2019-11-04T09');
    expect(doc.release.criteria.map((c) => day(c.responses[0]!.at))).toEqual([...Array(6).fill('2019-11-05T10'), '2019-11-07T11']);
    expect(doc.release.groups.flatMap((g) => g.signoffs.map((s) => day(s.at)))).toEqual(['2019-11-08T10', '2019-11-08T10', '2019-11-08T10']);
    expect(doc.release.decisions.map((d) => day(d.at))).toEqual(['2019-11-15T10']);
    expect(doc.release.dateChanges.map((d) => day(d.at))).toEqual(['2019-11-28T14']);
  });
});
