import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Harness } from './support/golive.js';
import { editAuditLines, releaseBytes } from './support/release-on-disk.js';
import { reopen, SEED_ID, SEED_NAME, seededFolder } from './support/tamper.js';

// The tamper suite (tamper.test.ts) edits a release's record as a whole; here the append-only
// files are edited as they lie on disk: lines of <id>.audit.jsonl changed, removed, swapped or
// cut off, the state file <id>.state.json left as it was. golive must notice at start,
// quarantine that release, name the entry, and never write to its files.

describe('editing the audit log file line by line', () => {
  const dirs: string[] = [];
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close(false);
    h = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function tampered(edit: (lines: string[]) => string[]) {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const bytes = await editAuditLines(seeded.dir, SEED_ID, edit);
    h = await reopen(seeded.dir);
    const verify = (await h.run('/release audit verify')).output;
    const status = (await h.run('/release status')).output;
    const refused = (await h.run('/as dan\n/release confirm ops-ready met')).output;
    await h.close(false);
    h = undefined;
    return { verify, status, refused, untouched: (await releaseBytes(seeded.dir, SEED_ID)).equals(bytes) };
  }

  function expectQuarantined(result: Awaited<ReturnType<typeof tampered>>, seq: number, message: RegExp): void {
    expect(result.verify).toMatch(message);
    expect(result.status).toContain(`fails verification at entry ${seq}:`);
    expect(result.refused).toContain(`The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry ${seq}`);
    expect(result.untouched).toBe(true);
  }

  it('an edited line is named', async () => {
    const result = await tampered((lines) => lines.map((line, at) => (at === 5 ? JSON.stringify({ ...JSON.parse(line), after: { forged: true } }) : line)));
    expectQuarantined(result, 6, /Audit record FAILS verification: at entry 6: Entry 6 was edited: its content no longer matches its hash/);
  });

  it('a removed line is named', async () => {
    const result = await tampered((lines) => lines.filter((_, at) => at !== 4));
    expectQuarantined(result, 5, /Audit record FAILS verification: at entry 5: Entry 5 was removed: entry 6 comes straight after entry 4/);
  });

  it('two swapped lines are named', async () => {
    const result = await tampered((lines) => lines.map((line, at) => (at === 3 ? lines[7]! : at === 7 ? lines[3]! : line)));
    expectQuarantined(result, 8, /Audit record FAILS verification: at entry 8: Entry 8 is out of order/);
  });

  it('lines cut off the end, the state file left as it was: the state names an entry the log no longer holds', async () => {
    let head = 0;
    const result = await tampered((lines) => {
      head = JSON.parse(lines.at(-1)!).seq;
      return lines.slice(0, -3);
    });
    expectQuarantined(result, head, /FAILS verification/);
    expect(result.status).toContain(`the state's newest entry is ${head} and the log does not hold it`);
  });
});
