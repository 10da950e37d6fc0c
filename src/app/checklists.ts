import type { ReleaseDocument } from './document.js';
import { evaluate } from '../domain/readiness.js';
import { checklistView } from '../views/checklist.js';

/**
 * Keeps every live checklist message current after a change, in the same write: a checklist not
 * yet posted is simply posted in its newest form; a posted one gets one pending update that later
 * changes overwrite, so a burst of answers edits each message once, not once per answer.
 */
export function refreshChecklists(doc: ReleaseDocument, now: Date): void {
  supersedeOlder(doc);
  const live = doc.outbox.filter((m) => m.kind === 'checklist' && !m.superseded && m.status !== 'failed');
  if (live.length === 0) return;
  const view = checklistView(doc.release, evaluate(doc.release, now), now);
  for (const post of live) {
    if (post.status === 'pending') {
      post.view = view;
      continue;
    }
    const pending = doc.outbox.find((m) => m.kind === 'checklist-update' && m.updates === post.id && m.status === 'pending');
    if (pending) {
      pending.view = view;
      continue;
    }
    // Delivered edits carry no record of their own (the audit chain has it): drop them so the
    // outbox does not grow by one entry per answer.
    doc.outbox = doc.outbox.filter((m) => !(m.kind === 'checklist-update' && m.updates === post.id && m.status === 'sent'));
    doc.outbox.push({
      id: `${post.id}:update:${doc.audit.length}`,
      kind: 'checklist-update',
      channel: post.channel,
      view,
      createdAt: now.toISOString(),
      status: 'pending',
      attempts: 0,
      updates: post.id,
    });
  }
}

/** Only the newest checklist of each channel is kept current. */
function supersedeOlder(doc: ReleaseDocument): void {
  const newest = new Map<string, string>();
  for (const m of doc.outbox) if (m.kind === 'checklist') newest.set(`${m.channel.platform}:${m.channel.id}`, m.id);
  for (const m of doc.outbox) {
    if (m.kind === 'checklist' && !m.superseded && newest.get(`${m.channel.platform}:${m.channel.id}`) !== m.id) m.superseded = true;
  }
}
