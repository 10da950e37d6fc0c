import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { Release } from '../src/domain/release.js';
import { evaluate } from '../src/domain/readiness.js';
import type { Harness } from './support/golive.js';
import { fileBytes, headsShown, readDoc, reopen, reseal, resealState, seededFolder, SEED_ID, SEED_NAME, writeDoc, type RawDoc } from './support/tamper.js';

// Someone with the data folder edits a release's files (data/releases/<id>.state.json and <id>.audit.jsonl, consistently). golive must notice at start,
// quarantine that release (readable, never written), name the entry, and keep the others working.

const AFTER = new Date('2019-11-16T09:00:00Z');

/** Every kind of change a person might try on the quarantined release, each from someone allowed to. */
const CHANGES = [
  ['dan', '/release confirm ops-ready met "still ready"'],
  ['rita', '/release facts defects sev2=0'],
  ['pat', '/release decide go "again"'],
  ['rita', '/release date 2019-12-06 "a new date"'],
  ['rita', '/release role SECAS sue'],
  ['olivia', '/release signoff opsg agree'],
  ['rita', '/release switch SECMP0062 off --source "review"'],
  ['rita', '/release risk add "another risk" --owner dan'],
  ['pat', '/release decide no-go "stop"'],
] as const;

const changesScript = CHANGES.map(([who, line]) => `/as ${who}\n${line}\n`).join('');

const verdictOf = (doc: RawDoc) => evaluate(Release.parse(doc.release), AFTER).verdict;

describe('case 1: editing the state in the release file', () => {
  const dirs: string[] = [];
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close(false);
    h = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  const edits: Array<[string, (doc: RawDoc) => void]> = [
    ['an answer', (doc) => (doc.release.criteria[0].responses.at(-1).answer = 'not-met')],
    ['a defect count', (doc) => (doc.release.facts.defects.counts['2'] = 3)],
    ['an added decision', (doc) => doc.release.decisions.push({ ...doc.release.decisions.at(-1), verdict: 'no-go', note: 'forged', at: '2019-11-15T12:00:00.000Z' })],
  ];

  it.each(edits)('editing %s quarantines the release at the newest entry; nothing is written, the other release works', async (_what, edit) => {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const doc = await readDoc(seeded.dir, SEED_ID);
    const before = verdictOf(doc);
    edit(doc);
    // The edit matters: without the seal it would change the verdict people act on.
    expect(verdictOf(doc)).not.toBe(before);
    const tampered = await writeDoc(seeded.dir, SEED_ID, doc);
    const head = doc.audit.at(-1).seq;
    const otherBefore = await fileBytes(seeded.dir, 'other');

    h = await reopen(seeded.dir);
    const named = `The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry ${head}: The stored state of the release does not match entry ${head}, the newest in its record`;

    const status = (await h.run('/release status')).output;
    expect(status).toContain(named);
    expect(status).not.toMatch(/: (GO|NO-GO|PENDING)\n/);
    expect(status).not.toContain('Acceptance criteria');

    const list = (await h.run('/release list')).output;
    expect(list).toContain(`RECORD FAILS VERIFICATION ${SEED_NAME} \`${SEED_ID}\` · at entry ${head}`);
    expect(list).toMatch(/PENDING Other `other`/);

    const changes = (await h.run(changesScript)).output;
    expect(changes.split(named)).toHaveLength(CHANGES.length + 1);
    expect(changes).not.toMatch(/Recorded|Not allowed|recorded in the audit trail/);
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(tampered);

    const verify = (await h.run('/release audit verify')).output;
    expect(verify).toContain(`Audit record FAILS verification: at entry ${head}: The stored state of the release does not match entry ${head}`);
    const [exported = ''] = await h.written((await h.run('/release audit export')).output);
    expect(exported.split('\n').filter((line) => line.startsWith('{'))).toHaveLength(doc.audit.length);

    // The other release in the same folder is untouched by all this and still takes writes.
    const other = (await h.run('/release role DCC dan --release other\n/release audit verify --release other')).output;
    expect(other).toContain('Role DCC: @dan');
    expect(other).toContain('Audit record intact');
    expect(await fileBytes(seeded.dir, 'other')).not.toEqual(otherBefore);
    expect((await readDoc(seeded.dir, 'other')).release.roles.DCC).toEqual(['console:dan']);

    await h.close(false);
    h = undefined;
    expect(await fileBytes(seeded.dir, SEED_ID)).toEqual(tampered);
  });
});

