import { AsyncLocalStorage } from 'node:async_hooks';

// The store needs to know, in a function it runs inside a transaction, that it is there (a read
// goes to the transaction's connection, a nested write is refused). AsyncLocalStorage tells it, but
// on Node 20 using it once has V8 call a hook for every promise the process makes from then on:
// measured, a promise cost 2.5 times as much, and every status on PostgreSQL paid it (Bolt, the
// Agents SDK and pg are promises throughout), though a status opens no transaction. So it is
// enabled only while a scope is open, and disabled again when the last one closes; requests
// handled meanwhile pay, the others do not.

/** Where a function runs inside a scope: each is given its own, and nothing else sees it. */
export class ScopedContext<S extends { open: boolean }> {
  private readonly storage = new AsyncLocalStorage<S>();
  private running = 0;

  /** The open scope the caller runs in, if any (a stray callback that outlived its scope gets none). */
  current(): S | undefined {
    if (this.running === 0) return undefined;
    const scope = this.storage.getStore();
    return scope?.open ? scope : undefined;
  }

  /** Runs `fn` in `scope`; the scope is closed when `fn` settles. */
  async run<T>(scope: S, fn: () => T | Promise<T>): Promise<T> {
    this.running += 1;
    try {
      return await this.storage.run(scope, fn);
    } finally {
      scope.open = false;
      this.running -= 1;
      // Every scope closed: nothing is left to find, and the promise hook goes with the storage.
      if (this.running === 0) this.storage.disable();
    }
  }
}
