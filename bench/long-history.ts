import type { ReleaseDocument } from '../store/release-document.js';
import { sealEntry, stateHashOf } from '../src/domain/audit.js';
import type { AuditEntry } from '../src/domain/audit-entry.js';

/**
 * `template` (a real record, made through the app) with its audit chain grown to `entries`
 * entries, as if its owners had answered that often: copies of the template's own applied
 * confirms, `spacingMs` apart (a second unless said), each sealed after the one before and carrying the release's state
 * hash, so the record verifies at open like one golive wrote. Built in memory: seconds, not the
 * hours that 100,000 durable writes through the app would take.
 */
export function withHistory(template: ReleaseDocument, entries: number, spacingMs = 1000): ReleaseDocument {
  const answers = template.audit.filter((entry) => entry.outcome === 'applied' && /^\/release confirm /.test(entry.command));
  if (answers.length === 0) throw new Error('the template record holds no applied confirm to copy');
  if (entries < template.audit.length) throw new Error(`the template already holds ${template.audit.length} entries, more than ${entries}`);
  const stateHash = stateHashOf(template.release);
  const audit: AuditEntry[] = [...template.audit];
  let at = Date.parse(audit.at(-1)!.at);
  while (audit.length < entries) {
    const { seq: _s, prevHash: _p, hash: _h, keyed: _k, ...content } = answers[audit.length % answers.length]!;
    at += spacingMs;
    // A request id names one platform request: each copy gets its own, as each answer would.
    const request = content.request && `${content.request}-${audit.length}`;
    audit.push(sealEntry(audit, { ...content, at: new Date(at).toISOString(), stateHash, ...(request && { request }) }));
  }
  return { ...template, audit };
}

/** The instant just after the newest entry, where a clock continuing the history starts. */
export function after(doc: ReleaseDocument): number {
  return Date.parse(doc.audit.at(-1)!.at) + 1000;
}
