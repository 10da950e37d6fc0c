import type { OutboxMessage, ReleaseDocument } from '../document.js';
import type { MessageOf } from '../delivery/outbox-message.js';

/**
 * Keeps every live checklist message current after a change, in the same write. Nothing is
 * rendered here: a checklist not yet posted is posted as it is when delivered; a posted one gets
 * one pending update marker, rendered at delivery, so a burst of answers edits each message once.
 */
export function refreshChecklists(doc: ReleaseDocument, now: Date): void {
  supersedeOlder(doc);
  for (const post of doc.outbox) {
    if (post.kind !== 'checklist' || post.superseded || post.status !== 'sent') continue;
    ensureChecklistUpdate(doc, post, now);
  }
}

/** One pending edit of `post`: added unless one is waiting already (it will show the newest state). */
export function ensureChecklistUpdate(doc: ReleaseDocument, post: MessageOf<'checklist'>, now: Date): void {
  const edits = (m: OutboxMessage) => m.kind === 'checklist-update' && m.params.updates === post.id;
  if (doc.outbox.some((m) => edits(m) && m.status === 'pending')) return;
  // Finished edits carry no record of their own (the audit chain has it): drop them so the
  // outbox does not grow by one entry per answer.
  doc.outbox = doc.outbox.filter((m) => !edits(m));
  let id = `${post.id}:update:${doc.audit.length}`;
  while (doc.outbox.some((m) => m.id === id)) id += "'";
  doc.outbox.push({ id, kind: 'checklist-update', to: post.to, params: { updates: post.id }, createdAt: now.toISOString(), status: 'pending', attempts: 0 });
}

/** Only the newest checklist of each channel is kept current. */
function supersedeOlder(doc: ReleaseDocument): void {
  const where = (m: OutboxMessage) => ('channel' in m.to ? `${m.to.channel.platform}:${m.to.channel.id}` : `dm:${m.to.person.platform}:${m.to.person.id}`);
  const newest = new Map<string, string>();
  for (const m of doc.outbox) if (m.kind === 'checklist') newest.set(where(m), m.id);
  for (const m of doc.outbox) {
    if (m.kind === 'checklist' && !m.superseded && newest.get(where(m)) !== m.id) m.superseded = true;
  }
}
