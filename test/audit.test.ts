import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AuditEntry, GENESIS_HASH, type UnsealedAuditEntry } from '../src/domain/audit-entry.js';
import { canonicalJson, csvCell, exportCsv, exportJsonl, keysInOrder, sealEntry, verifyChain } from '../src/domain/audit.js';

function unsealed(n: number, extra: Partial<UnsealedAuditEntry> = {}): UnsealedAuditEntry {
  return {
    at: `2019-11-08T10:${String(n % 60).padStart(2, '0')}:00.000Z`,
    actor: { id: 'U-alice', platform: 'slack' },
    command: `/release confirm ${n} met`,
    outcome: 'applied',
    before: { answer: null },
    after: { answer: 'met', n },
    ...extra,
  };
}

function chainOf(length: number): AuditEntry[] {
  const chain: AuditEntry[] = [];
  for (let n = 1; n <= length; n++) chain.push(sealEntry(chain, unsealed(n)));
  return chain;
}

function failure(chain: readonly AuditEntry[]) {
  const verdict = verifyChain(chain);
  if (verdict.ok) throw new Error('expected the chain to fail verification');
  return verdict;
}

describe('canonicalJson', () => {
  it('sorts keys at every depth, omits undefined properties and has no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: undefined, x: 2 }], c: 'é' } })).toBe('{"a":{"c":"é","d":[3,{"x":2,"z":1}]},"b":1}');
  });

  it('gives the same text whatever order the keys were added in', () => {
    expect(canonicalJson({ x: 1, y: [1, 2] })).toBe(canonicalJson({ y: [1, 2], x: 1 }));
  });

  it('writes undefined array items as null, as JSON does', () => {
    expect(canonicalJson([1, undefined, 'a'])).toBe('[1,null,"a"]');
  });

  it('survives a JSON round trip unchanged', () => {
    const value = { at: new Date('2019-11-29T18:00:00Z'), list: [{ b: 2, a: 1 }], gone: undefined };
    expect(canonicalJson(JSON.parse(JSON.stringify(value)))).toBe(canonicalJson(value));
  });

  it('gives a value written with its keys in order and read back (the quick way) the text of the value itself', () => {
    const key = fc.oneof(fc.string({ maxLength: 6 }), fc.nat(40).map(String), fc.constantFrom('__proto__', 'constructor', 'toJSON', 'é', 'Z', 'a'));
    const { value } = fc.letrec((tie) => ({
      value: fc.oneof({ depthSize: 'small' }, fc.string(), fc.double(), fc.boolean(), fc.constant(null), fc.array(tie('value'), { maxLength: 4 }), fc.dictionary(key, tie('value'), { maxKeys: 5 })),
    }));
    fc.assert(
      fc.property(value, (original) => {
        const text = JSON.stringify(original, keysInOrder);
        if (text === undefined) return;
        expect(canonicalJson(JSON.parse(text))).toBe(canonicalJson(original));
      }),
      { numRuns: 500 },
    );
  });

  it('takes the quick way only where JSON.stringify gives the canonical text', () => {
    expect(canonicalJson({ 10: 'a', 2: 'b' })).toBe('{"10":"a","2":"b"}');
    expect(canonicalJson(Object.assign(Object.create(null), { a: 1, b: [-0, 1e21] }))).toBe('{"a":1,"b":[0,1e+21]}');
    expect(canonicalJson({ a: Object('xy') })).toBe('{"a":{"0":"x","1":"y"}}');
    expect(canonicalJson({ a: { toJSON: () => ({ z: 1, y: 2 }) } })).toBe('{"a":{"y":2,"z":1}}');
    expect(canonicalJson({ a: [Number.NaN, undefined, () => 1], b: undefined })).toBe('{"a":[null,null,null]}');
    expect(canonicalJson({ a: new Date('2019-11-29T18:00:00Z') })).toBe('{"a":"2019-11-29T18:00:00.000Z"}');
  });
});

