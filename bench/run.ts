import { benchAuditVerify } from './audit-verify.js';
import { benchStoreWrites } from './store-write.js';

await benchStoreWrites();
await benchAuditVerify();
