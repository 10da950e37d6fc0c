import { benchAuditVerify } from './audit-verify.js';
import { benchStoreWrites } from './store-write.js';
import { benchAnswerPath } from './answer-path.js';

await benchStoreWrites();
await benchAuditVerify();
await benchAnswerPath();
