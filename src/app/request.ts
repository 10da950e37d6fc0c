import type { Channel } from '../domain/release.js';
import type { Platform } from '../domain/primitives.js';
import type { PersonId } from '../domain/person-id.js';
import type { Form, View } from '../views/elements.js';

/** Who is asking, from where: what every adapter turns a platform request into. */
export interface Actor {
  /** Qualified with the platform (`slack:U123`): the same id everything stored about people uses. */
  id: PersonId;
  platform: Platform;
  /** Identities on other platforms this person linked to this one (`whoami link`): they count as the same person. */
  aliases?: readonly PersonId[];
}

/** The actor's own id first, then every identity linked to it. */
export function selvesOf(actor: Actor): PersonId[] {
  return [actor.id, ...(actor.aliases ?? []).filter((alias) => alias !== actor.id)];
}

/** golive itself, when it acts on its own: the schedule, and the one-off changes it makes at start. */
export const GOLIVE_ACTOR = { id: 'golive:golive', platform: 'golive' } as const satisfies Actor;

export interface Request {
  actor: Actor;
  /** The conversation the command was typed in, if any (a DM or App Home has none). */
  channel?: Channel;
  text: string;
  /** The platform request this answers (its inbox id): recorded in the audit entry it causes. */
  requestId?: string;
  /** Handled again after a restart: a change whose request is already recorded is not made twice. */
  replay?: boolean;
}

/** Who pressed a button or sent a form, and where: what the app needs besides what they chose. */
export interface Origin {
  actor: Actor;
  /** The conversation the button or form was in, if any (App Home has none). */
  channel?: Channel;
}

/** Where a request came from in the inbox, for the audit entry and a replay after a crash. */
export interface RequestRef {
  requestId?: string;
  replay?: boolean;
}

export type Visibility = 'private' | 'public';

export type Reply =
  | { kind: 'view'; visibility: Visibility; view: View }
  | { kind: 'file'; visibility: Visibility; filename: string; title: string; mime: string; content: string }
  /** A form for the person to fill in (Slack opens it as a modal); always private, and never more than one per answer. */
  | { kind: 'form'; visibility: 'private'; form: Form };

/** A problem with what the person asked for: told privately, changes nothing, not audited. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly usage?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** An attempt the person is not allowed to make: told privately and audited. */
export class Refusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'Refusal';
  }
}
