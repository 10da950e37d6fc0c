import type { OutboxMessage } from '../src/app/delivery/outbox-message.js';
import { recipientPlatform } from '../src/app/delivery/outbox-message.js';
import { StoreError, type ClaimRequest, type EndClaims } from '../src/app/store-port.js';
import { Platform } from '../src/domain/primitives.js';

// The arguments of claimDue, lease and Commit.endClaims, checked the same way by every store
// before anything is read or written: a bad one is refused with a StoreError saying what is wrong.

export const MAX_CLAIM_LIMIT = 1000;
/** A lease or claim longer than a day would keep a dead process's work from everyone for that long. */
export const MAX_LEASE_MS = 86_400_000;
const MAX_HOLDER = 200;
const MAX_LEASE_NAME = 100;

export interface CheckedClaim {
  holder: string;
  leaseMs: number;
  platforms: Set<Platform>;
}

export function checkClaim(now: Date, limit: number, claim: ClaimRequest): CheckedClaim {
  checkNow(now, 'claimDue');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CLAIM_LIMIT) throw new StoreError(`claimDue: the limit must be a whole number from 1 to ${MAX_CLAIM_LIMIT}, not ${describe(limit)}`);
  if (typeof claim !== 'object' || claim === null) throw new StoreError('claimDue: say who claims (holder), for how long (leaseMs) and for which platforms');
  const holder = checkHolder(claim.holder, 'claimDue');
  const leaseMs = checkMs(claim.leaseMs, 'claimDue: the lease');
  if (!Array.isArray(claim.platforms)) throw new StoreError('claimDue: platforms must be a list of platforms');
  const platforms = new Set<Platform>();
  for (const platform of claim.platforms) {
    const parsed = Platform.safeParse(platform);
    if (!parsed.success) throw new StoreError(`claimDue: ${describe(platform)} is not a platform (${Platform.options.join(', ')})`);
    platforms.add(parsed.data);
  }
  return { holder, leaseMs, platforms };
}

export function checkLease(name: string, holder: string, now: Date, ms: number): void {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_LEASE_NAME) throw new StoreError(`lease: the name must be text of 1 to ${MAX_LEASE_NAME} characters, not ${describe(name)}`);
  checkHolder(holder, 'lease');
  checkNow(now, 'lease');
  checkMs(ms, 'lease: its length');
}

/** What a commit's endClaims asks, checked; undefined when it asks nothing. */
export function checkEndClaims(value: EndClaims | undefined, releaseId: string): EndClaims | undefined {
  if (value === undefined) return undefined;
  const where = `release "${releaseId}": endClaims`;
  if (typeof value !== 'object' || value === null) throw new StoreError(`${where} must say the holder and the message ids`);
  const holder = checkHolder(value.holder, where);
  if (!Array.isArray(value.messageIds) || value.messageIds.some((id) => typeof id !== 'string')) throw new StoreError(`${where}: messageIds must be a list of message ids`);
  return { holder, messageIds: [...value.messageIds] };
}

/** Whether a message is one claimDue may give out at `now` (claims aside). */
export function isClaimable(message: OutboxMessage, now: Date, platforms: ReadonlySet<Platform>): boolean {
  return message.status === 'pending' && (message.nextAttemptAt === undefined || Date.parse(message.nextAttemptAt) <= now.getTime()) && platforms.has(recipientPlatform(message.to));
}

function checkNow(now: Date, what: string): void {
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new StoreError(`${what}: now must be a valid Date`);
}

function checkHolder(holder: unknown, what: string): string {
  if (typeof holder !== 'string' || holder.trim().length === 0 || holder.length > MAX_HOLDER)
    throw new StoreError(`${what}: the holder must be text of 1 to ${MAX_HOLDER} characters, not ${describe(holder)}`);
  return holder;
}

function checkMs(ms: unknown, what: string): number {
  if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1 || ms > MAX_LEASE_MS)
    throw new StoreError(`${what} must be a whole number of milliseconds from 1 to ${MAX_LEASE_MS}, not ${describe(ms)}`);
  return ms;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 40)}…" (${value.length} characters)` : `"${value}"`;
  return value === undefined ? 'nothing' : String(value);
}
