import { evaluate } from '../../../domain/readiness.js';
import { byOwner, criteriaWaiting } from '../../../domain/schedule-audience.js';
import { evidenceDeadline, evidenceRuleOf } from '../../../domain/evidence-deadline.js';
import { lateEvidence } from '../../../domain/late-evidence.js';
import type { Release } from '../../../domain/release.js';
import { groupName } from '../../../views/status.js';
import { escalationView, evidenceDeadlineView, goLiveView, goNoGoView, kickoffView, outcomeAskView, reminderView } from '../../../views/scheduled.js';
import { Undeliverable, type KindRenderer } from '../kind-renderer.js';
import type { MessageOf, Recipient } from '../outbox-message.js';

// The messages of the release's schedule. Each is rendered from the release as it is at delivery:
// a reminder sent after an answer came in names only what still waits.

type Scheduled = MessageOf<'kickoff' | 'reminder' | 'evidence-deadline' | 'evidence-reminder' | 'escalation' | 'go-no-go' | 'go-live' | 'outcome-ask'>;

function personOf(message: { to: Recipient; id: string }): string {
  if (!('person' in message.to)) throw new Undeliverable(`${message.id} is a direct message with no person`);
  return message.to.person.id;
}

/** The person's own waiting criteria, all in one message. */
const itemsOf = (release: Release, message: Scheduled) => byOwner(release, criteriaWaiting(release)).find((d) => d.person === personOf(message))?.criteria ?? [];

function groupDeadline(release: Release, group: string | undefined): { group: string; at: Date } | undefined {
  const g = release.groups.find((x) => x.id === group);
  const at = g && evidenceDeadline(release, g, evidenceRuleOf(release));
  return g && at ? { group: groupName(release, g.id), at } : undefined;
}

export const kickoff: KindRenderer<'kickoff'> = {
  words: 'Kickoff message',
  render: (message, { release }) => kickoffView(release, itemsOf(release, message)),
};

export const reminder: KindRenderer<'reminder'> = {
  words: 'Reminder',
  render: (message, { release }) => reminderView(release, itemsOf(release, message)),
};

export const evidenceReminder: KindRenderer<'evidence-reminder'> = {
  words: 'Evidence reminder',
  render: (message, { release }) => reminderView(release, itemsOf(release, message), groupDeadline(release, message.params.group)),
};

export const evidenceDeadlineNotice: KindRenderer<'evidence-deadline'> = {
  words: 'Evidence deadline announcement',
  render({ params }, { release }) {
    const deadline = groupDeadline(release, params.group);
    return evidenceDeadlineView(release, deadline?.group ?? params.group ?? 'the review groups', deadline?.at, criteriaWaiting(release));
  },
};

export const escalation: KindRenderer<'escalation'> = {
  words: 'Escalation',
  render: (_message, { release }, now) => escalationView(release, evaluate(release, now)),
};

export const goNoGo: KindRenderer<'go-no-go'> = {
  words: 'Go/no-go announcement',
  render: (_message, { release }, now) => goNoGoView(release, evaluate(release, now), lateEvidence(release)),
};

export const goLive: KindRenderer<'go-live'> = {
  words: 'Go-live announcement',
  render: (_message, { release }, now) => goLiveView(release, evaluate(release, now)),
};

export const outcomeAsk: KindRenderer<'outcome-ask'> = {
  words: 'Outcome question',
  render: (_message, { release }) => outcomeAskView(release),
};
