import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../src/app/document.js';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';

// The seed paper, replayed through the console exactly as a release manager would type it
// (examples/sec-release-2019.txt is also what the README tells a newcomer to run).
const script = await readFile(new URL('../examples/sec-release-2019.txt', import.meta.url), 'utf8');
const lines = script.split('\n');
const sev2At = lines.indexOf('/release facts defects sev2=1');
const dateAt = lines.findIndex((l) => l.startsWith('/release date 2019-12-06'));
const toGo = lines.slice(0, sev2At - 1).join('\n');
const toSev2 = lines.slice(sev2At - 1, dateAt).join('\n');
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
    expect(paper).toMatch(/The Panel decided \*\*GO\*\* on 7 Nov 2019 .*\(@pat\)/);
    expect(paper).toContain('- AGREE that the November 2019 SEC Release can be set live on 29 Nov 2019.');
  });

  it('turns NO-GO naming no-sev1-sev2 and the managers who record the facts when a severity 2 defect is recorded', () => {
    expect(out[1]).toContain('November 2019 SEC Release: NO-GO');
    expect(out[1]).toMatch(/FAILED 3\. no-sev1-sev2: 1 severity 2 defect outstanding · owner @rita/);
  });

  it('makes the earlier confirmations stale when the date moves', () => {
    const status = out[2]!.slice(out[2]!.indexOf('rita in #general> /release status'));
    expect(status).toContain('Implementation: 6 Dec 2019 09:00 (Europe/London)');
    expect(status).toContain('Date moved from 29 Nov 2019 to 6 Dec 2019');
    expect(status.match(/^\[~\] \d\./gm)).toHaveLength(6);
    expect(status).toMatch(/^\[!\] 3\. no-sev1-sev2/m);
    expect(status).toContain('answered before the implementation date moved: must be confirmed again');
    expect(status).toContain('Made on an earlier state of the release: decide again.');
    expect(status).toContain('the implementation date moved');
    expect(out[2]).toContain('[#general] ');
    expect(out[2]).toMatch(/Audit record intact: \d+ entries/);
  });

  it('has every answer and its audit entry on disk', async () => {
    const doc = ReleaseDocument.parse(JSON.parse(await readFile(join(h.dir, 'releases', 'nov-2019-sec.json'), 'utf8')));
    expect(doc.release.criteria.every((c) => c.responses.length === 1 && c.responses[0]!.evidence.length > 0)).toBe(true);
    expect(doc.release.risks[0]!.mitigations).toHaveLength(3);
    expect(verifyChain(doc.audit).ok).toBe(true);
    const applied = doc.audit.filter((e) => e.outcome === 'applied');
    const commands = script.split('\n').filter((l) => l.startsWith('/release') && !/\/release (status|report|audit)/.test(l));
    expect(applied.map((e) => e.command)).toEqual(commands);
  });
});
