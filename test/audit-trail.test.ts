import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';

const SCRIPT = `
/release create "Nov" 2019-11-29 --id nov
/release role DCC dan
/as dan
/release confirm code-ready met "done, with a comma and a \\"quote\\"" --evidence https://example.org/x
/as mallory
/release confirm code-ready met
`;

describe('the audit trail through the app', () => {
  let h: Harness | undefined;
  afterEach(() => h?.close());

  it('exports every applied and refused entry as JSON lines and as CSV', async () => {
    h = await Harness.open();
    await h.run(SCRIPT);
    const jsonl = (await h.run('/release audit export')).output;
    const lines = jsonl.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(['applied', 'applied', 'applied', 'refused']);
    expect(JSON.parse(lines[2]!).after.response).toMatchObject({ answer: 'met', by: 'dan', evidence: ['https://example.org/x'] });

    const csv = (await h.run('/release audit export --format csv')).output;
    expect(csv).toContain('seq,at,actor,platform,command,outcome,reason,before,after,prevHash,hash');
    expect(csv).toContain('"/release confirm code-ready met ""done, with a comma and a \\""quote\\""""');
    expect(csv).toMatch(/4,2019-11-01T09:00:\d\d\.000Z,mallory,console,\/release confirm code-ready met,refused,/);
  });

  it('names the first edited entry after someone changes an answer in the file by hand', async () => {
    h = await Harness.open();
    await h.run(SCRIPT);
    await h.store.close();
    const file = join(h.dir, 'releases', 'nov.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.audit[2].after.response.answer = 'not-met';
    doc.audit[2].after.response.comment = 'forged';
    await writeFile(file, JSON.stringify(doc));

    const reopened = await Harness.open(undefined, h.dir);
    h = reopened;
    const { output } = await reopened.run('/release audit verify --release nov');
    expect(output).toContain('Audit chain BROKEN: Entry 3 was edited');
  });

  it('names a removed entry', async () => {
    h = await Harness.open();
    await h.run(SCRIPT);
    await h.store.close();
    const file = join(h.dir, 'releases', 'nov.json');
    const doc = JSON.parse(await readFile(file, 'utf8'));
    doc.audit.splice(1, 1);
    await writeFile(file, JSON.stringify(doc));
    h = await Harness.open(undefined, h.dir);
    expect((await h.run('/release audit verify --release nov')).output).toMatch(/Audit chain BROKEN: Entry 2 (was removed|is missing)/);
  });
});
