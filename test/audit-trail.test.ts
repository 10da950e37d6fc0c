import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './support/golive.js';
import { readRaw, writeRaw } from './support/release-on-disk.js';

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

  /** Runs the script, edits the release file by hand as someone with disk access might, and restarts on it. */
  async function tamperedAndReopened(edit: (doc: any) => void): Promise<Harness> {
    const first = await Harness.open();
    await first.run(SCRIPT);
    await first.store.close();
    const doc = await readRaw(first.dir, 'nov');
    edit(doc);
    await writeRaw(first.dir, 'nov', doc);
    return Harness.open(undefined, first.dir);
  }

  it('exports every applied and refused entry as JSON lines and as CSV', async () => {
    h = await Harness.open();
    await h.run(SCRIPT);
    const [jsonl = ''] = await h.written((await h.run('/release audit export')).output);
    const lines = jsonl.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.map((l) => JSON.parse(l).outcome)).toEqual(['applied', 'applied', 'applied', 'refused']);
    expect(JSON.parse(lines[2]!).after.response).toMatchObject({ answer: 'met', by: 'console:dan', evidence: ['https://example.org/x'] });

    const [csv = ''] = await h.written((await h.run('/release audit export --format csv')).output);
    expect(csv).toContain('seq,at,actor,platform,command,outcome,reason,before,after,prevHash,hash');
    expect(csv).toContain('"/release confirm code-ready met ""done, with a comma and a \\""quote\\""""');
    expect(csv).toMatch(/4,2019-11-01T09:00:\d\d\.000Z,console:mallory,console,\/release confirm code-ready met,refused,/);
  });

  it('names the first edited entry after someone changes an answer in the file by hand', async () => {
    h = await tamperedAndReopened((doc) => {
      doc.audit[2].after.response.answer = 'not-met';
      doc.audit[2].after.response.comment = 'forged';
    });
    const { output } = await h.run('/release audit verify --release nov');
    expect(output).toContain('Audit record FAILS verification: at entry 3: Entry 3 was edited');
  });

  it('names a removed entry', async () => {
    h = await tamperedAndReopened((doc) => doc.audit.splice(1, 1));
    expect((await h.run('/release audit verify --release nov')).output).toMatch(/Audit record FAILS verification: at entry 2: Entry 2 (was removed|is missing)/);
  });
});
