import type { ChangeOutcome } from '../change.js';
import type { Reply } from '../request.js';
import type { View } from '../../views/elements.js';
import { refusalView } from '../../views/messages.js';

export const reply = (view: View, visibility: 'private' | 'public' = 'private'): Reply => ({ kind: 'view', visibility, view });

/** The person's own confirmation on success; a private, audited refusal otherwise. */
export function outcomeReply<T>(outcome: ChangeOutcome<T>, view: (result: T) => View): Reply[] {
  return outcome.applied ? [reply(view(outcome.result))] : [reply(refusalView(outcome.refusal))];
}
