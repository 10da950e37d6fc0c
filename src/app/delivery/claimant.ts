import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { DELIVERY_TIMEOUT_MS } from './chat-port.js';

/** Who claims outbox messages (Store.claimDue) and leases, and how long a claim on messages lasts. */
export interface Claimant {
  holder: string;
  leaseMs: number;
}

/**
 * How long a claim on outbox messages lasts: a replica that dies mid-delivery leaves its messages
 * to the others this long after it claimed them. It must exceed DELIVERY_TIMEOUT_MS by a margin
 * (see outbox.ts), so a delivery always ends while its claim still holds.
 */
export const OUTBOX_LEASE_MS = 60_000;

/**
 * A holder id: host, process id and a random part, so a restarted process, or a second golive in
 * one process (tests), is another holder. At most 200 characters, as the store allows.
 */
export function newHolder(): string {
  return `${hostname().slice(0, 150)}:${process.pid}:${randomBytes(6).toString('hex')}`;
}

/** A batch's deliveries start only while their claim outlasts the longest one by this much more. */
export const LEASE_MARGIN_MS = 5_000;

/** How long after claiming a batch its deliveries may still start: each then ends while the claim holds. */
export function startWindowMs(claimant: Claimant): number {
  return claimant.leaseMs - DELIVERY_TIMEOUT_MS - LEASE_MARGIN_MS;
}

export function assertLeaseOutlastsDelivery(claimant: Claimant): void {
  if (startWindowMs(claimant) <= 0) {
    throw new RangeError(`an outbox claim must last longer than ${DELIVERY_TIMEOUT_MS + LEASE_MARGIN_MS} ms (the longest delivery and a margin), not ${claimant.leaseMs} ms`);
  }
}

let ownClaimant: Claimant | undefined;

/** This process's holder, for deliveries not given one. */
export function processClaimant(): Claimant {
  ownClaimant ??= { holder: newHolder(), leaseMs: OUTBOX_LEASE_MS };
  return ownClaimant;
}