describe('sealEntry', () => {
  it('numbers from 1, links to the previous hash and hashes the content', () => {
    const chain = chainOf(3);
    expect(chain.map((entry) => entry.seq)).toEqual([1, 2, 3]);
    expect(chain[0]!.prevHash).toBe(GENESIS_HASH);
    expect(chain[1]!.prevHash).toBe(chain[0]!.hash);
    expect(chain[2]!.prevHash).toBe(chain[1]!.hash);
    for (const entry of chain) expect(AuditEntry.parse(entry)).toEqual(entry);
  });

  it('does not mutate the chain it is given', () => {
    const chain = chainOf(2);
    const copy = structuredClone(chain);
    sealEntry(chain, unsealed(3));
    expect(chain).toEqual(copy);
  });

  it('ignores stray seq, prevHash and hash on the entry it is given', () => {
    const stray = { ...unsealed(1), seq: 42, prevHash: 'f'.repeat(64), hash: 'e'.repeat(64) } as UnsealedAuditEntry;
    expect(sealEntry([], stray)).toEqual(sealEntry([], unsealed(1)));
  });
});

describe('verifyChain', () => {
  it('accepts an empty chain with the genesis head', () => {
    expect(verifyChain([])).toEqual({ ok: true, entries: 0, head: GENESIS_HASH });
  });

  it('accepts a sealed chain, also after a JSON round trip, and reports its head', () => {
    const chain = chainOf(5);
    const fromDisk = JSON.parse(JSON.stringify(chain)) as AuditEntry[];
    expect(verifyChain(fromDisk)).toEqual({ ok: true, entries: 5, head: chain[4]!.hash });
  });

  it('names an edited entry', () => {
    const chain = chainOf(6);
    chain[3] = { ...chain[3]!, outcome: 'refused' };
    expect(failure(chain)).toEqual({
      ok: false,
      seq: 4,
      index: 3,
      problem: 'edited',
      message: 'Entry 4 was edited: its content no longer matches its hash.',
    });
  });

  it('names an entry whose nested before/after value was edited', () => {
    const chain = chainOf(3);
    (chain[1]!.after as { n: number }).n = 99;
    expect(failure(chain)).toMatchObject({ seq: 2, problem: 'edited' });
  });

  it('names the first missing entry when one is removed', () => {
    const chain = chainOf(6);
    chain.splice(2, 1);
    const verdict = failure(chain);
    expect(verdict).toMatchObject({ seq: 3, index: 2, problem: 'removed' });
    expect(verdict.message).toBe('Entry 3 was removed: entry 4 comes straight after entry 2.');
  });

  it('names the first of several removed entries, and a removed first entry', () => {
    const chain = chainOf(8);
    expect(failure([...chain.slice(0, 2), ...chain.slice(5)])).toMatchObject({ seq: 3, problem: 'removed', message: expect.stringContaining('Entries 3 to 5 were removed') });
    expect(failure(chain.slice(1))).toMatchObject({ seq: 1, index: 0, problem: 'removed' });
  });

  it('names an entry moved out of order', () => {
    const chain = chainOf(6);
    [chain[2], chain[3]] = [chain[3]!, chain[2]!];
    const verdict = failure(chain);
    expect(verdict).toMatchObject({ seq: 4, index: 2, problem: 'reordered' });
    expect(verdict.message).toBe('Entry 4 is out of order: it comes before entry 3.');
  });

  it('names an entry moved out of order at the end of the chain', () => {
    const chain = chainOf(5);
    [chain[3], chain[4]] = [chain[4]!, chain[3]!];
    expect(failure(chain)).toMatchObject({ seq: 5, index: 3, problem: 'reordered' });
  });

  it('names an entry moved backwards', () => {
    const chain = chainOf(6);
    const [moved] = chain.splice(1, 1);
    chain.splice(4, 0, moved!);
    expect(failure(chain)).toMatchObject({ seq: 3, index: 1, problem: 'reordered' });
  });

  it('names a forged entry inserted with its own valid hash', () => {
    const chain = chainOf(5);
    const forged = sealEntry(chain.slice(0, 2), unsealed(99, { command: '/release decide go' }));
    chain.splice(2, 0, forged);
    const verdict = failure(chain);
    expect(verdict).toMatchObject({ seq: 3, index: 2, problem: 'inserted' });
    expect(verdict.message).toContain('inserted at position 3');
  });

  it('names a copy of an entry inserted further on', () => {
    const chain = chainOf(5);
    chain.splice(3, 0, chain[1]!);
    expect(failure(chain)).toMatchObject({ seq: 2, index: 3, problem: 'inserted' });
  });

  it('names an inserted entry with an out-of-sequence number', () => {
    const chain = chainOf(4);
    const forged = { ...sealEntry([], unsealed(7)), seq: 7 };
    chain.splice(2, 0, forged);
    expect(failure(chain)).toMatchObject({ seq: 7, index: 2, problem: 'inserted' });
  });

  it('reports the first problem when there are several', () => {
    const chain = chainOf(8);
    chain[5] = { ...chain[5]!, command: 'changed' };
    chain.splice(2, 1);
    expect(failure(chain)).toMatchObject({ seq: 3, problem: 'removed' });
  });
});

