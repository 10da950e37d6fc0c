import { z } from 'zod';
import { ClockTime, HttpUrl, Instant, IsoDate, Platform, Slug, SwitchState, UserId, Zone } from './primitives.js';
import { Rule } from './rule.js';
import { RoleName, roleRecord } from './names.js';
import { ScheduleOverride, SchedulePlan } from './schedule-plan.js';

export const ANSWERS = ['met', 'not-met', 'need-info'] as const;
export const Answer = z.enum(ANSWERS);
export type Answer = z.infer<typeof Answer>;

/**
 * A withdrawal is kept as one more entry in a criterion's history, never a deletion: the owner's
 * earlier answer stays on the record, and the criterion waits for a new one.
 */
export const WITHDRAWN = 'withdrawn';
export const RecordedAnswer = z.enum([...ANSWERS, WITHDRAWN]);
export type RecordedAnswer = z.infer<typeof RecordedAnswer>;

const Comment = z.string().trim().min(1).max(3000);

export const Response = z
  .object({
    answer: RecordedAnswer,
    comment: Comment.optional(),
    evidence: z.array(HttpUrl).max(20).default([]),
    by: UserId,
    onBehalfOf: UserId.optional(),
    platform: Platform,
    at: Instant,
  })
  .strict()
  .refine((r) => r.answer === 'met' || r.answer === WITHDRAWN || r.comment !== undefined, {
    message: 'a comment is required when the answer is not-met or need-info',
    path: ['comment'],
  });
export type Response = z.infer<typeof Response>;

export const Owners = z
  .object({
    roles: z.array(RoleName).default([]),
    people: z.array(UserId).default([]),
  })
  .strict();
export type Owners = z.infer<typeof Owners>;

export const Criterion = z
  .object({
    id: Slug,
    number: z.number().int().positive(),
    text: z.string().min(1).max(2000),
    owners: Owners,
    rule: Rule.optional(),
    responses: z.array(Response).default([]),
  })
  .strict();
export type Criterion = z.infer<typeof Criterion>;

export const Delegate = z.object({ delegate: UserId, for: UserId }).strict();
export type Delegate = z.infer<typeof Delegate>;

/** A sign-off and a decision are both a verdict given by someone, perhaps for someone else. */
const verdictBy = <const V extends readonly [string, ...string[]]>(verdicts: V) =>
  z
    .object({
      verdict: z.enum(verdicts),
      note: z.string().trim().min(1).max(3000).optional(),
      by: UserId,
      onBehalfOf: UserId.optional(),
      platform: Platform,
      at: Instant,
    })
    .strict();

// 'withdrawn' is written only by `signoff <group> withdraw`: the member waits to sign again.
export const Signoff = verdictBy(['agree', 'disagree', 'withdrawn']);
export type Signoff = z.infer<typeof Signoff>;

export const ReviewGroup = z
  .object({
    id: Slug,
    name: z.string().min(1).max(100),
    members: z.array(UserId).default([]),
    delegates: z.array(Delegate).default([]),
    quorum: z.number().int().positive(),
    meeting: IsoDate.optional(),
    signoffs: z.array(Signoff).default([]),
  })
  .strict();
export type ReviewGroup = z.infer<typeof ReviewGroup>;

const Stamp = { by: UserId, at: Instant };

export const RiskStatus = z.enum(['open', 'accepted', 'accepted-with-conditions', 'closed']);
export type RiskStatus = z.infer<typeof RiskStatus>;

export const Risk = z
  .object({
    number: z.number().int().positive(),
    description: z.string().min(1).max(3000),
    owner: UserId.optional(),
    mitigations: z.array(z.object({ text: z.string().min(1).max(3000), ...Stamp }).strict()).default([]),
    views: z.array(z.object({ group: Slug, text: z.string().min(1).max(3000), ...Stamp }).strict()).default([]),
    status: RiskStatus,
    conditions: z.string().min(1).max(3000).optional(),
    statusChangedAt: Instant,
    ...Stamp,
  })
  .strict();
export type Risk = z.infer<typeof Risk>;

export const SwitchChange = z.object({ from: SwitchState.optional(), to: SwitchState, by: UserId, platform: Platform, source: z.string().max(200), at: Instant }).strict();

export const Switch = z
  .object({
    key: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be letters, digits, dot, dash or underscore'),
    description: z.string().max(500).optional(),
    expected: SwitchState,
    current: SwitchState.optional(),
    history: z.array(SwitchChange).default([]),
  })
  .strict();
export type Switch = z.infer<typeof Switch>;

// Each fact keeps when it was last set and when its value last changed: re-entering the same
// figures must not make confirmations stale, a different figure must.
const FactStamp = { setAt: Instant, setBy: UserId, changedAt: Instant };
export const Severities = z.object({ 1: z.number().int().min(0), 2: z.number().int().min(0), 3: z.number().int().min(0), 4: z.number().int().min(0), 5: z.number().int().min(0) }).strict();
export type Severities = z.infer<typeof Severities>;

