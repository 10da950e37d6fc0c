import type { ChangeOutcome, RecordedBefore } from './change.js';
import type { Reply } from '../request.js';
import type { View } from '../../views/elements.js';
import { doneView, refusalView } from '../../views/messages.js';
import { t } from '../../views/elements.js';

export const reply = (view: View, visibility: 'private' | 'public' = 'private'): Reply => ({ kind: 'view', visibility, view });

/** The person's own confirmation on success; a private, audited refusal otherwise. */
export function outcomeReply<T>(outcome: ChangeOutcome<T>, view: (result: T) => View): Reply[] {
  return outcome.applied ? [reply(view(outcome.result))] : [reply(refusalView(outcome.refusal))];
}

/** A request replayed after a restart that had been recorded before it: said, not done again. */
export function recordedBeforeReply(error: RecordedBefore): Reply {
  const { entry } = error;
  if (entry.outcome === 'refused') return reply(refusalView(entry.reason ?? 'this was refused'));
  return reply(doneView('Already recorded', t(`Already recorded: golive had recorded this (entry ${entry.seq} of the audit trail) before it restarted.`)));
}
