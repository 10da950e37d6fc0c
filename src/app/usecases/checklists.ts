import type { OutboxDraft } from '../delivery/outbox-draft.js';
import type { MessageOf, OutboxMessage } from '../delivery/outbox-message.js';

/**
 * Keeps every live checklist message current after a change, in the same transaction. Nothing is
 * rendered here: a checklist not yet posted is posted as it is when delivered; a posted one gets
 * one pending update marker, rendered at delivery, so a burst of answers edits each message once.
 */
export function refreshChecklists(outbox: OutboxDraft, now: Date): void {
  supersedeOlder(outbox);
  for (const post of outbox.messages) {
    if (post.kind !== 'checklist' || post.superseded || post.status !== 'sent') continue;
    ensureChecklistUpdate(outbox, post, now);
  }
}

/** One pending edit of `post`: added unless one is waiting already (it will show the newest state). */
export function ensureChecklistUpdate(outbox: OutboxDraft, post: MessageOf<'checklist'>, now: Date): void {
  const edits = (m: OutboxMessage) => m.kind === 'checklist-update' && m.params.updates === post.id;
  if (outbox.messages.some((m) => edits(m) && m.status === 'pending')) return;
  // Finished edits carry no record of their own (the audit chain has it): each checklist's one
  // edit message is put back to pending for the next edit, so the outbox does not grow by one per answer.
  let id = `${post.id}:update`;
  for (let taken = outbox.find(id); taken !== undefined && !edits(taken); taken = outbox.find(id)) id += "'";
  outbox.put({ id, kind: 'checklist-update', to: post.to, params: { updates: post.id }, createdAt: now.toISOString(), status: 'pending', attempts: 0 });
}

/** Only the newest checklist of each channel is kept current. */
function supersedeOlder(outbox: OutboxDraft): void {
  const where = (m: OutboxMessage) => ('channel' in m.to ? `${m.to.channel.platform}:${m.to.channel.id}` : `dm:${m.to.person.platform}:${m.to.person.id}`);
  const newest = new Map<string, string>();
  for (const m of outbox.messages) if (m.kind === 'checklist') newest.set(where(m), m.id);
  for (const m of outbox.messages) {
    if (m.kind === 'checklist' && !m.superseded && newest.get(where(m)) !== m.id) outbox.put({ ...m, superseded: true });
  }
}
