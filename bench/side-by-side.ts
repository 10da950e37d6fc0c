import { performance } from 'node:perf_hooks';
import { percentile } from './percentiles.js';
import { collectGarbage } from './driver-gc.js';
import { round, type Figure } from './results.js';

/** One server under measurement: `send(n)` sends request n and resolves when its answer reached the fake API. */
export interface Contender {
  name: string;
  send(n: number): Promise<void>;
}

export interface SideBySideOptions {
  requests: number;
  concurrency: number;
  /** Requests per turn: the contenders take turns, so both see the same machine. */
  block?: number;
}

interface Tally {
  samples: number[];
  busyMs: number;
}

/**
 * The same number of requests to each contender, interleaved a block at a time (this process
 * collecting its garbage before each), `concurrency` in flight: latency from sending to the answer reaching the fake API (p50, p99), requests per
 * second over each contender's own blocks, and each figure against the last contender (the bare one).
 */
export async function sideBySide(contenders: Contender[], options: SideBySideOptions): Promise<Figure[]> {
  const block = options.block ?? 100;
  const tallies = new Map<string, Tally>(contenders.map((c) => [c.name, { samples: [], busyMs: 0 }]));
  let serial = 0;
  for (let done = 0; done < options.requests; done += block) {
    const size = Math.min(block, options.requests - done);
    for (const contender of contenders) {
      const tally = tallies.get(contender.name)!;
      // This process's pauses, between blocks rather than in one (driver-gc.ts).
      collectGarbage();
      const started = performance.now();
      let next = 0;
      const worker = async () => {
        while (next < size) {
          next += 1;
          const n = ++serial;
          const sent = performance.now();
          await contender.send(n);
          tally.samples.push(performance.now() - sent);
        }
      };
      await Promise.all(Array.from({ length: Math.min(options.concurrency, size) }, worker));
      tally.busyMs += performance.now() - started;
    }
  }
  const figures = contenders.map((c) => {
    const { samples, busyMs } = tallies.get(c.name)!;
    return { name: c.name, p50: percentile(samples, 0.5), p99: percentile(samples, 0.99), rps: (samples.length * 1000) / busyMs, n: samples.length };
  });
  const bare = figures.at(-1)!;
  return figures.map((f) => ({
    server: f.name,
    concurrent: options.concurrency,
    requests: f.n,
    p50ms: round(f.p50),
    p99ms: round(f.p99),
    reqPerS: round(f.rps, 0),
    p50Ratio: round(f.p50 / bare.p50),
    p99Ratio: round(f.p99 / bare.p99),
  }));
}
