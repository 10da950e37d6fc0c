import { z } from 'zod';

// What golive needs of an inbound activity, checked before the SDK or the app sees it: a body
// that is not JSON, or not an activity golive can answer, is refused with 400 and changes nothing.

const Id = z.string().min(1).max(500);
// A conversation id goes into the Bot Connector's URL path as it is: nothing that could leave its segment.
const ConversationId = Id.regex(/^[^\s/?#\\%]+$/, 'is not a conversation id');
const Account = z.object({ id: Id, name: z.string().max(500).optional(), aadObjectId: z.string().max(200).optional() }).passthrough();

export const InboundActivity = z
  .object({
    type: z.string().min(1).max(100),
    id: Id.optional(),
    channelId: z.string().min(1).max(100),
    serviceUrl: z
      .string()
      .max(2000)
      .refine((value) => /^https?:\/\/[^\s]+$/i.test(value) && URL.canParse(value), 'must be an http(s) URL'),
    from: Account.optional(),
    recipient: Account.optional(),
    conversation: z.object({ id: ConversationId, conversationType: z.string().max(100).optional(), tenantId: z.string().max(200).optional(), isGroup: z.boolean().optional() }).passthrough(),
    text: z.string().max(100_000).optional(),
    name: z.string().max(200).optional(),
    entities: z.array(z.record(z.string(), z.unknown())).max(500).optional(),
  })
  .passthrough();
export type InboundActivity = z.infer<typeof InboundActivity>;

/** Bodies above this are refused unread: a message with its HTML is far smaller. */
export const ACTIVITY_BODY_MAX = 1024 * 1024;

export type ActivityRead = { ok: true; activity: InboundActivity; body: Record<string, unknown> } | { ok: false; reason: string };

export function readActivity(raw: Buffer): ActivityRead {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    return { ok: false, reason: 'the body is not JSON' };
  }
  const parsed = InboundActivity.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, reason: `not an activity golive can answer (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'unreadable'})` };
  }
  // The SDK reads it again in CloudAdapter.process, which throws (sdkRefused) for what it cannot read.
  return { ok: true, activity: parsed.data, body: value as Record<string, unknown> };
}

/**
 * True for the error CloudAdapter.process throws when its own schema refuses the activity, before
 * any turn: checked there rather than by a second reading here of every activity that arrives.
 */
export const sdkRefused = (error: unknown): boolean => (error as { name?: unknown } | undefined)?.name === 'ZodError';

/** Where Teams puts the tenant: on the conversation, or in channelData. */
export function tenantOf(activity: InboundActivity): string | undefined {
  const fromData = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const tenant = activity.conversation.tenantId ?? (typeof fromData === 'string' ? fromData : undefined);
  return tenant && tenant.length <= 200 ? tenant : undefined;
}
