import { randomInt } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { IdentityPort } from '../src/app/identity-port.js';
import { UserError, type Actor } from '../src/app/request.js';
import { StoreError } from '../src/app/store-port.js';
import { sealEntry, stateHashOf, verifyChain, type AuditKey } from '../src/domain/audit.js';
import { AuditEntry } from '../src/domain/audit-entry.js';
import { codeHash, formatCode, IdentityLinks, LINK_CODE_TTL_MS, MAX_WRONG_CODES, normaliseCode, type IdentityChange } from '../src/domain/identity-links.js';
import { platformOf } from '../src/domain/person-id.js';
import { DurableJsonFile, type DurableFs } from './durable-json-file.js';

// <dataDir>/identities.json: the record of linked identities, an audit chain like a release's.

export const IDENTITIES_FILE = 'identities.json';

const IdentityDocument = z.object({ version: z.literal(1), entries: z.array(AuditEntry) }).strict();
type IdentityDocument = z.infer<typeof IdentityDocument>;

export interface IdentityFileOptions {
  key?: AuditKey;
  fs?: DurableFs;
  /** Picks a number below `max`; crypto-random unless a test gives its own. */
  random?: (max: number) => number;
}

/**
 * Opens (or starts) the identity record. A file that is not JSON or not the schema stops start-up
 * (nothing is reset); a record that fails verification is kept as it is and its links ignored.
 */
export async function openIdentityFile(dataDir: string, options: IdentityFileOptions = {}): Promise<IdentityPort> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, IDENTITIES_FILE);
  const adapter = new DurableJsonFile<IdentityDocument>(
    file,
    (value) => {
      const parsed = IdentityDocument.safeParse(value);
      if (parsed.success) return parsed.data;
      const issue = parsed.error.issues[0]!;
      throw new StoreError(`${file}: is not a valid identity record (${issue.path.join('.') || 'top level'}: ${issue.message}); fix or remove it and start again`, file);
    },
    options.fs,
  );
  const doc = await adapter.read();
  const entries = doc?.entries ?? [];
  return new IdentityFile(adapter, entries, verify(entries, options.key), options.key, options.random ?? randomInt);
}

function verify(entries: readonly AuditEntry[], key: AuditKey): string | undefined {
  const verdict = verifyChain(entries, key);
  if (!verdict.ok) return `The identity record fails verification at entry ${verdict.seq}: ${verdict.message}`;
  if (key !== undefined && entries.some((entry) => !entry.keyed)) {
    return 'The identity record was written without GOLIVE_AUDIT_KEY, which is now set: anyone could have written it. Remove identities.json and link again.';
  }
  const last = entries[entries.length - 1];
  if (last && last.stateHash !== stateHashOf(IdentityLinks.replay(entries).pairs())) {
    return `The identity record's last entry (${last.seq}) does not seal the links it leads to.`;
  }
  return undefined;
}

class IdentityFile implements IdentityPort {
  private queue: Promise<unknown> = Promise.resolve();
  private links: IdentityLinks;

  constructor(
    private readonly adapter: DurableJsonFile<IdentityDocument>,
    private entries: AuditEntry[],
    private readonly failed: string | undefined,
    private readonly key: AuditKey,
    private readonly random: (max: number) => number,
  ) {
    this.links = failed ? new IdentityLinks() : IdentityLinks.replay(entries);
  }

  aliases(id: string): string[] {
    return this.links.aliases(id);
  }

  problem(): string | undefined {
    return this.failed;
  }

  summary(): { entries: number; head?: string } {
    const last = this.entries[this.entries.length - 1];
    return { entries: this.entries.length, ...(last && { head: last.hash }) };
  }

  issue(actor: Actor, now: Date): Promise<{ code: string; expiresAt: Date }> {
    return this.serial(async () => {
      this.requireTrusted();
      const code = formatCode(this.random);
      const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
      await this.append(actor, now, 'whoami link', { code: { hash: codeHash(code), expiresAt: expiresAt.toISOString() } });
      return { code, expiresAt };
    });
  }

  redeem(actor: Actor, typed: string, now: Date): Promise<string> {
    return this.serial(async () => {
      this.requireTrusted();
      const shown = `whoami link ${normaliseCode(typed).slice(0, 2)}…`;
      const wrong = this.entries.filter((e) => e.outcome === 'refused' && e.actor.id === actor.id && now.getTime() - Date.parse(e.at) < LINK_CODE_TTL_MS).length;
      if (wrong >= MAX_WRONG_CODES) throw new UserError(`Too many wrong codes in the last ten minutes. Wait a little, then ask for a new code on your other platform.`);
      const hash = codeHash(typed);
      const found = this.links.lookup(hash, now);
      const refuse = async (reason: string): Promise<never> => {
        await this.append(actor, now, shown, undefined, reason);
        throw new UserError(reason);
      };
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
      await this.append(actor, now, shown, { linked: [actor.id, other], code: hash });
      return other;
    });
  }

  unlink(actor: Actor, other: string, now: Date): Promise<void> {
    return this.serial(async () => {
      this.requireTrusted();
      if (!this.links.pairs().some(([a, b]) => (a === actor.id && b === other) || (a === other && b === actor.id))) {
        throw new UserError(`You are not linked with ${other}. Run \`whoami\` to see your links.`);
      }
      await this.append(actor, now, `whoami unlink ${other}`, { unlinked: [actor.id, other] });
    });
  }

  private requireTrusted(): void {
    if (this.failed) throw new UserError(`${this.failed} Linking is off until whoever runs golive looks at it.`);
  }

  /** Seals and writes one entry; memory changes only once it is on disk. */
  private async append(actor: Actor, now: Date, command: string, change: IdentityChange | undefined, reason?: string): Promise<void> {
    const last = this.entries[this.entries.length - 1];
    // The record never goes back in time, or it would fail its own verification at the next start.
    if (last && now.getTime() < Date.parse(last.at)) throw new UserError(`Nothing was saved: golive's clock is behind the identity record (its newest entry is dated ${last.at}).`);
    const next = IdentityLinks.replay(this.entries);
    if (change) next.apply(actor.id, change);
    const entry = sealEntry(
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
    const entries = [...this.entries, entry];
    await this.adapter.write({ version: 1, entries });
    this.entries = entries;
    this.links = next;
  }

  private serial<T>(run: () => Promise<T>): Promise<T> {
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
