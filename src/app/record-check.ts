import { verifyRecord, type RecordVerdict } from '../domain/record-verify.js';
import { sealEntry, stateHashOf } from '../domain/audit.js';
import type { RefusalTally, ReleaseDocument } from './document.js';
import type { AuditEntry } from '../domain/audit-entry.js';
import type { Quarantine, Store } from './store-port.js';
import type { Clock } from './clock.js';
import { REFUSAL_WINDOW_MS, sealCountedRefusals } from './usecases/change.js';
import { GOLIVE_ACTOR } from './request.js';

/** How golive checks records: under the key when one is set, requiring it unless it is being adopted. */
export interface AuditPolicy {
  key?: string;
  /** GOLIVE_AUDIT_ADOPT_KEY: accept unkeyed records this once and seal them under the key. */
  adopting?: boolean;
}

export function checkRecord(doc: Pick<ReleaseDocument, 'release' | 'audit' | 'refusals'>, policy: AuditPolicy): RecordVerdict {
  const verdict = verifyRecord(doc, { key: policy.key, requireKeyed: policy.key !== undefined && !policy.adopting });
  if (!verdict.ok || !doc.refusals) return verdict;
  const head = doc.audit.at(-1)!;
  if (followsHead(doc.refusals, head)) return verdict;
  // The next change seals these counted repeats (under the key, if set): ones golive could not
  // have counted were added to the file, and must not be sealed as if golive had seen them.
  return {
    ok: false,
    seq: head.seq,
    problem: 'refusals',
    message: `The refused attempts counted after entry ${head.seq} do not follow from it (they must repeat that entry's refusal, by the same person, within a minute of it): they were added outside golive.`,
  };
}

function followsHead(tally: RefusalTally, head: AuditEntry): boolean {
  const [headAt, first, last] = [Date.parse(head.at), Date.parse(tally.first), Date.parse(tally.last)];
  return head.outcome === 'refused' && head.actor.id === tally.actor.id && head.actor.platform === tally.actor.platform && headAt <= first && first <= last && last - headAt <= REFUSAL_WINDOW_MS;
}

/** The store's check at open: a failing record quarantines its release. */
export function recordVerifier(policy: AuditPolicy): (doc: ReleaseDocument) => Quarantine | undefined {
  return (doc) => {
    const verdict = checkRecord(doc, policy);
    return verdict.ok ? undefined : { seq: verdict.seq, message: verdict.message };
  };
}

/**
 * Seals every unkeyed record under the key with one entry saying so, so from then on it must stay
 * keyed. Run only when the operator asks (GOLIVE_AUDIT_ADOPT_KEY): adopting silently would also
 * adopt a record someone rewrote without the key.
 */
export async function adoptAuditKey(store: Store, key: string, clock: Clock, log: (message: string) => void): Promise<number> {
  let adopted = 0;
  for (const { id } of store.list()) {
    const doc = store.get(id);
    if (!doc || store.quarantine(id) || doc.audit.at(-1)?.keyed) continue;
    let from = 0;
    await store.update(id, (current) => {
      // Repeats counted before the key are part of the unkeyed record being adopted.
      sealCountedRefusals(current);
      const head = current.audit.at(-1);
      const at = new Date(Math.max(clock.now().getTime(), head ? Date.parse(head.at) : 0)).toISOString();
      current.audit.push(
        sealEntry(
          current.audit,
          {
            at,
            actor: GOLIVE_ACTOR,
            command: '(GOLIVE_AUDIT_ADOPT_KEY)',
            outcome: 'applied',
            before: { keyed: false },
            after: { keyed: true },
            stateHash: stateHashOf(current.release),
          },
          key,
        ),
      );
      from = current.audit.at(-1)!.seq;
      return current;
    });
    adopted += 1;
    log(`release "${id}": its audit record is sealed under GOLIVE_AUDIT_KEY from entry ${from} on`);
  }
  return adopted;
}