export const Facts = z
  .object({
    defects: z
      .object({ counts: Severities, plans: z.boolean().optional(), ...FactStamp })
      .strict()
      .optional(),
    testingIssues: z
      .object({ count: z.number().int().min(0), threshold: z.number().int().min(0), ...FactStamp })
      .strict()
      .optional(),
    phases: z.array(z.object({ name: z.string().min(1).max(100), closed: z.boolean(), exitCriteriaMet: z.boolean(), ...FactStamp }).strict()).default([]),
    environment: z
      .object({ note: z.string().min(1).max(3000), ...FactStamp })
      .strict()
      .optional(),
  })
  .strict();
export type Facts = z.infer<typeof Facts>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 in hex');

export const Decision = verdictBy(['go', 'no-go']).extend({
  /**
   * The fingerprint of the release state the decision was made on (stateFingerprint): once the
   * state differs, the decision is stale. Absent on decisions recorded before it was kept.
   */
  basis: Sha256.optional(),
  /** Why the approver decided GO although other items still blocked: shown as GO (override). */
  override: z.string().trim().min(1).max(3000).optional(),
});
export type Decision = z.infer<typeof Decision>;

export const Implementation = z.object({ date: IsoDate, time: ClockTime, zone: Zone }).strict();
export type Implementation = z.infer<typeof Implementation>;

export const DateChange = z
  .object({
    from: z.object({ date: IsoDate, time: ClockTime }).strict(),
    to: z.object({ date: IsoDate, time: ClockTime }).strict(),
    reason: z.string().trim().min(1).max(3000),
    by: UserId,
    at: Instant,
  })
  .strict();
export type DateChange = z.infer<typeof DateChange>;

/**
 * The last change that made the verdict worse (over criteria, risks and switches): every sign-off
 * given before it is stale. `signoffs` counts, per group, the sign-offs that existed then, so
 * "before" does not depend on two clocks agreeing to the millisecond.
 */
export const Worsened = z
  .object({
    at: Instant,
    what: z.string().min(1).max(500),
    signoffs: z.array(z.object({ group: Slug, count: z.number().int().min(0) }).strict()).default([]),
  })
  .strict();
export type Worsened = z.infer<typeof Worsened>;

export const OUTCOMES = ['went-live', 'rolled-back', 'cancelled'] as const;
export const OutcomeResult = z.enum(OUTCOMES);
export type OutcomeResult = z.infer<typeof OutcomeResult>;

/** How a release ended, recorded by a manager with `close`: after it the release takes no more changes. */
export const Outcome = z.object({ result: OutcomeResult, note: z.string().trim().min(1).max(3000).optional(), by: UserId, platform: Platform, at: Instant }).strict();
export type Outcome = z.infer<typeof Outcome>;

/**
 * What a platform needs to post to a conversation later, on its own initiative (Teams: the
 * conversation reference kept from the bot's installation or the conversation's first message).
 */
export const ChannelReference = z
  .object({
    serviceUrl: HttpUrl,
    conversationId: z.string().min(1).max(500),
    tenantId: z.string().min(1).max(200).optional(),
    botId: z.string().min(1).max(300).optional(),
  })
  .strict();
export type ChannelReference = z.infer<typeof ChannelReference>;

/** A conversation a release follows; `reference` only where the platform needs one to post later. */
export const Channel = z.object({ platform: Platform, id: z.string().min(1).max(200), reference: ChannelReference.optional() }).strict();
export type Channel = z.infer<typeof Channel>;

export const Release = z
  .object({
    id: Slug,
    name: z.string().trim().min(1).max(200),
    template: Slug,
    implementation: Implementation,
    dateChanges: z.array(DateChange).default([]),
    holidays: z.array(IsoDate).default([]),
    channels: z.array(Channel).default([]),
    roles: roleRecord(z.array(UserId)).default({}),
    managers: z.array(UserId).min(1),
    delegates: z.array(Delegate).default([]),
    approverRole: RoleName,
    criteria: z.array(Criterion),
    groups: z.array(ReviewGroup).default([]),
    risks: z.array(Risk).default([]),
    switches: z.array(Switch).default([]),
    facts: Facts,
    decisions: z.array(Decision).default([]),
    /** From the template: answerers and managers may not decide; a manager may not become approver. */
    separationOfDuties: z.boolean().optional(),
    worsened: Worsened.optional(),
    outcome: Outcome.optional(),
    /** The schedule plan copied from the template at create; absent on older releases (an empty plan). */
    schedule: SchedulePlan.optional(),
    /** Managers' changes to single points of the plan: switched off, or moved. */
    scheduleOverrides: z.array(ScheduleOverride).optional(),
    /** The instant up to which the scheduler has acted on this release's schedule. */
    scheduledThrough: Instant.optional(),
    createdBy: UserId,
    createdAt: Instant,
  })
  .strict();
export type Release = z.infer<typeof Release>;
