import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';

// CPU time of one process, read from /proc (Linux): user + system, threads included.

const TICK_MS = 10; // USER_HZ is 100 on Linux.

/** CPU milliseconds `pid` has used so far. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces; the fields after it are space-separated, utime and stime 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
}

/**
 * Resolves once `pid` used less than `quietMs` of CPU in each of QUIET_SECONDS seconds in a row
 * (its work after start done: the store's verification sweep reads every release's log), or after
 * `atMostMs`; with how long it took. One quiet second was not enough: the sweep starts two seconds
 * after the store opens, and the second before it is quiet, so the figures that followed had the
 * sweep in them (five seconds of it on PostgreSQL).
 */
export async function untilIdle(pid: number, quietMs = 30, atMostMs = 120_000): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  for (;;) {
    const before = await cpuMs(pid);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    quiet = (await cpuMs(pid)) - before < quietMs ? quiet + 1 : 0;
    if (quiet >= QUIET_SECONDS || performance.now() - started > atMostMs) return performance.now() - started;
  }
}

const QUIET_SECONDS = 3;
