import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a call's timestamp may be from golive's clock: a captured call cannot be replayed later. */
export const HOOK_TOLERANCE_MS = 5 * 60_000;

/** `sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>`: what a caller sends in X-Golive-Signature. */
export function signHook(secret: string, timestamp: string, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks both headers against the raw body and the clock; the digests are compared in constant time. */
export function checkHookSignature(secret: string, timestamp: string | undefined, signature: string | undefined, body: Buffer, now: Date): SignatureCheck {
  if (timestamp === undefined || signature === undefined) return { ok: false, reason: 'X-Golive-Timestamp and X-Golive-Signature are both required' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'X-Golive-Timestamp must be the time in whole seconds since 1970 (Unix time)' };
  if (Math.abs(Number(timestamp) * 1000 - now.getTime()) > HOOK_TOLERANCE_MS) return { ok: false, reason: "X-Golive-Timestamp is more than 5 minutes from golive's clock" };
  const expected = Buffer.from(signHook(secret, timestamp, body));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'X-Golive-Signature does not match the body: expected sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>"> under GOLIVE_HOOK_SECRET' };
  return { ok: true };
}
