// How long `npm run bench` runs. GOLIVE_BENCH_QUICK=1 is for checking that it works: fewer
// requests and fewer runs, so its figures are rougher (a p99 of 200 samples is nearly the slowest).

export const QUICK = process.env.GOLIVE_BENCH_QUICK === '1';

/** Requests per contender and concurrency in the side-by-side runs. */
export const REQUESTS = Number(process.env.GOLIVE_BENCH_REQUESTS ?? (QUICK ? 200 : 2_000));

/** Process starts per case (empty, seeded) in the start-up figures; the median is reported. */
export const START_RUNS = QUICK ? 2 : 5;

/** Confirms timed at each history size (1,000 / 10,000 / 100,000 entries). */
export const CONFIRMS = QUICK ? [20, 20, 20] : [100, 100, 100];

/** Confirms in the write burst while /healthz is polled. */
export const BURST_WRITES = QUICK ? 10 : 20;
