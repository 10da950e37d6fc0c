import { benchAuditVerify } from './audit-verify.js';
import { benchStoreWrites } from './store-write.js';
import { benchAnswerPath } from './answer-path.js';
import { benchStartupVerify } from './startup-verify.js';
import { benchRefusalFlood } from './refusal-flood.js';
import { benchSchedulerTick } from './scheduler-tick.js';
import { benchConfirmAtScale } from './confirm-at-scale.js';
import { benchHealthzUnderWrites } from './healthz-under-writes.js';
import { benchPlatforms } from './platforms.js';

await benchStoreWrites();
await benchAuditVerify();
await benchAnswerPath();
await benchStartupVerify();
await benchRefusalFlood();
await benchSchedulerTick();
await benchConfirmAtScale();
await benchHealthzUnderWrites();
// Last: golive against the bare platform SDKs, printed as tables and written to bench/results.json.
await benchPlatforms();
