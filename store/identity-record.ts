import { UserError, type Actor } from '../src/app/request.js';
import type { IdentityReading } from '../src/app/identity-port.js';
import { sealEntry, stateHashOf, verifyChain, type AuditKey } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';
import { codeHash, formatCode, IdentityLinks, LINK_CODE_TTL_MS, MAX_WRONG_CODES, normaliseCode, type IdentityChange } from '../src/domain/identity-links.js';
import { platformOf } from '../src/domain/person-id.js';

// The identity record's rules, whatever holds it (identities.json, or a table in PostgreSQL): how
// it is verified, and what each request adds to it. Holders read the record, ask this for the
// entry to append, write it, and only then take it in.

/** Why a record is not trusted, or undefined when it verifies: its chain, its key, and the links its last entry seals. */
export function identityProblem(entries: readonly AuditEntry[], key: AuditKey, where: string): string | undefined {
  const verdict = verifyChain(entries, key);
  if (!verdict.ok) return `The identity record fails verification at entry ${verdict.seq}: ${verdict.message}`;
  if (key !== undefined && entries.some((entry) => !entry.keyed)) {
    return `The identity record was written without GOLIVE_AUDIT_KEY, which is now set: anyone could have written it. Remove ${where} and link again.`;
  }
  const last = entries[entries.length - 1];
  if (last && last.stateHash !== stateHashOf(IdentityLinks.replay(entries).pairs())) {
    return `The identity record's last entry (${last.seq}) does not seal the links it leads to.`;
  }
  return undefined;
}

/** What a request adds to the record: the entry, and the refusal to give once it is written. */
export interface Step<T> {
  entry: AuditEntry;
  /** Set for a refused request: written to the record, then said to the person. */
  refused?: string;
  result: T;
}

/** A record read whole and verified; each request is planned against it as it stands. */
export class IdentityRecord {
  private links: IdentityLinks;

  constructor(
    private entries: AuditEntry[],
    readonly problem: string | undefined,
    private readonly key: AuditKey,
  ) {
    this.links = problem ? new IdentityLinks() : IdentityLinks.replay(entries);
  }

  get length(): number {
    return this.entries.length;
  }

  get head(): AuditEntry | undefined {
    return this.entries[this.entries.length - 1];
  }

  reading(): IdentityReading {
    const links = this.links;
    const head = this.head;
    return { aliases: (id) => links.aliases(id), problem: this.problem, entries: this.entries.length, ...(head && { head: head.hash }) };
  }

  /** The record with `entry` written after it. */
  after(entry: AuditEntry): IdentityRecord {
    return new IdentityRecord([...this.entries, entry], this.problem, this.key);
  }

  all(): readonly AuditEntry[] {
    return this.entries;
  }

  issue(actor: Actor, asked: Date, random: (max: number) => number, refreshNow?: () => Date): Step<{ code: string; expiresAt: Date }> {
    this.requireTrusted();
    const now = this.stamp(asked, refreshNow);
    const code = formatCode(random);
    const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
    return { entry: this.seal(actor, now, 'whoami link', { code: { hash: codeHash(code), expiresAt: expiresAt.toISOString() } }), result: { code, expiresAt } };
  }

  redeem(actor: Actor, typed: string, asked: Date, refreshNow?: () => Date): Step<string> {
    this.requireTrusted();
    const now = this.stamp(asked, refreshNow);
    const shown = `whoami link ${normaliseCode(typed).slice(0, 2)}…`;
    const wrong = this.entries.filter((e) => e.outcome === 'refused' && e.actor.id === actor.id && now.getTime() - Date.parse(e.at) < LINK_CODE_TTL_MS).length;
    if (wrong >= MAX_WRONG_CODES) throw new UserError('Too many wrong codes in the last ten minutes. Wait a little, then ask for a new code on your other platform.');
    const hash = codeHash(typed);
    const found = this.links.lookup(hash, now);
    const refuse = (reason: string): Step<string> => ({ entry: this.seal(actor, now, shown, undefined, reason), refused: reason, result: '' });
    if (found === undefined) return refuse('That code is not one golive gave out. Run `whoami link` on your other platform for a new one.');
    if (found === 'used') return refuse('That code was used already. Run `whoami link` on your other platform for a new one.');
    if (found === 'expired') return refuse('That code has expired (codes last ten minutes). Run `whoami link` on your other platform for a new one.');
    const other = found.issuer;
    if (other === actor.id) return refuse('Type the code on your other platform, not where you asked for it.');
    if (platformOf(other) === actor.platform) return refuse(`That code was given to ${other}, on the platform you are on now: link identities on two different platforms.`);
    const mine = this.links.aliases(actor.id);
    if (mine.includes(other)) return refuse(`You are already linked with ${other}.`);
    const theirs = this.links.aliases(other);
    const clash = mine.find((id) => theirs.some((t) => platformOf(t) === platformOf(id)));
    if (clash) return refuse(`Linking would give one person two ${platformOf(clash)} identities (${clash} and ${theirs.find((t) => platformOf(t) === platformOf(clash))}): unlink one first.`);
    return { entry: this.seal(actor, now, shown, { linked: [actor.id, other], code: hash }), result: other };
  }

  unlink(actor: Actor, other: string, asked: Date, refreshNow?: () => Date): Step<void> {
    this.requireTrusted();
    const now = this.stamp(asked, refreshNow);
    if (!this.links.pairs().some(([a, b]) => (a === actor.id && b === other) || (a === other && b === actor.id))) {
      throw new UserError(`You are not linked with ${other}. Run \`whoami\` to see your links.`);
    }
    return { entry: this.seal(actor, now, `whoami unlink ${other}`, { unlinked: [actor.id, other] }), result: undefined };
  }

  private requireTrusted(): void {
    if (this.problem) throw new UserError(`${this.problem} Linking is off until whoever runs golive looks at it.`);
  }

  /**
   * The time the entry is made at. A request that waited behind another's write (another golive's)
   * may have been asked before the newest entry: the clock is read again then. The record never
   * goes back in time, or it would fail its own verification at the next start.
   */
  private stamp(asked: Date, refreshNow: (() => Date) | undefined): Date {
    const newest = this.head && Date.parse(this.head.at);
    const now = newest !== undefined && asked.getTime() < newest && refreshNow ? refreshNow() : asked;
    if (newest !== undefined && now.getTime() < newest) throw new UserError(`Nothing was saved: golive's clock is behind the identity record (its newest entry is dated ${this.head!.at}).`);
    return now;
  }

  /** The next entry, sealed after the record's last one and sealing the links it leads to. */
  private seal(actor: Actor, now: Date, command: string, change: IdentityChange | undefined, reason?: string): AuditEntry {
    const next = IdentityLinks.replay(this.entries);
    if (change) next.apply(actor.id, change);
    return sealEntry(
      this.entries,
      {
        at: now.toISOString(),
        actor: { id: actor.id, platform: actor.platform },
        command,
        outcome: change ? 'applied' : 'refused',
        ...(reason !== undefined && { reason }),
        ...(change && { after: change }),
        stateHash: stateHashOf(next.pairs()),
      },
      this.key,
    );
  }
}

/** Throws the refusal a written step carries, else gives its result. */
export function outcomeOf<T>(step: Step<T>): T {
  if (step.refused !== undefined) throw new UserError(step.refused);
  return step.result;
}
