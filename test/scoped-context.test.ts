import { executionAsyncId } from 'node:async_hooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScopedContext } from '../store/postgres/scoped-context.js';
import { openPostgresStore } from '../store/postgres/postgres-store.js';
import type { Store } from '../src/app/store-port.js';
import { entryAfter, message, release, slack } from './support/port-records.js';
import { forEachTarget, type TestSchema } from './support/postgres.js';

// A transaction's context is found in the functions it runs, and costs the rest of the process
// nothing once no transaction is open: Node then gives promise continuations no async ids of their
// own (documented: they are tracked only while a hook asks), which is what this file looks at.

/** Whether V8 is calling a hook for every promise: each continuation then has an async id of its own. */
async function promisesHooked(): Promise<boolean> {
  await null;
  const first = executionAsyncId();
  await null;
  return executionAsyncId() !== first;
}

describe('a scoped context', () => {
  it('is found across awaits inside its run, by that run only, and not once it is over', async () => {
    const context = new ScopedContext<{ name: string; open: boolean }>();
    let openGate!: () => void;
    const gate = new Promise<void>((resolve) => (openGate = resolve));
    let stray: Promise<string | undefined> | undefined;
    const seen: Array<string | undefined> = [];
    const run = (name: string) =>
      context.run({ name, open: true }, async () => {
        await null;
        seen.push(context.current()?.name);
        await new Promise((resolve) => setImmediate(resolve));
        seen.push(context.current()?.name);
        // A reaction that runs after its scope closed, in the context it was made in.
        stray ??= gate.then(() => context.current()?.name);
      });
    const outside = (async () => {
      await null;
      return context.current();
    })();
    await Promise.all([run('a'), run('b')]);
    expect(seen.sort()).toEqual(['a', 'a', 'b', 'b']);
    expect(await outside).toBeUndefined();
    expect(context.current()).toBeUndefined();
    // A callback that outlived its scope finds nothing, even while another scope is open.
    await context.run({ name: 'c', open: true }, async () => {
      openGate();
      expect(await stray).toBeUndefined();
      expect(context.current()?.name).toBe('c');
    });
  });

  it('has promises hooked while a scope is open and not after the last one closes, however it ended', async () => {
    const context = new ScopedContext<{ open: boolean }>();
    expect(await promisesHooked()).toBe(false);
    let release!: () => void;
    const held = context.run({ open: true }, () => new Promise<void>((resolve) => (release = resolve)));
    const failing = context.run({ open: true }, async () => {
      await null;
      throw new Error('fn failed');
    });
    await expect(failing).rejects.toThrow('fn failed');
    // One scope is still open.
    expect(await promisesHooked()).toBe(true);
    release();
    await held;
    expect(await promisesHooked()).toBe(false);
    // And again for the next scope.
    await context.run({ open: true }, async () => expect(await promisesHooked()).toBe(true));
    expect(await promisesHooked()).toBe(false);
  });
});

forEachTarget('the PostgreSQL store and its transactions', (target) => {
  let schema: TestSchema;
  let store: Store;

  beforeEach(async () => {
    schema = await target.schema();
    store = await openPostgresStore(await schema.db(), { closeDb: false });
  });

  afterEach(async () => {
    await store.close();
    await schema.drop();
  });

  it("hook promises inside a write's function and no longer once the write is done", async () => {
    const state = release('rel-1', { channels: [slack('C1')] });
    await store.create(state, entryAfter(undefined, state, { command: 'create rel-1' }), [message('m-1')]);
    let hookedInFn: boolean | undefined;
    await store.transact('rel-1', async (current) => {
      hookedInFn = await promisesHooked();
      return { append: [entryAfter(current.head, current.release, { request: 'req-1' })], result: undefined };
    });
    expect(hookedInFn).toBe(true);
    expect(await promisesHooked()).toBe(false);
    expect((await store.get('rel-1'))?.head?.seq).toBe(2);
    expect(await promisesHooked()).toBe(false);
  });
});