describe('verifyChain, over many chains', () => {
  const sized = fc.integer({ min: 2, max: 30 }).chain((length) => fc.tuple(fc.constant(length), fc.nat(length - 1), fc.nat(length - 1)));

  it('names the entry whose content was edited', () => {
    fc.assert(
      fc.property(sized, ([length, k]) => {
        const chain = chainOf(length);
        chain[k] = { ...chain[k]!, command: `${chain[k]!.command} (changed)` };
        expect(failure(chain)).toMatchObject({ seq: k + 1, index: k, problem: 'edited' });
      }),
    );
  });

  it('names the first missing seq when an entry other than the last is removed', () => {
    fc.assert(
      fc.property(sized, ([length, k]) => {
        fc.pre(k < length - 1);
        const chain = chainOf(length);
        chain.splice(k, 1);
        expect(failure(chain)).toMatchObject({ seq: k + 1, index: k, problem: 'removed' });
      }),
    );
  });

  it('names the earlier of two swapped entries as out of order', () => {
    fc.assert(
      fc.property(sized, ([length, a, b]) => {
        fc.pre(a !== b);
        const [i, j] = a < b ? [a, b] : [b, a];
        const chain = chainOf(length);
        [chain[i], chain[j]] = [chain[j]!, chain[i]!];
        expect(failure(chain)).toMatchObject({ seq: j + 1, index: i, problem: 'reordered' });
      }),
    );
  });

  it('names a copy of an entry inserted anywhere before the end, next to its original or not', () => {
    fc.assert(
      fc.property(sized, ([length, from, to]) => {
        const chain = chainOf(length);
        chain.splice(to, 0, chain[from]!);
        expect(failure(chain)).toMatchObject({ seq: from + 1, problem: 'inserted' });
      }),
    );
  });
});

describe('exportJsonl', () => {
  it('writes one canonical entry per line that parses back to the chain', () => {
    const chain = chainOf(3);
    const text = exportJsonl(chain);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe(canonicalJson(chain[0]));
    const back = lines.map((line) => AuditEntry.parse(JSON.parse(line)));
    expect(back).toEqual(chain);
    expect(verifyChain(back)).toMatchObject({ ok: true, entries: 3 });
  });

  it('is empty for an empty chain', () => {
    expect(exportJsonl([])).toBe('');
  });
});

describe('exportCsv', () => {
  it('has the header row and one row per entry, CRLF-terminated', () => {
    const chain = chainOf(2);
    const lines = exportCsv(chain).split('\r\n');
    expect(lines[0]).toBe('seq,at,actor,platform,command,outcome,reason,before,after,prevHash,hash');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines[1]).toBe(
      ['1', chain[0]!.at, 'U-alice', 'slack', '/release confirm 1 met', 'applied', '', '"{""answer"":null}"', '"{""answer"":""met"",""n"":1}"', GENESIS_HASH, chain[0]!.hash].join(','),
    );
  });

  it('quotes commas, quotes and newlines, doubling quotes', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "go"')).toBe('"say ""go"""');
    expect(csvCell('two\nlines')).toBe('"two\nlines"');
    expect(csvCell('cr\rhere')).toBe('"cr\rhere"');
  });

  it('neutralises cells a spreadsheet would run as formulas', () => {
    expect(csvCell('=HYPERLINK("http://evil")')).toBe(`"'=HYPERLINK(""http://evil"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-2')).toBe("'-2");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a=b')).toBe('a=b');
  });

  it('applies quoting and neutralising to user text in a whole export', () => {
    const chain = [sealEntry([], unsealed(1, { command: '=cmd|" /C calc"!A0', reason: 'late, "again"' }))];
    const row = exportCsv(chain).split('\r\n')[1]!;
    expect(row).toContain(`"'=cmd|"" /C calc""!A0"`);
    expect(row).toContain('"late, ""again"""');
  });
});
