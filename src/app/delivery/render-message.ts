/**
 * The outbox's renderers, one per message kind, keyed by kind.
 *
 * An OutboxMessage stores what to say (its `kind` and plain-JSON `params`), never rendered blocks:
 * it is put into words here, when it is delivered, from the release as it is then. So
 * changing a view changes what the next delivery says and never what is stored.
 *
 * Kinds and their params (see outbox-message.ts for the schemas):
 * - `checklist`         {}                           the checklist as it is now, posted to a channel
 * - `checklist-update`  { updates }                  an edit, in place, of checklist message `updates`
 * - `decision`          { index, openBlockers? }     release.decisions[index] announced
 * - `date-moved`        { index }                    release.dateChanges[index] announced
 * - `switch-alert`      { key, index }               switch `key`'s history[index] announced
 * - `facts-alert`       { actor, broken[] }          criteria that new facts undid
 * - `closed`            {}                           release.outcome announced
 * - `legacy-view`       { view, was }                stored by an older golive, sent as stored
 * - `kickoff`, `reminder`, `evidence-reminder`, `escalation`, `outcome-ask` (DMs) and
 *   `evidence-deadline`, `go-no-go`, `go-live` (channels)  { occurrence, point, group? }
 *                                                  a schedule point acted on (src/app/delivery/scheduler.ts)
 *
 * Every message may also carry `record` (the audit head when it was decided on, shown as a note),
 * `dueAt` and `late` (a "(late: due …)" note), and goes `to` a channel or to one person (a DM).
 *
 * To add a kind: add its params schema and `kindOf('<kind>', Params)` in outbox-message.ts, write a
 * `KindRenderer<'<kind>'>` in kinds/<kind>.ts (it may throw Undeliverable when what it speaks of is
 * gone), and list it in RENDERERS below; the compiler refuses a kind without a renderer.
 */
import type { StoredRelease } from '../store-port.js';
import { note, t, type View } from '../../views/elements.js';
import { when } from '../../views/format.js';
import { withRecordNote } from '../../views/messages.js';
import type { KindRenderer } from './kind-renderer.js';
import type { MessageKind, OutboxMessage } from './outbox-message.js';
import { checklist, checklistUpdate } from './kinds/checklist.js';
import { decision } from './kinds/decision.js';
import { dateMoved } from './kinds/date-moved.js';
import { switchAlert } from './kinds/switch-alert.js';
import { factsAlert } from './kinds/facts-alert.js';
import { closed } from './kinds/closed.js';
import { legacyView } from './kinds/legacy-view.js';
import { escalation, evidenceDeadlineNotice, evidenceReminder, goLive, goNoGo, kickoff, outcomeAsk, reminder } from './kinds/scheduled.js';

export const RENDERERS: { [K in MessageKind]: KindRenderer<K> } = {
  checklist,
  'checklist-update': checklistUpdate,
  decision,
  'date-moved': dateMoved,
  'switch-alert': switchAlert,
  'facts-alert': factsAlert,
  closed,
  'legacy-view': legacyView,
  kickoff,
  reminder,
  'evidence-deadline': evidenceDeadlineNotice,
  'evidence-reminder': evidenceReminder,
  escalation,
  'go-no-go': goNoGo,
  'go-live': goLive,
  'outcome-ask': outcomeAsk,
};

// The registry's type pairs each kind with its renderer; indexing it by a union loses that pairing.
type AnyRenderer = { words: string | ((m: OutboxMessage) => string); render(m: OutboxMessage, doc: Pick<StoredRelease, 'release'>, now: Date): View };
const rendererOf = (message: OutboxMessage) => RENDERERS[message.kind] as unknown as AnyRenderer;

/** What `message` says now: its kind's view, then the late and audit record notes it carries. */
export function renderMessage(message: OutboxMessage, doc: Pick<StoredRelease, 'release'>, now: Date): View {
  let view = rendererOf(message).render(message, doc, now);
  if (message.late) {
    const due = message.dueAt ? `due ${when(message.dueAt, doc.release.implementation.zone)}` : 'sent after it was due';
    view = { ...view, blocks: [...view.blocks, note(t(`(late: ${due})`, 'italic'))] };
  }
  if (message.record) view = withRecordNote(view, message.record.seq, message.record.hash);
  return view;
}

/** The kind in words, as status names a message that could not be delivered. */
export function messageWords(message: OutboxMessage): string {
  const { words } = rendererOf(message);
  return typeof words === 'string' ? words : words(message);
}
