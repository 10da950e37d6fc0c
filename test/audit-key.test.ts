import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson, stateHashOf } from '../src/domain/audit.js';
import { adoptAuditKey } from '../src/app/record-check.js';
import { Harness } from './support/golive.js';
import { npmStart } from './support/npm-start.js';
import { fileBytes, readDoc, reopen, reseal, resealState, seededFolder, seedToGo, SEED_ID, SEED_NAME, SEED_START, writeDoc, type RawDoc } from './support/tamper.js';

// GOLIVE_AUDIT_KEY: entries sealed with HMAC-SHA256, so whoever has the files but not the key
// cannot write a chain golive accepts.

const KEY = `${'k'.repeat(16)}0123456789abcdef0123456789abcdef`;
const OTHER_KEY = 'x'.repeat(48);

describe('a keyed audit chain', () => {
  const dirs: string[] = [];
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close(false);
    h = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  async function keyedSeed() {
    const seeded = await seededFolder({ key: KEY });
    dirs.push(seeded.dir);
    return seeded;
  }

  /** Reopens with `policy` and reports what people see of the seed release. */
  async function seen(dir: string, policy: { key?: string }, at?: string) {
    h = await reopen(dir, policy, at);
    const verify = (await h.run('/release audit verify')).output;
    const status = (await h.run('/release status')).output;
    const write = (await h.run('/as dan\n/release confirm ops-ready met "still ready"')).output;
    await h.close(false);
    h = undefined;
    return { verify, status, write };
  }

  it('seals every entry with the key, and audit verify says it is keyed', async () => {
    const seeded = await keyedSeed();
    const doc = await readDoc(seeded.dir, SEED_ID);
    expect(doc.audit.length).toBeGreaterThan(20);
    expect(doc.audit.every((entry: RawDoc) => entry.keyed === true)).toBe(true);
    const { verify, write } = await seen(seeded.dir, { key: KEY });
    expect(verify).toMatch(
      /Audit record intact: \d+ entries for November 2019 SEC Release, head `[0-9a-f]{12}`\. It seals the stored state \(entries 1 to \d+\)\. Keyed with GOLIVE_AUDIT_KEY \(HMAC-SHA256\)\./,
    );
    expect(verify).not.toContain('from entry');
    expect(write).toContain('Recorded: criterion 6 (ops-ready) met.');
    expect((await readDoc(seeded.dir, SEED_ID)).audit.at(-1).keyed).toBe(true);
  });

  it('a keyed chain recomputed without the key (plain sha256, keyed dropped) is quarantined when golive starts with the key', async () => {
    const seeded = await keyedSeed();
    const doc = await readDoc(seeded.dir, SEED_ID);
    doc.release.facts.defects.counts['2'] = 5;
    for (const entry of doc.audit) delete entry.keyed;
    resealState(doc);
    reseal(doc.audit, 0);
    const bytes = await writeDoc(seeded.dir, SEED_ID, doc);
    const head = doc.audit.at(-1).seq;

    const { verify, status, write } = await seen(seeded.dir, { key: KEY });
    expect(verify).toContain(`Audit record FAILS verification: at entry ${head}: The record is not sealed with GOLIVE_AUDIT_KEY although the key is set`);
    expect(status).toContain(`The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry ${head}`);
    expect(write).toContain(`fails verification at entry ${head}`);
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
  });

  it('a keyed chain whose hashes were recomputed with plain sha256, keyed left on, fails as edited at its first entry', async () => {
    const seeded = await keyedSeed();
    const doc = await readDoc(seeded.dir, SEED_ID);
    doc.release.facts.defects.counts['2'] = 5;
    doc.audit.at(-1).stateHash = stateHashOf(doc.release);
    for (const [index, entry] of doc.audit.entries()) {
      entry.prevHash = index > 0 ? doc.audit[index - 1].hash : '0'.repeat(64);
      const { hash: _drop, ...content } = entry;
      entry.hash = createHash('sha256')
        .update(entry.prevHash + canonicalJson(content))
        .digest('hex');
    }
    const bytes = await writeDoc(seeded.dir, SEED_ID, doc);
    const { verify, write } = await seen(seeded.dir, { key: KEY });
    expect(verify).toContain('Audit record FAILS verification: at entry 1: Entry 1 was edited: its content no longer matches its hash under GOLIVE_AUDIT_KEY');
    expect(write).toContain('fails verification at entry 1');
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
  });

  it('an unkeyed entry appended after keyed ones is named: it was written without the key', async () => {
    const seeded = await keyedSeed();
    const doc = await readDoc(seeded.dir, SEED_ID);
    doc.release.decisions = [];
    const forged = { ...structuredClone(doc.audit.at(-1)), seq: doc.audit.at(-1).seq + 1, command: '/release decide no-go "forged"' };
    delete forged.keyed;
    doc.audit.push(forged);
    resealState(doc);
    const bytes = await writeDoc(seeded.dir, SEED_ID, doc);
    const { verify } = await seen(seeded.dir, { key: KEY });
    expect(verify).toContain(`at entry ${forged.seq}: Entry ${forged.seq} is not keyed although the entries before it are: it was written by someone without the key.`);
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
  });

  it('a keyed record opened without the key is quarantined, saying golive was started without GOLIVE_AUDIT_KEY', async () => {
    const seeded = await keyedSeed();
    const bytes = await fileBytes(seeded.dir, SEED_ID);
    const { verify, status, write } = await seen(seeded.dir, {});
    expect(verify).toContain('Audit record FAILS verification: at entry 1: Entry 1 is sealed with a key (HMAC-SHA256), but golive was started without GOLIVE_AUDIT_KEY');
    expect(status).toContain(`The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry 1`);
    expect(write).toContain('fails verification at entry 1');
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
    // With the key again, nothing was lost.
    expect((await seen(seeded.dir, { key: KEY })).verify).toContain('Audit record intact');
  });

  it('a wrong key is caught at the first entry', async () => {
    const seeded = await keyedSeed();
    const bytes = await fileBytes(seeded.dir, SEED_ID);
    const { verify, write } = await seen(seeded.dir, { key: OTHER_KEY });
    expect(verify).toContain('at entry 1: Entry 1 was edited: its content no longer matches its hash under GOLIVE_AUDIT_KEY (it was edited, or sealed with another key).');
    expect(write).toContain('fails verification at entry 1');
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
  });

  it('an unkeyed store opened with the key is quarantined until the key is adopted; adopted, it stays keyed', async () => {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const entries = (await readDoc(seeded.dir, SEED_ID)).audit.length;
    const bytes = await fileBytes(seeded.dir, SEED_ID);

    const before = await seen(seeded.dir, { key: KEY });
    expect(before.verify).toContain(
      `at entry ${entries}: The record is not sealed with GOLIVE_AUDIT_KEY although the key is set: it was written before the key was set (start once with GOLIVE_AUDIT_ADOPT_KEY=1`,
    );
    expect(before.write).toContain(`fails verification at entry ${entries}`);
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);

    // GOLIVE_AUDIT_ADOPT_KEY=1, as start-up runs it.
    h = await reopen(seeded.dir, { key: KEY, adopting: true }, '2019-11-16T10:00:00Z');
    const said: string[] = [];
    expect(await adoptAuditKey(h.store, KEY, h.clock, (line) => said.push(line))).toBe(2);
    expect(said).toContain(`release "${SEED_ID}": its audit record is sealed under GOLIVE_AUDIT_KEY from entry ${entries + 1} on`);
    await h.close(false);
    h = undefined;
    const adopted = await readDoc(seeded.dir, SEED_ID);
    expect(adopted.audit).toHaveLength(entries + 1);
    expect(adopted.audit.at(-1)).toMatchObject({ command: '(GOLIVE_AUDIT_ADOPT_KEY)', keyed: true, at: expect.stringMatching(/^2019-11-16T10:00:0\d\.000Z$/) });

    const after = await seen(seeded.dir, { key: KEY }, '2019-11-16T11:00:00Z');
    expect(after.verify).toContain(`Keyed with GOLIVE_AUDIT_KEY (HMAC-SHA256) from entry ${entries + 1}.`);
    expect(after.write).toContain('Recorded: criterion 6 (ops-ready) met.');
    expect((await readDoc(seeded.dir, SEED_ID)).audit.at(-1).keyed).toBe(true);

    // From then on the key is required: without it the record is quarantined.
    expect((await seen(seeded.dir, {}, '2019-11-16T12:00:00Z')).verify).toContain(`at entry ${entries + 1}: Entry ${entries + 1} is sealed with a key`);
  });

  it('adopting the key with refusals still counted beside the chain keeps the record in time order', async () => {
    h = await Harness.open('2019-11-01T09:00:00Z');
    const dir = h.dir;
    dirs.push(dir);
    await h.run('/channel c-nov\n/release create "Nov" 2019-11-29 --id nov\n/release role DCC dan');
    h.clock.set('2019-11-01T10:00:00Z');
    await h.run('/channel c-nov\n/release confirm code-ready met\n/release confirm code-ready met', 'mallory');
    expect((await readDoc(dir, 'nov')).refusals).toMatchObject({ count: 1 });
    await h.close(false);

    h = await reopen(dir, { key: KEY, adopting: true }, '2019-11-01T12:00:00Z');
    expect(await adoptAuditKey(h.store, KEY, h.clock, () => undefined)).toBe(1);
    await h.close(false);

    h = await reopen(dir, { key: KEY }, '2019-11-01T13:00:00Z');
    const output = (await h.run('/channel c-nov\n/release confirm code-ready met "done"\n/release audit verify', 'dan')).output;
    expect(output).toContain('Recorded: criterion 1 (code-ready) met.');
    expect(output).toContain('Audit record intact');
    const audit = (await readDoc(dir, 'nov')).audit;
    expect(audit.filter((entry: RawDoc) => entry.outcome === 'refused').reduce((sum: number, entry: RawDoc) => sum + (entry.count ?? 1), 0)).toBe(2);
  });

  it('refusals forged beside a keyed chain are not sealed under the key: the release is quarantined at start', async () => {
    const seeded = await keyedSeed();
    const doc = await readDoc(seeded.dir, SEED_ID);
    // Counted repeats must follow a refused head entry by the same person; this one follows a decision.
    doc.refusals = {
      actor: { id: 'pat', platform: 'console' },
      command: '/release decide no-go "I never agreed"',
      reason: 'forged',
      first: '2019-11-15T10:30:00.000Z',
      last: '2019-11-15T10:30:30.000Z',
      count: 40,
    };
    const bytes = await writeDoc(seeded.dir, SEED_ID, doc);
    const head = doc.audit.at(-1).seq;
    const { verify, write } = await seen(seeded.dir, { key: KEY });
    expect(verify).toContain(`Audit record FAILS verification: at entry ${head}: The refused attempts counted after entry ${head} do not follow from it`);
    expect(write).toContain(`fails verification at entry ${head}`);
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
    expect((await readDoc(seeded.dir, SEED_ID)).audit.some((entry: RawDoc) => entry.reason === 'forged' || (entry.actor.id === 'pat' && entry.outcome === 'refused'))).toBe(false);
  });

  it('adopting the key does not adopt a record that fails for another reason', async () => {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const doc = await readDoc(seeded.dir, SEED_ID);
    doc.release.facts.defects.counts['2'] = 5;
    const bytes = await writeDoc(seeded.dir, SEED_ID, doc);
    h = await reopen(seeded.dir, { key: KEY, adopting: true });
    expect(await adoptAuditKey(h.store, KEY, h.clock, () => undefined)).toBe(1);
    await h.close(false);
    h = undefined;
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(bytes);
    expect((await readDoc(seeded.dir, 'other')).audit.at(-1).keyed).toBe(true);
  });
});

