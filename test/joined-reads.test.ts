import { describe, expect, it } from 'vitest';
import { JoinedReads } from '../store/postgres/joined-reads.js';

// Reads shared by callers asking at once, none answered with a read sent before it asked.

/** A read whose answer the test gives, noting when it was sent. */
function reads() {
  const sent: Array<{ answer: (value: string) => void; fail: (error: Error) => void }> = [];
  const read = () =>
    new Promise<string>((answer, fail) => {
      sent.push({ answer, fail });
    });
  return { sent, read };
}

const settledNow = async <T>(promise: Promise<T>) => {
  let state: 'pending' | 'settled' = 'pending';
  void promise.then(
    () => (state = 'settled'),
    () => (state = 'settled'),
  );
  await new Promise((resolve) => setImmediate(resolve));
  return state;
};

describe('JoinedReads', () => {
  it('sends a caller alone its own read at once', async () => {
    const joined = new JoinedReads<string>();
    const { sent, read } = reads();
    const first = joined.read('k', read);
    expect(sent).toHaveLength(1);
    sent[0]!.answer('v1');
    expect(await first).toBe('v1');
    const second = joined.read('k', read);
    expect(sent).toHaveLength(2);
    sent[1]!.answer('v2');
    expect(await second).toBe('v2');
  });

  it('callers who come while a read is on its way share the next one, sent only once that one is back', async () => {
    const joined = new JoinedReads<string>();
    const { sent, read } = reads();
    const a = joined.read('k', read);
    const b = joined.read('k', read);
    const c = joined.read('k', read);
    // B and C asked after A's read was sent: it may be older than their question, so they wait for another.
    expect(sent).toHaveLength(1);
    sent[0]!.answer('before b and c asked');
    expect(await a).toBe('before b and c asked');
    expect(await settledNow(b)).toBe('pending');
    expect(sent).toHaveLength(2);
    sent[1]!.answer('after b and c asked');
    expect(await b).toBe('after b and c asked');
    expect(await c).toBe('after b and c asked');
    expect(sent).toHaveLength(2);
  });

  it('a failed read fails those who shared it, and the next caller gets a read of its own', async () => {
    const joined = new JoinedReads<string>();
    const { sent, read } = reads();
    const a = joined.read('k', read);
    const b = joined.read('k', read);
    const c = joined.read('k', read);
    sent[0]!.answer('a');
    await a;
    sent[1]!.fail(new Error('connection lost'));
    await expect(b).rejects.toThrow('connection lost');
    await expect(c).rejects.toThrow('connection lost');
    const d = joined.read('k', read);
    expect(sent).toHaveLength(3);
    sent[2]!.answer('d');
    expect(await d).toBe('d');
  });

  it('a read that throws before it is sent fails its callers the same way', async () => {
    const joined = new JoinedReads<string>();
    await expect(
      joined.read('k', () => {
        throw new Error('bad parameters');
      }),
    ).rejects.toThrow('bad parameters');
    const { sent, read } = reads();
    const next = joined.read('k', read);
    sent[0]!.answer('fine');
    expect(await next).toBe('fine');
  });

  it('keys do not share, whatever their names', async () => {
    const joined = new JoinedReads<string>();
    const { sent, read } = reads();
    const one = joined.read('__proto__', read);
    const other = joined.read('constructor', read);
    expect(sent).toHaveLength(2);
    sent[1]!.answer('constructor');
    sent[0]!.answer('proto');
    expect([await one, await other]).toEqual(['proto', 'constructor']);
  });

  it('the next read is made the way the latest caller asked', async () => {
    const joined = new JoinedReads<string>();
    const { sent, read } = reads();
    const a = joined.read('k', read);
    const b = joined.read('k', async () => 'the second way');
    sent[0]!.answer('first');
    await a;
    expect(await b).toBe('the second way');
  });
});
