/**
 * Runs `pass` one at a time: a call made while one runs waits for it, then runs its own. What a
 * waiter waits on is the whole pass, settled only once its caller is done with it: a waiter that
 * re-checked a promise already settled while the caller still worked would spin on microtasks and
 * starve everything else, that work included.
 */
export function serialPasses<T>(pass: () => Promise<T>): { run(): Promise<T>; busy(): boolean; settled(): Promise<void> } {
  let current: Promise<T> | undefined;
  return {
    async run() {
      while (current) await current.catch(() => undefined);
      const started = pass();
      current = started;
      try {
        return await started;
      } finally {
        if (current === started) current = undefined;
      }
    },
    busy: () => current !== undefined,
    async settled() {
      while (current) await current.catch(() => undefined);
    },
  };
}