describe('GOLIVE_AUDIT_KEY and GOLIVE_AUDIT_ADOPT_KEY through npm start', () => {
  let dir: string;
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('an unkeyed store started with the key is quarantined; one start with GOLIVE_AUDIT_ADOPT_KEY=1 seals it, and later writes are keyed', async () => {
    dir = await mkdtemp(join(tmpdir(), 'golive-key-'));
    const clock = { GOLIVE_DATA_DIR: dir, GOLIVE_CLOCK_START: SEED_START };
    expect((await npmStart(await seedToGo(), clock)).status).toBe(0);
    const entries = (await readDoc(dir, SEED_ID)).audit.length;
    const bytes = await fileBytes(dir, SEED_ID);

    const keyed = await npmStart('/release status\n/as dan\n/release confirm ops-ready met\n', { ...clock, GOLIVE_AUDIT_KEY: KEY });
    expect(keyed.stderr).toContain(`quarantined (read-only), its record fails verification at entry ${entries}: The record is not sealed with GOLIVE_AUDIT_KEY although the key is set`);
    expect(keyed.stdout).toContain(`The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry ${entries}`);
    expect(keyed.stdout).not.toContain('Recorded:');
    expect(await fileBytes(dir, SEED_ID)).toEqual(bytes);

    const adopting = await npmStart('/release audit verify\n/as dan\n/release confirm ops-ready met "still ready"\n', { ...clock, GOLIVE_AUDIT_KEY: KEY, GOLIVE_AUDIT_ADOPT_KEY: '1' });
    expect(adopting.status).toBe(0);
    expect(adopting.stderr).toContain(`release "${SEED_ID}": its audit record is sealed under GOLIVE_AUDIT_KEY from entry ${entries + 1} on`);
    expect(adopting.stdout).toContain(`Keyed with GOLIVE_AUDIT_KEY (HMAC-SHA256) from entry ${entries + 1}.`);
    expect(adopting.stdout).toContain('Recorded: criterion 6 (ops-ready) met.');
    const after = (await readDoc(dir, SEED_ID)).audit;
    expect(after.slice(0, entries).every((entry: RawDoc) => entry.keyed === undefined)).toBe(true);
    expect(after.slice(entries).map((entry: RawDoc) => [entry.command, entry.keyed])).toEqual([
      ['(GOLIVE_AUDIT_ADOPT_KEY)', true],
      ['/release confirm ops-ready met "still ready"', true],
    ]);

    const later = await npmStart('/release audit verify\n', { ...clock, GOLIVE_AUDIT_KEY: KEY });
    expect(later.stdout).toContain(`Audit record intact: ${entries + 2} entries`);
  }, 60_000);
});