describe('the tamper suite: the audit entries themselves', () => {
  const dirs: string[] = [];
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close(false);
    h = undefined;
    for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
  });

  /** Seeds, applies `edit` to the file, reopens; returns what `audit verify` says and whether the file was left alone. */
  async function tampered(edit: (doc: RawDoc) => void, verifyArgs = '') {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const doc = await readDoc(seeded.dir, SEED_ID);
    edit(doc);
    const bytes = await writeDoc(seeded.dir, SEED_ID, doc);
    h = await reopen(seeded.dir);
    const verify = (await h.run(`/release audit verify${verifyArgs}`)).output;
    const status = (await h.run('/release status')).output;
    const refused = (await h.run('/as dan\n/release confirm ops-ready met')).output;
    await h.close(false);
    h = undefined;
    return { verify, status, refused, untouched: (await fileBytes(seeded.dir, SEED_ID)).equals(bytes), seeded, doc };
  }

  function expectQuarantined(result: Awaited<ReturnType<typeof tampered>>, seq: number, message: RegExp): void {
    expect(result.verify).toMatch(new RegExp(`Audit record FAILS verification: at entry ${seq}: ${message.source}`));
    expect(result.status).toContain(`fails verification at entry ${seq}:`);
    expect(result.refused).toContain(`The record of ${SEED_NAME} (${SEED_ID}) fails verification at entry ${seq}`);
    expect(result.untouched).toBe(true);
  }

  it('an edited entry is named', async () => {
    const result = await tampered((doc) => (doc.audit[5].after = { forged: true }));
    expectQuarantined(result, 6, /Entry 6 was edited: its content no longer matches its hash/);
  });

  it('a removed entry is named', async () => {
    const result = await tampered((doc) => doc.audit.splice(4, 1));
    expectQuarantined(result, 5, /Entry 5 was removed: entry 6 comes straight after entry 4/);
  });

  it('two swapped entries are named', async () => {
    const result = await tampered((doc) => ([doc.audit[3], doc.audit[7]] = [doc.audit[7], doc.audit[3]]));
    expectQuarantined(result, 8, /Entry 8 is out of order/);
  });

  it('cutting the last entries, state left as it was, is caught by the state hash', async () => {
    let cutTo = 0;
    const result = await tampered((doc) => {
      doc.audit.splice(-3);
      cutTo = doc.audit.at(-1).seq;
    });
    expectQuarantined(result, cutTo, new RegExp(`The stored state of the release does not match entry ${cutTo}, the newest in its record`));
  });

  it('cutting the last entries and rolling the state back passes on its own, but not against a head shown before the cut', async () => {
    // The state as it was at entry 30, as a backup taken then would hold it.
    const early = await seededFolder();
    dirs.push(early.dir);
    const snapshot = await readDoc(early.dir, SEED_ID);
    const publishedHead = early.head;
    expect(headsShown(early.output)).toContain(publishedHead);

    const cut = structuredClone(snapshot);
    // Back to just before the Panel decided: the release is PENDING again and no GO was ever given.
    const decided = cut.audit.findIndex((entry: RawDoc) => entry.command.startsWith('/release decide go'));
    const rolledBack = structuredClone(cut.release);
    rolledBack.decisions = [];
    cut.audit.splice(decided);
    cut.release = rolledBack;
    // The attacker must make the state match the new head exactly; with the source they can recompute it.
    resealState(cut);
    const bytes = await writeDoc(early.dir, SEED_ID, cut);

    h = await reopen(early.dir);
    const alone = (await h.run('/release audit verify')).output;
    expect(alone).toContain('Audit record intact');
    const against = (await h.run(`/release audit verify --head ${publishedHead}`)).output;
    expect(against).toContain(`Audit record FAILS verification: head ${publishedHead} is NOT in this record: it was cut or rewritten after that head was shown`);
    expect(against).toMatch(/^Audit record FAILS verification/m);
    expect(against).not.toContain('Audit record intact');
    await h.close(false);
    h = undefined;
    expect((await fileBytes(early.dir, SEED_ID)).equals(bytes)).toBe(true);
  });

  it('recomputing the whole unkeyed chain after editing the state passes on its own, but is caught against a published head', async () => {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const doc = await readDoc(seeded.dir, SEED_ID);
    doc.release.facts.defects.counts['2'] = 4;
    for (const entry of doc.audit) if (entry.after?.counts) entry.after.counts['2'] = 4;
    resealState(doc);
    reseal(doc.audit, 0);
    await writeDoc(seeded.dir, SEED_ID, doc);

    h = await reopen(seeded.dir);
    expect((await h.run('/release audit verify')).output).toMatch(/Audit record intact: \d+ entries for November 2019 SEC Release.*Not keyed: anyone with the files could recompute it/);
    // The head shown with the decision (announcement and status) is gone: the rewrite is caught.
    const against = (await h.run(`/release audit verify --head ${seeded.head}`)).output;
    expect(against).toContain(`Audit record FAILS verification: head ${seeded.head} is NOT in this record`);
    expect(against).toMatch(/^Audit record FAILS verification/m);
    // A head shown before the first rewritten entry still proves only the part before it: the
    // newest published head is the one that guards the state.
    const doc0 = await readDoc(seeded.dir, SEED_ID);
    const earlier = headsShown(seeded.output).find((shown) => doc0.audit.some((entry: RawDoc) => entry.hash.startsWith(shown)));
    expect(earlier).toBeDefined();
    expect((await h.run(`/release audit verify --head ${earlier}`)).output).toMatch(new RegExp(`Head ${earlier} is entry \\d+ of`));
  });

  it('the head shown with the decision, in status and in the paper is the head of the record then, and is confirmed later', async () => {
    const seeded = await seededFolder();
    dirs.push(seeded.dir);
    const decided = await readDoc(seeded.dir, SEED_ID);
    const decision = decided.audit.at(-1);
    expect(decision.command).toMatch(/^\/release decide go/);
    expect(seeded.output).toContain(`Panel decided GO by @pat`);
    expect(seeded.output).toContain(`Audit record: entry ${decision.seq}, head \`${decision.hash.slice(0, 12)}\``);
    h = await reopen(seeded.dir);
    const [paper = ''] = await h.written((await h.run('/release report')).output);
    expect(paper).toContain(`Audit record: entry ${decision.seq}, head \`${decision.hash.slice(0, 12)}\`. Anyone can check later`);
    await h.run('/as dan\n/release confirm ops-ready met "still ready"');
    const doc = await readDoc(seeded.dir, SEED_ID);
    const at = doc.audit.findIndex((entry: RawDoc) => entry.hash.startsWith(seeded.head));
    const output = (await h.run(`/release audit verify --head ${seeded.head}`)).output;
    expect(output).toContain(`Head ${seeded.head} is entry ${doc.audit[at].seq} of ${doc.audit.length}`);
    expect(output).toContain('Audit record intact');
  });
});
