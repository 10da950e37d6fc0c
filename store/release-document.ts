import { z } from 'zod';
import { Release } from '../src/domain/release.js';
import { AuditEntry } from '../src/domain/audit-entry.js';
import { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { RefusalTally } from '../src/app/refusal-tally.js';

export const DOCUMENT_VERSION = 1;

/**
 * Version 1 of the JSON store's file for one release (releases/<id>.json): the release, its audit
 * chain, its outbox and its counted refusals in one document. The store no longer writes it: it
 * converts one at open (store/json/convert-v1.ts). Also the shape the benchmarks and tests build
 * whole records in.
 */
export const ReleaseDocument = z
  .object({
    version: z.literal(DOCUMENT_VERSION),
    release: Release,
    audit: z.array(AuditEntry),
    outbox: z.array(OutboxMessage).default([]),
    refusals: RefusalTally.optional(),
  })
  .strict();
export type ReleaseDocument = z.infer<typeof ReleaseDocument>;
