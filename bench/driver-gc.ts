import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// The benchmark's own garbage collection, run between blocks of requests. The process that sends
// the requests (and hosts the fake platform APIs) collects its garbage too: left to itself, a full
// collection of its 15 ms landed in the middle of whichever server's block was running, and those
// sixteen requests in flight were that run's p99. Collected between blocks, its pauses fall on
// neither server's figures. Node exposes gc() only behind a flag: it is set for a context made now.

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** A full collection of this process's heap, now. */
export function collectGarbage(): void {
  gc();
}
