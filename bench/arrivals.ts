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
  // Waiters by key, oldest first. Two requests can wait on one key at once (a Teams person's
  // personal chat): a slow request is still in flight when the workers have gone round the people
  // and sent that person another. Each arrival answers the oldest; none replaces another's waiter,
  // which left the slow request waiting for an answer already taken.
  private readonly waiting = new Map<string, Array<(arrival: Arrival) => void>>();

  constructor(private readonly timeoutMs = 15_000) {}

  /** Resolves when `arrived(key)` is called (any one of `keys`). */
  expect(...keys: string[]): Promise<Arrival> {
    return new Promise((resolve, reject) => {
      const forget = () => {
        for (const key of keys) {
          const queue = this.waiting.get(key)?.filter((waiter) => waiter !== done);
          if (queue && queue.length > 0) this.waiting.set(key, queue);
          else this.waiting.delete(key);
        }
      };
      const timer = setTimeout(() => {
        forget();
        reject(new Error(`no answer reached the fake API for ${keys.join(' or ')} within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      const done = (arrival: Arrival) => {
        clearTimeout(timer);
        forget();
        resolve(arrival);
      };
      for (const key of keys) this.waiting.set(key, [...(this.waiting.get(key) ?? []), done]);
    });
  }

  arrived(key: string | undefined, text: string): void {
    if (key === undefined) return;
    this.waiting.get(key)?.[0]?.({ at: performance.now(), text });
  }
}

/**
 * Calls `seen` with every item pushed onto `calls` (the fakes record each request that way), as it
 * arrives; `keep: false` records none of them. The side-by-side runs keep none: golive's answers
 * are cards and block lists of kilobytes, the bare apps' a line, and two thousand of them held by
 * this process (which shares the machine) made its collector work during golive's turns only.
 */
export function onPush<T>(calls: T[], seen: (item: T) => void, { keep = true }: { keep?: boolean } = {}): void {
  const push = calls.push.bind(calls);
  calls.push = (...items: T[]) => {
    for (const item of items) seen(item);
    return keep ? push(...items) : calls.length;
  };
}
