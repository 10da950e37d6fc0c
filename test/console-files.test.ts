import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReportFile } from '../adapters/console/report-file.js';
import { Harness } from './support/golive.js';

// report and audit export in the console write files under <working directory>/reports/ and say where.

describe('report and audit export in the console', () => {
  let h: Harness;
  beforeEach(async () => {
    h = await Harness.open('2019-11-07T09:00:00Z');
    await h.run('/release create "Nov" 2019-11-29 --template sec-release --id nov\n/release link --release nov');
  });
  afterEach(() => h.close());
  const reports = () => join(h.workingDir, 'reports');

  it('writes the paper under reports/, says where in one line, and never overwrites an earlier one', async () => {
    const first = await h.run('/release report');
    const path = join(reports(), 'nov-decision-paper.md');
    expect(
      first.output
        .split('\n')
        .filter((l) => l.trim() !== '')
        .slice(1),
    ).toEqual([`Decision paper: Nov: written to ${path}`]);
    expect(first.output).not.toContain('# Approval to implement');
    expect(await readFile(path, 'utf8')).toMatch(/^# Approval to implement the Nov\n/);

    await writeFile(path, 'kept by hand');
    const second = await h.run('/release report');
    expect(second.output).toContain(`written to ${join(reports(), 'nov-decision-paper-2.md')}`);
    await h.run('/release report');
    expect((await readdir(reports())).sort()).toEqual(['nov-decision-paper-2.md', 'nov-decision-paper-3.md', 'nov-decision-paper.md']);
    expect(await readFile(path, 'utf8')).toBe('kept by hand');
  });

  it('writes the audit export as JSON lines or CSV', async () => {
    const jsonl = await h.run('/release audit export');
    expect(jsonl.output).toContain(`Audit trail: Nov: written to ${join(reports(), 'nov-audit.jsonl')}`);
    const lines = (await readFile(join(reports(), 'nov-audit.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((e) => e.command)).toEqual(['/release create "Nov" 2019-11-29 --template sec-release --id nov', '/release link --release nov']);
    await h.run('/release audit export --format csv');
    expect(await readFile(join(reports(), 'nov-audit.csv'), 'utf8')).toMatch(/^seq,at,actor/);
  });

  it('says so when the file cannot be written, and exits 1 on piped input', async () => {
    await mkdir(h.workingDir, { recursive: true });
    await writeFile(reports(), 'a file where the folder should be');
    const { output, status } = await h.run('/release report');
    expect(status).toBe(1);
    expect(output).toMatch(/Not done: nov-decision-paper\.md could not be written to .*reports/);
  });

  it('refuses a file name that is not plain, writing nothing', async () => {
    for (const name of ['../escape.md', '.hidden', 'a/b.md', '', 'x'.repeat(300)]) {
      await expect(writeReportFile(reports(), name, 'x'), name).rejects.toThrow('not a safe file name');
    }
    await expect(readdir(reports())).rejects.toThrow();
  });
});
