import { z } from 'zod';
import { Channel } from '../../domain/release.js';
import { Instant, Platform, Slug } from '../../domain/primitives.js';
import { isPersonPlatform, isQualified, PersonIdSchema, platformOf, qualify, type PersonId } from '../../domain/person-id.js';
import { View } from '../../views/elements.js';

// What golive has decided to say, kept as intent: a kind and the plain-JSON parameters its
// renderer needs (ids, indexes into the release's append-only histories), never rendered blocks.
// The words are made at delivery from the release as it is then (see render-message.ts), so
// changing a view never changes stored data.
//
// To add a kind: write its params schema here, add `kindOf('<kind>', Params)` to the union below,
// and give it a renderer in render-message.ts (the compiler insists on one for every kind).

/**
 * Someone who acted or is told something, by their qualified id (`slack:U123`) and its platform.
 * Messages written before ids were qualified hold the platform's own id: read as that platform's person.
 */
const PlatformPerson = z.preprocess(
  qualifyRead,
  z
    .object({ platform: Platform, id: PersonIdSchema })
    .strict()
    .refine((p) => platformOf(p.id) === p.platform, { message: "the id's platform must be the platform", path: ['id'] }),
);

/** Where a message goes: a channel the release follows, or one person, as a direct message. */
export const Person = PlatformPerson;
export type Person = z.infer<typeof Person>;

/** A direct message's recipient for a person's qualified id; undefined for a bare one, or a hook's, which golive cannot reach. */
export function personOf(id: string): Person | undefined {
  const platform = platformOf(id);
  return platform !== undefined && isPersonPlatform(platform) ? { platform, id: id as PersonId } : undefined;
}
export const Recipient = z.union([z.object({ channel: Channel }).strict(), z.object({ person: Person }).strict()]);
export type Recipient = z.infer<typeof Recipient>;

/** The audit record's head when the message was decided on, shown with it (see withRecordNote). */
export const RecordHeadParams = z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

export const ChecklistParams = z.object({}).strict();
/** Edits checklist message `updates` in place with the checklist as it is at delivery. */
export const ChecklistUpdateParams = z.object({ updates: z.string().min(1).max(300) }).strict();
/** `index` into release.decisions; `openBlockers` is how many an override went over, as counted then. */
export const DecisionParams = z.object({ index: z.number().int().min(0), openBlockers: z.number().int().min(0).optional() }).strict();
/** `index` into release.dateChanges. */
export const DateMovedParams = z.object({ index: z.number().int().min(0) }).strict();
/** The switch's `key` and `index` into its history: the change that is announced. */
export const SwitchAlertParams = z.object({ key: z.string().min(1).max(200), index: z.number().int().min(0) }).strict();
/**
 * Who reported the facts and the criteria they undid: a rule that now fails (with the reason the
 * rule gave then) or a confirmation now stale. Numbers and owners are read at delivery.
 */
export const FactsAlertParams = z
  .object({
    actor: PlatformPerson,
    broken: z
      .array(z.union([z.object({ criterion: Slug, cause: z.literal('rule'), reason: z.string().max(2000) }).strict(), z.object({ criterion: Slug, cause: z.literal('stale') }).strict()]))
      .min(1),
  })
  .strict();
export type FactsAlertParams = z.infer<typeof FactsAlertParams>;
/** The release's outcome is read at delivery. */
export const ClosedParams = z.object({}).strict();
/**
 * A schedule point acted on: which occurrence (its key), which point, and the review group for
 * per-group points. Whom it names and what is still missing are read from the release at delivery.
 */
export const ScheduledParams = z.object({ occurrence: z.string().min(1).max(300), point: Slug, group: Slug.optional() }).strict();
export type ScheduledParams = z.infer<typeof ScheduledParams>;
/** A message stored, before messages held intent, with its view already rendered: sent as it was. */
export const LegacyViewParams = z.object({ view: View, was: z.enum(['announcement', 'alert']) }).strict();

