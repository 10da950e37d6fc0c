import { z } from 'zod';
import { Slug } from '../../domain/primitives.js';

// Buttons carry what they act on in their value, so a click needs nothing from the message it is in.
export const ActionIds = {
  answer: { met: 'golive:answer:met', 'not-met': 'golive:answer:not-met', 'need-info': 'golive:answer:need-info' },
  signoff: { agree: 'golive:signoff:agree', disagree: 'golive:signoff:disagree' },
  decide: { go: 'golive:decide:go', 'no-go': 'golive:decide:no-go' },
} as const;

export const ANSWER_FORM = 'golive:answer';

export const ActionValue = z.object({ r: Slug, c: Slug.optional(), g: Slug.optional() }).strict();
export type ActionValue = z.infer<typeof ActionValue>;

export const AnswerFormMetadata = z.object({ r: Slug, c: Slug, a: z.enum(['met', 'not-met', 'need-info']) }).strict();
export type AnswerFormMetadata = z.infer<typeof AnswerFormMetadata>;

export const actionValue = (value: ActionValue): string => JSON.stringify(value);
