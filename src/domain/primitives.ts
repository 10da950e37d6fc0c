import { z } from 'zod';
import { dateTimeFormat } from './intl-formats.js';

// Identifiers reach the file system (release ids) or the command line (criterion, group ids),
// so they are slugs checked against one pattern everywhere.
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const Slug = z.string().regex(SLUG_PATTERN, 'must be lower-case letters, digits and dashes, starting with a letter or digit (at most 63)');

export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date written YYYY-MM-DD')
  .refine(isRealDate, 'is not a real calendar date');
export const ClockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time written HH:MM (24-hour)');
export const Instant = z.string().datetime({ offset: true, message: 'must be an ISO 8601 timestamp' });

export const Zone = z.string().min(1).refine(isKnownZone, 'is not an IANA time zone (for example Europe/London)');

// Platform user ids differ (Slack U123, Teams 29:1abc_…, console names), so a person is an opaque id;
// stored ids carry their platform as well (see person-id.ts), so there is room for both.
export const UserId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:@_-]{0,255}$/, 'is not a valid user id');
export type UserId = z.infer<typeof UserId>;

// 'hook' is a signed webhook call (adapters/hooks): a feature-flag system or tracker, never a person.
// 'golive' is golive itself acting on its schedule (the scheduler's sealed writes), never a person.
export const Platform = z.enum(['console', 'slack', 'teams', 'hook', 'golive']);
export type Platform = z.infer<typeof Platform>;

export const HttpUrl = z
  .string()
  .max(2000)
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http:// or https:// link');

export const SwitchState = z.enum(['on', 'off']);
export type SwitchState = z.infer<typeof SwitchState>;

export function isRealDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isKnownZone(zone: string): boolean {
  try {
    dateTimeFormat('en-GB', { timeZone: zone });
    return zone.includes('/') || zone === 'UTC';
  } catch {
    return false;
  }
}