const base = {
  /** Deterministic (release, kind, due time or cause, recipient): the idempotency key of delivery. */
  id: z.string().min(1).max(300),
  to: Recipient,
  createdAt: Instant,
  /** `failed`: the platform refused it for good; `dead`: every try failed (see MAX_ATTEMPTS). */
  status: z.enum(['pending', 'sent', 'failed', 'dead']),
  attempts: z.number().int().min(0),
  nextAttemptAt: Instant.optional(),
  sentAt: Instant.optional(),
  lastError: z.string().max(2000).optional(),
  messageRef: z.string().max(300).optional(),
  /** A checklist replaced by a newer one in the same channel is no longer kept current. */
  superseded: z.boolean().optional(),
  record: RecordHeadParams.optional(),
  /** When the scheduler meant it to go out; `late` when it is sent after that (golive was down). */
  dueAt: Instant.optional(),
  late: z.boolean().optional(),
};

const kindOf = <K extends string, P extends z.ZodType>(kind: K, params: P) => z.object({ ...base, kind: z.literal(kind), params }).strict();

const Message = z.discriminatedUnion('kind', [
  kindOf('checklist', ChecklistParams),
  kindOf('checklist-update', ChecklistUpdateParams),
  kindOf('decision', DecisionParams),
  kindOf('date-moved', DateMovedParams),
  kindOf('switch-alert', SwitchAlertParams),
  kindOf('facts-alert', FactsAlertParams),
  kindOf('closed', ClosedParams),
  kindOf('legacy-view', LegacyViewParams),
  kindOf('kickoff', ScheduledParams),
  kindOf('reminder', ScheduledParams),
  kindOf('evidence-deadline', ScheduledParams),
  kindOf('evidence-reminder', ScheduledParams),
  kindOf('escalation', ScheduledParams),
  kindOf('go-no-go', ScheduledParams),
  kindOf('go-live', ScheduledParams),
  kindOf('outcome-ask', ScheduledParams),
]);

/**
 * A message the app has decided to send, committed in the same store transaction
 * as the change that caused it. Documents written before messages held intent (a `channel`, a
 * rendered `view`, kinds `announcement` and `alert`) are read into this shape, nothing dropped.
 */
export const OutboxMessage = z.preprocess(fromRenderedShape, Message);
export type OutboxMessage = z.infer<typeof Message>;

/**
 * A message as a store read it back: one in the current shape (it was checked when written) as
 * it is, one in the rendered shape of an older golive converted, so it is delivered, not lost.
 */
export function storedMessage(value: unknown): OutboxMessage {
  const stored = value as Record<string, unknown>;
  return 'params' in stored && 'to' in stored ? (value as OutboxMessage) : OutboxMessage.parse(value);
}
export type MessageKind = OutboxMessage['kind'];
export type MessageOf<K extends MessageKind> = Extract<OutboxMessage, { kind: K }>;

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** What a change or a schedule point writes; the outbox adds the delivery state. */
export type NewOutboxMessage = DistributiveOmit<OutboxMessage, 'status' | 'attempts' | 'createdAt' | 'record'>;

export const recipientPlatform = (to: Recipient) => ('channel' in to ? to.channel.platform : to.person.platform);

function qualifyRead(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  const { id, platform } = value as Record<string, unknown>;
  if (typeof id !== 'string' || !Platform.safeParse(platform).success) return value;
  return isQualified(id) ? value : { ...value, id: qualify(platform as Platform, id) };
}

/** The old shape, as version 1 documents hold it: checklists are rendered afresh, other views sent as stored. */
function fromRenderedShape(value: unknown): unknown {
  if (typeof value !== 'object' || value === null || 'params' in value || !('view' in value)) return value;
  const { view, channel, updates, kind, ...rest } = value as Record<string, unknown>;
  const to = { channel };
  if (kind === 'checklist') return { ...rest, kind, to, params: {} };
  if (kind === 'checklist-update') return { ...rest, kind, to, params: { updates } };
  return { ...rest, kind: 'legacy-view', to, params: { view, was: kind } };
}
