import { afterEach, describe, expect, it } from 'vitest';
import { GoliveApp } from '../src/app/app.js';
import { noGroups } from '../src/app/context.js';
import type { Store } from '../src/app/store-port.js';
import { verifyChain } from '../src/domain/audit.js';
import { Harness } from './support/golive.js';

// Two requests that arrive together on one release commit one after the other. The one that
// waited read the clock first, before the other's entry was written: it must still be recorded
// (stamped when its turn came), not refused as if golive's clock had gone back.

const SETUP = ['/release create "Nov" 2026-12-15 --template sec-release --id nov', '/release role DCC @dan', '/release role SECAS @sam'].join('\n');

/** The store, with its first transaction held back until a second one has committed. */
function reordering(store: Store): Store {
  let calls = 0;
  let secondDone: () => void = () => undefined;
  const second = new Promise<void>((resolve) => {
    secondDone = resolve;
  });
  return Object.assign(Object.create(store) as Store, {
    async transact<T>(id: string, fn: Parameters<Store['transact']>[1]): Promise<T> {
      const n = ++calls;
      if (n === 1) await second;
      try {
        return (await store.transact(id, fn)) as T;
      } finally {
        if (n === 2) secondDone();
      }
    },
  });
}

describe('requests that arrive together on one release', () => {
  let h: Harness | undefined;
  afterEach(async () => {
    await h?.close();
    h = undefined;
  });

  it('records both, in time order, when the one that arrived first commits second', async () => {
    h = await Harness.openWith(SETUP, '2026-11-30T09:00:00Z');
    const app = new GoliveApp({ store: reordering(h.store), clock: h.clock, directory: noGroups });
    const say = (who: string, text: string) => app.handle({ actor: { id: `console:${who}`, platform: 'console' }, channel: { platform: 'console', id: 'general' }, text });
    const [dan, sam] = await Promise.all([say('dan', '/release confirm code-ready met "built"'), say('sam', '/release confirm secas-ready met "ready"')]);
    const text = (r: Awaited<ReturnType<typeof say>>) => JSON.stringify(r.replies);
    expect(text(dan)).not.toContain('before the newest record');
    expect(text(sam)).not.toContain('before the newest record');
    const audit = await h.store.audit('nov');
    const answers = audit.filter((e) => e.command.includes('confirm'));
    expect(answers.map((e) => [e.actor.id, e.outcome])).toEqual([
      ['console:sam', 'applied'],
      ['console:dan', 'applied'],
    ]);
    expect(verifyChain(audit).ok).toBe(true);
    const dansAnswer = (await h.store.get('nov'))!.release.criteria.find((c) => c.id === 'code-ready')!.responses.at(-1)!;
    // The answer and its entry carry the one time the change was made at.
    expect(dansAnswer.at).toBe(answers[1]!.at);
    expect(Date.parse(answers[1]!.at)).toBeGreaterThanOrEqual(Date.parse(answers[0]!.at));
  });
});
