import { spawnSync } from 'node:child_process';
import { collectGarbage } from './driver-gc.js';
import { admin, postgresServer } from './postgres-bench-store.js';

// What a stage leaves behind falls in the next one's timed window unless it is let finish first: the
// garbage of its records in this process (golive is served in-process here), the files the seeding
// wrote, not yet on disk, and the database server's dirty pages (a 100,000-entry release copied in
// and dropped). Run once a store is seeded and open, before timing: after the PostgreSQL confirms at
// scale, the JSON folder's /healthz idle p99 was 14-24 ms and a confirm in its burst took 45 ms of
// CPU; settled first, 4-6 ms and 29 ms.

let checkpointProblem: string | undefined;

/** The benchmark's garbage collected, written files flushed, and (where there is one) the database server checkpointed. */
export async function settle(): Promise<void> {
  collectGarbage();
  spawnSync('sync');
  if ((await postgresServer.unavailable?.()) !== undefined || checkpointProblem !== undefined) return;
  try {
    await admin('CHECKPOINT');
  } catch (error) {
    // A role without the right to checkpoint: said once, and measured unsettled.
    checkpointProblem = error instanceof Error ? error.message : String(error);
    console.log(`  (the database server was not checkpointed before timing: ${checkpointProblem}; its background writes may fall in the figures)`);
  }
}
