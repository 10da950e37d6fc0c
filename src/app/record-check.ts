import { verifyRecord, type RecordVerdict } from '../domain/record-verify.js';
import { RecordStream } from '../domain/record-stream.js';
import type { AuditEntry } from '../domain/audit-entry.js';
import type { Release } from '../domain/release.js';
import type { RefusalTally } from './refusal-tally.js';
import type { Quarantine, Store } from './store-port.js';
import type { Clock } from './clock.js';
import { RecordDraft, REFUSAL_WINDOW_MS } from './usecases/record-draft.js';
import { GOLIVE_ACTOR } from './request.js';

/** A release's whole record: its state, its audit chain and the refusals counted beside it. */
export interface ReleaseRecord {
  release: Release;
  audit: readonly AuditEntry[];
  refusals?: RefusalTally | undefined;
}

/** How golive checks records: under the key when one is set, requiring it unless it is being adopted. */
export interface AuditPolicy {
  key?: string;
  /** GOLIVE_AUDIT_ADOPT_KEY: accept unkeyed records this once and seal them under the key. */
  adopting?: boolean;
}

export function checkRecord(doc: ReleaseRecord, policy: AuditPolicy): RecordVerdict {
  const verdict = verifyRecord(doc, verifyOptions(policy));
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

function verifyOptions(policy: AuditPolicy) {
  return { key: policy.key, requireKeyed: policy.key !== undefined && !policy.adopting };
}

function followsHead(tally: RefusalTally, head: AuditEntry): boolean {
  const [headAt, first, last] = [Date.parse(head.at), Date.parse(tally.first), Date.parse(tally.last)];
  return head.outcome === 'refused' && head.actor.id === tally.actor.id && head.actor.platform === tally.actor.platform && headAt <= first && first <= last && last - headAt <= REFUSAL_WINDOW_MS;
}

/** checkRecord entry by entry, as a long record is read (see RecordStream). */
export interface StreamingCheck {
  add(entry: AuditEntry): boolean;
  /** True when checkRecord passes the record; false when checkRecord, over the whole record, must say why not. */
  passes(record: Omit<ReleaseRecord, 'audit'>): boolean;
}

/** The store's check of each record: a failing record quarantines its release. */
export interface RecordVerifier {
  (record: ReleaseRecord): Quarantine | undefined;
  /** The same check without holding the entries: one that does not pass is checked whole for the verdict. */
  streaming?: () => StreamingCheck;
}

export function recordVerifier(policy: AuditPolicy): RecordVerifier {
  const verify: RecordVerifier = (doc) => {
    const verdict = checkRecord(doc, policy);
    return verdict.ok ? undefined : { seq: verdict.seq, message: verdict.message };
  };
  verify.streaming = () => {
    const stream = new RecordStream(verifyOptions(policy));
    return {
      add: (entry) => stream.add(entry),
      passes: ({ release, refusals }) => stream.verdict(release) !== undefined && (!refusals || followsHead(refusals, stream.head!)),
    };
  };
  return verify;
}

/**
 * Seals every unkeyed record under the key with one entry saying so, so from then on it must stay
 * keyed. Run only when the operator asks (GOLIVE_AUDIT_ADOPT_KEY): adopting silently would also
 * adopt a record someone rewrote without the key.
 */
export async function adoptAuditKey(store: Store, key: string, clock: Clock, log: (message: string) => void): Promise<number> {
  let adopted = 0;
  for (const { id } of await store.list()) {
    const stored = await store.get(id);
    if (!stored || (await store.quarantine(id)) || stored.head?.keyed) continue;
    const from = await store.transact(id, (current) => {
      const record = new RecordDraft(current);
      // Repeats counted before the key are part of the unkeyed record being adopted.
      record.flushRefusals();
      const at = new Date(Math.max(clock.now().getTime(), current.head ? Date.parse(current.head.at) : 0, current.refusals ? Date.parse(current.refusals.last) : 0)).toISOString();
      const entry = record.seal({ at, actor: GOLIVE_ACTOR, command: '(GOLIVE_AUDIT_ADOPT_KEY)', outcome: 'applied', before: { keyed: false }, after: { keyed: true } }, key);
      return { ...record.commit(), result: entry.seq };
    });
    adopted += 1;
    log(`release "${id}": its audit record is sealed under GOLIVE_AUDIT_KEY from entry ${from} on`);
  }
  return adopted;
}
