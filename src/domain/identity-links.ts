import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { AuditEntry } from './audit-entry.js';
import { Instant, UserId } from './primitives.js';

// One person on two platforms: `whoami link` on one gives a one-time code that, typed on the
// other, links the two identities. The record is an audit chain of its own (the same entries as
// a release's), so a link nobody made cannot be slipped into the file.

export const LINK_CODE_TTL_MS = 10 * 60_000;
/** Wrong codes a person may type in one code lifetime before they must wait. */
export const MAX_WRONG_CODES = 5;

const Hash = z.string().regex(/^[0-9a-f]{64}$/);
const Pair = z.tuple([UserId, UserId]);

/** What each entry of the identity record changed: a code issued, two identities linked or unlinked. */
export const IdentityChange = z.union([
  z.object({ code: z.object({ hash: Hash, expiresAt: Instant }).strict() }).strict(),
  z.object({ linked: Pair, code: Hash }).strict(),
  z.object({ unlinked: Pair }).strict(),
]);
export type IdentityChange = z.infer<typeof IdentityChange>;

// No 0/O or 1/I/L: a code is read off one screen and typed on another.
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';

export function formatCode(pick: (max: number) => number): string {
  let code = '';
  for (let i = 0; i < 8; i++) code += ALPHABET[pick(ALPHABET.length)];
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/** What people type, in any case, with or without the dash and spaces. */
export function normaliseCode(typed: string): string {
  return typed.toUpperCase().replace(/[\s-]/g, '');
}

/** Only the hash of a code is kept, so reading the file does not give anyone a working code. */
export function codeHash(typed: string): string {
  return createHash('sha256')
    .update(`golive-link-code:${normaliseCode(typed)}`, 'utf8')
    .digest('hex');
}

interface PendingCode {
  issuer: string;
  expiresAt: number;
}

/** The links in force and the codes still open, rebuilt from the record. */
export class IdentityLinks {
  private readonly partner = new Map<string, Set<string>>();
  private readonly codes = new Map<string, PendingCode>();
  private readonly latestCode = new Map<string, string>();
  private readonly used = new Set<string>();

  static replay(entries: readonly AuditEntry[]): IdentityLinks {
    const links = new IdentityLinks();
    for (const entry of entries) if (entry.outcome === 'applied') links.apply(entry.actor.id, IdentityChange.parse(entry.after));
    return links;
  }

  apply(actor: string, change: IdentityChange): void {
    if ('code' in change && !('linked' in change)) {
      const previous = this.latestCode.get(actor);
      // A new code replaces the person's older one: only the code last shown works.
      if (previous) this.codes.delete(previous);
      this.codes.set(change.code.hash, { issuer: actor, expiresAt: Date.parse(change.code.expiresAt) });
      this.latestCode.set(actor, change.code.hash);
    } else if ('linked' in change) {
      this.codes.delete(change.code);
      this.used.add(change.code);
      const [a, b] = change.linked;
      this.edge(a).add(b);
      this.edge(b).add(a);
    } else {
      const [a, b] = change.unlinked;
      this.partner.get(a)?.delete(b);
      this.partner.get(b)?.delete(a);
    }
  }

  /** The person and every identity linked to them, directly or through another link. */
  aliases(id: string): string[] {
    const seen = new Set([id]);
    const queue = [id];
    while (queue.length > 0) {
      for (const next of this.partner.get(queue.pop()!) ?? []) {
        if (!seen.has(next)) {
          seen.add(next);
          queue.push(next);
        }
      }
    }
    return [...seen];
  }

  /** Who issued the code, if it is open at `now`; `used` when it was already typed once. */
  lookup(hash: string, now: Date): { issuer: string } | 'used' | 'expired' | undefined {
    if (this.used.has(hash)) return 'used';
    const code = this.codes.get(hash);
    if (!code) return undefined;
    return now.getTime() > code.expiresAt ? 'expired' : { issuer: code.issuer };
  }

  /** Every link in force, each once, in a stable order: what the record's state hash covers. */
  pairs(): [string, string][] {
    const result: [string, string][] = [];
    for (const [a, others] of this.partner) for (const b of others) if (a < b) result.push([a, b]);
    return result.sort((x, y) => (x[0] === y[0] ? x[1].localeCompare(y[1]) : x[0].localeCompare(y[0])));
  }

  private edge(id: string): Set<string> {
    let set = this.partner.get(id);
    if (!set) {
      set = new Set();
      this.partner.set(id, set);
    }
    return set;
  }
}
