import type { Channel, Release } from '../domain/release.js';
import type { UserRef } from './language/commands.js';
import type { Clock } from './clock.js';
import type { Quarantine, Store, StoredRelease } from './store-port.js';
import type { AuditPolicy } from './record-check.js';
import type { PeoplePort } from './people-port.js';
import type { IdentityPort } from './identity-port.js';
import { UserError, type Actor, type Reply, type RequestRef } from './request.js';
import { isPersonPlatform, platformOf, qualify, type PersonId } from '../domain/person-id.js';
import { changeRelease, type ChangeEffect, type ChangeOutcome } from './usecases/change.js';
import { errorView } from '../views/messages.js';
import type { ChannelRelease } from './look-ahead.js';

/** Expands platform user groups into people; each adapter brings its own. */
export interface Directory {
  /**
   * The members of a user group, named by its qualified id (`slack:S123`), as qualified person
   * ids (`slack:U1`). Throws a UserError a person can act on when the group is unknown or empty.
   */
  expandGroup(groupId: PersonId): Promise<PersonId[]>;
}

export const noGroups: Directory = {
  async expandGroup(id) {
    throw new UserError(`User groups cannot be expanded here (${id}); name the people instead.`);
  },
};

/** One directory over several platforms: a group is expanded by the platform its id names. */

export interface AppDeps {
  store: Store;
  clock: Clock;
  directory: Directory;
  templatesDir?: string;
  /** GOLIVE_AUDIT_KEY (entries sealed with HMAC-SHA256 under it) and whether it is being adopted. */
  audit?: AuditPolicy;
  /** Each person's own settings (notify) and digest bookkeeping; without it `notify` says it is unavailable. */
  people?: PeoplePort;
  /** Identities linked across platforms (`whoami link`); without it each identity is only itself. */
  identities?: IdentityPort;
  /** Where unexpected failures are reported for whoever runs golive. */
  log?: (message: string) => void;
}

/** One request being handled: who, where, what they typed, and the moment it is handled at. */
export class Ctx {
  constructor(
    readonly deps: AppDeps,
    readonly actor: Actor,
    readonly channel: Channel | undefined,
    readonly text: string,
    private current: Date,
    private readonly releaseOption: string | undefined,
    /** The inbox request being handled, written into every audit entry it causes. */
    readonly request: RequestRef = {},
    /** The channel's release, read as the request came in (look-ahead.ts), for `stored` with `shared`. */
    private readonly lookedAhead?: Promise<ChannelRelease>,
  ) {}

  get store(): Store {
    return this.deps.store;
  }

  /** The moment this request is handled at: when it arrived, or when its change got its turn (see change()). */
  get now(): Date {
    return this.current;
  }

  /**
   * The id of the release a command acts on: `--release`, else the one this channel follows. A
   * release whose record failed verification is refused unless the command only reads it for inspection.
   */
  async releaseId(explicit?: string, options: { evenIfQuarantined?: boolean } = {}): Promise<string> {
    return (await this.stored(explicit, options)).id;
  }

  /**
   * The release a command acts on, as `releaseId` finds it, with its state as stored now. With
   * `shared`, for a command that only looks, the store's frozen shared copy where it has one. With
   * `evenIfQuarantined`, a release kept read-only comes with why.
   */
  async stored(explicit?: string, options: { evenIfQuarantined?: boolean; shared?: boolean } = {}): Promise<StoredRelease & { id: string; quarantine?: Quarantine }> {
    const store = this.deps.store;
    const channel = explicit !== undefined || this.releaseOption !== undefined ? undefined : this.channel;
    // A command that only looks reads its channel's release in one go where the store can.
    const followed = channel && options.shared ? (this.lookedAhead ?? store.sharedByChannel?.(channel)) : undefined;
    if (followed) {
      const found = await followed;
      if (!found) throw await this.noRelease();
      const { quarantine } = found.shared;
      if (quarantine && !options.evenIfQuarantined) throw new UserError(quarantineMessage(found.shared.release.name, found.id, quarantine));
      return { ...found.shared, id: found.id, ...(quarantine && { quarantine }) };
    }
    const id = explicit ?? this.releaseOption ?? (channel ? await store.findByChannel(channel) : undefined);
    if (id === undefined) throw await this.noRelease();
    const shared = options.shared && store.shared ? await store.shared(id) : undefined;
    const stored = shared ?? (await store.get(id));
    if (!stored) throw new UserError(`There is no release "${id}". \`/release list\` shows them all.`);
    const quarantine = shared ? shared.quarantine : await store.quarantine(id);
    if (quarantine && !options.evenIfQuarantined) throw new UserError(quarantineMessage(stored.release.name, id, quarantine));
    return { ...stored, id, ...(quarantine && { quarantine }) };
  }

  private async noRelease(): Promise<UserError> {
    const known = (await this.deps.store.list()).map((r) => r.id);
    return new UserError(
      `No release is linked to this ${this.channel ? 'channel' : 'conversation'}. Name one with --release <id>` +
        (known.length > 0 ? ` (known: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', …' : ''}).` : ', or create one with `/release create`.'),
    );
  }

  change<T>(releaseId: string, apply: (release: Release) => ChangeEffect<T>): Promise<ChangeOutcome<T>> {
    const refreshNow = () => {
      this.current = this.deps.clock.now();
      return this.current;
    };
    return changeRelease(this.deps.store, releaseId, { actor: this.actor, command: this.text, now: this.now, refreshNow, auditKey: this.deps.audit?.key, ...this.request }, apply);
  }

  /**
   * The people a command names, qualified: a bare `@alice` is a person of the platform it was
   * typed on, so nobody becomes someone on another platform by typing a bare id.
   */
  async users(refs: readonly UserRef[]): Promise<string[]> {
    const ids: string[] = [];
    for (const ref of refs) {
      const id = this.qualified(ref.id);
      const found = ref.kind === 'user' ? [id] : await this.deps.directory.expandGroup(id);
      for (const person of found) if (!ids.includes(person)) ids.push(person);
    }
    return ids;
  }

  private qualified(id: string): PersonId {
    if (platformOf(id) !== undefined) return id as PersonId;
    const platform = this.actor.platform;
    if (!isPersonPlatform(platform)) throw new UserError(`"${id}" names nobody on its own here: write @<platform>:<id>, like @slack:U123.`);
    return qualify(platform, id);
  }

  async user(ref: UserRef): Promise<string> {
    const ids = await this.users([ref]);
    if (ids.length !== 1) throw new UserError('Name one person here, not a group.');
    return ids[0]!;
  }
}

export function quarantineMessage(name: string, id: string, quarantine: Quarantine): string {
  return (
    `The record of ${name} (${id}) fails verification at entry ${quarantine.seq}: ${quarantine.message} ` +
    'golive keeps this release read-only and records nothing on it. `/release audit verify` shows the details; whoever runs golive should investigate or restore its file from a backup.'
  );
}

export function errorReply(message: string, usage?: string): Reply {
  return { kind: 'view', visibility: 'private', view: errorView(message, usage) };
}
