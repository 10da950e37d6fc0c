import { performance } from 'node:perf_hooks';

/**
 * When an answer reached a fake platform API, by a key the benchmark chose (the Slack user, the
 * Teams conversation): a request's latency ends when the fake receives what it was answered with,
 * not when golive acknowledged it.
 */
export interface Arrival {
  /** performance.now() when the fake received it. */
  at: number;
  /** What it said, so a benchmark can tell an answer from an error message. */
  text: string;
}

export class Arrivals {
  private readonly waiting = new Map<string, { resolve: (arrival: Arrival) => void; timer: NodeJS.Timeout }>();

  constructor(private readonly timeoutMs = 15_000) {}

  /** Resolves when `arrived(key)` is called (any one of `keys`). */
  expect(...keys: string[]): Promise<Arrival> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        for (const key of keys) this.waiting.delete(key);
        reject(new Error(`no answer reached the fake API for ${keys.join(' or ')} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const done = (arrival: Arrival) => {
        clearTimeout(timer);
        for (const key of keys) this.waiting.delete(key);
        resolve(arrival);
      };
      for (const key of keys) this.waiting.set(key, { resolve: done, timer });
    });
  }

  arrived(key: string | undefined, text: string): void {
    if (key === undefined) return;
    this.waiting.get(key)?.resolve({ at: performance.now(), text });
  }
}

/** Calls `seen` with every item pushed onto `calls` (the fakes record each request that way), as it arrives. */
export function onPush<T>(calls: T[], seen: (item: T) => void): void {
  const push = calls.push.bind(calls);
  calls.push = (...items: T[]) => {
    for (const item of items) seen(item);
    return push(...items);
  };
}
