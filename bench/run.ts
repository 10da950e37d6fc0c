import { benchAuditVerify } from './audit-verify.js';
import { benchStoreWrites } from './store-write.js';
import { benchAnswerPath } from './answer-path.js';
import { benchStartupVerify } from './startup-verify.js';
import { benchRefusalFlood } from './refusal-flood.js';
import { benchSchedulerTick } from './scheduler-tick.js';
import { benchConfirmAtScale } from './confirm-at-scale.js';
import { benchHealthzUnderWrites } from './healthz-under-writes.js';
import { benchPlatforms } from './platforms.js';
import { machine, saveResults } from './results.js';
import { BURST_WRITES, CONFIRMS, QUICK, REQUESTS, START_RUNS } from './settings.js';

// The machine as the run begins: its load average says whether something else was running.
const ranOn = machine();
const settings = { quick: QUICK, requests: REQUESTS, startRuns: START_RUNS, confirms: CONFIRMS.join(' / '), burstWrites: BURST_WRITES };
console.log(`npm run bench${QUICK ? ' (GOLIVE_BENCH_QUICK=1: fewer requests and runs, rougher figures)' : ''} on ${JSON.stringify(ranOn)}`);
try {
  await benchStoreWrites();
  await benchAuditVerify();
  await benchAnswerPath();
  await benchStartupVerify();
  await benchRefusalFlood();
  await benchSchedulerTick();
  await benchConfirmAtScale();
  await benchHealthzUnderWrites();
  // Last: golive against the bare platform SDKs on the seeded store, on JSON and PostgreSQL.
  await benchPlatforms();
} finally {
  // Whatever was measured before a failure is kept, with the budgets judged so far.
  console.log(`\nfigures written to ${await saveResults(ranOn, settings)}`);
}
