import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReleaseDocument } from '../store/release-document.js';
import { checkRecord, recordVerifier, type AuditPolicy } from '../src/app/record-check.js';
import { Harness } from './support/golive.js';
import { readDoc, seedToGo, SEED_ID, SEED_START, type RawDoc } from './support/tamper.js';

// Any single field of the stored state or of any audit entry, changed to another value, is
// caught when the file is read back: the store either refuses the file (schema) or the record
// fails verification, under the key or without it; the store's entry-by-entry check agrees with the whole-record one.

const KEY = 'p'.repeat(40);

type Path = Array<string | number>;

/** Every leaf (string, number, boolean, null) under `value`, as a path from the document's root. */
function leaves(value: unknown, path: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [path];
  const entries: Array<[string | number, unknown]> = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  return entries.flatMap(([key, item]) => leaves(item, [...path, key]));
}

const INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/;
const HEX64 = /^[0-9a-f]{64}$/;

/** Another value of the same kind, chosen so that the schema still accepts it where it can. */
function changed(value: unknown, salt: number): unknown {
  if (typeof value === 'number') return value + 1 + (salt % 3);
  if (typeof value === 'boolean') return !value;
  if (value === null) return 0;
  const text = value as string;
  if (INSTANT.test(text)) return new Date(Date.parse(text) + 1_000 * (1 + (salt % 5))).toISOString();
  if (HEX64.test(text)) return text.slice(0, -1) + (text.endsWith('0') ? '1' : '0');
  return `${text}${'xyz'[salt % 3]}`;
}

function edited(doc: RawDoc, path: Path, salt: number): RawDoc {
  const copy = structuredClone(doc);
  let parent = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path.at(-1)!;
  parent[last] = changed(parent[last], salt);
  return copy;
}

/** How the store reads a file back: schema first (a failure stops start-up, naming the file), then the record check. */
function readBack(doc: RawDoc, policy: AuditPolicy): 'schema' | 'verification' | 'accepted' {
  const parsed = ReleaseDocument.safeParse(JSON.parse(JSON.stringify(doc)));
  if (!parsed.success) return 'schema';
  const accepted = checkRecord(parsed.data, policy).ok;
  // The store checks a log entry by entry as it reads it (release-history.ts): it must pass exactly what the whole-record check passes.
  const check = recordVerifier(policy).streaming!();
  expect(parsed.data.audit.every((entry) => check.add(entry)) && check.passes(parsed.data)).toBe(accepted);
  return accepted ? 'accepted' : 'verification';
}

describe('a single-field edit of the state or of an entry, over many edits', () => {
  const docs: Array<{ doc: RawDoc; policy: AuditPolicy }> = [];
  const harnesses: Harness[] = [];
  beforeAll(async () => {
    for (const policy of [{}, { key: KEY }]) {
      const h = await Harness.open(SEED_START, undefined, policy);
      harnesses.push(h);
      await h.run(`${await seedToGo()}/as rita\n/release facts defects sev2=1\n/as mallory\n/release decide go`);
      docs.push({ doc: await readDoc(h.dir, SEED_ID), policy });
    }
  });
  afterAll(async () => {
    for (const h of harnesses) await h.close();
  });

  it('the untouched documents are accepted', () => {
    for (const { doc, policy } of docs) expect(readBack(doc, policy)).toBe('accepted');
  });

  for (const part of ['release', 'audit'] as const) {
    it(`any edit of one ${part === 'release' ? 'field of the stored state' : 'field of any audit entry'} is caught`, () => {
      let bySeal = 0;
      let runs = 0;
      fc.assert(
        fc.property(fc.nat(1), fc.nat(), fc.nat(), (which, pick, salt) => {
          const { doc, policy } = docs[which]!;
          const paths = leaves(doc[part], [part]);
          const path = paths[pick % paths.length]!;
          const outcome = readBack(edited(doc, path, salt), policy);
          runs += 1;
          if (outcome === 'verification') bySeal += 1;
          expect(outcome, `editing ${path.join('.')} was accepted`).not.toBe('accepted');
        }),
        { numRuns: 400 },
      );
      // Many edits keep the file valid, so it is the seal that catches them, not the schema. For the
      // state about 55% do (many of its fields are enums the schema refuses), so a half would be a coin toss.
      expect(bySeal).toBeGreaterThan(runs / 3);
    });
  }
});
