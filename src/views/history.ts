import { b, link, note, paragraph, t, user, type Block, type Span, type Status, type View } from './elements.js';
import { when } from './format.js';
import { withMentions } from './messages.js';

/** One thing that happened to an item, oldest first in a timeline. */
export interface TimelineEvent {
  at: string;
  status: Status;
  /** Who did it; the person they stood in for, if anyone. */
  by?: string;
  onBehalfOf?: string;
  platform?: string;
  /** What happened, in a few words ("met", "turned off", "mitigation added"). */
  what: Span[];
  comment?: string;
  evidence?: readonly string[];
  /** Marks people look for: stale, withdrawn, replaced, refused. */
  marks?: readonly string[];
}

export interface Timeline {
  /** "criterion 3 (code-ready)", "review group OPSG", "switch SECMP0062", "risk R1". */
  subject: string;
  /** The item's own words: the criterion's text, the risk's description. */
  description?: string;
  /** How an ambiguous name was read, said before anything else. */
  resolved?: string;
  events: TimelineEvent[];
}

export function historyView(releaseName: string, zone: string, timeline: Timeline): View {
  const blocks: Block[] = [];
  if (timeline.resolved) blocks.push(note(t(timeline.resolved)));
  blocks.push({ type: 'heading', text: `History of ${timeline.subject}: ${releaseName}` });
  if (timeline.description) blocks.push(paragraph(t(timeline.description, 'italic')));
  if (timeline.events.length === 0) blocks.push(paragraph(t('Nothing recorded yet.')));
  const ordered = [...timeline.events].sort((x, y) => Date.parse(x.at) - Date.parse(y.at));
  for (const event of ordered) {
    const title: Span[] = [b(when(event.at, zone)), t(' · '), ...event.what];
    if (event.by !== undefined) {
      title.push(t(' · '), user(event.by));
      if (event.onBehalfOf !== undefined) title.push(t(' for '), user(event.onBehalfOf));
      if (event.platform !== undefined) title.push(t(` via ${event.platform}`));
    }
    const lines: Span[][] = [];
    if (event.comment) lines.push([t('"'), t(event.comment), t('"')]);
    if (event.evidence && event.evidence.length > 0) lines.push([t('Evidence: '), ...event.evidence.flatMap((url, i) => (i === 0 ? [link(url)] : [t(', '), link(url)]))]);
    // A mark may quote a refusal, which names people as `@id`: they are shown as people.
    for (const mark of event.marks ?? []) lines.push(withMentions(mark).map((span) => (span.type === 'text' ? t(span.text, 'italic') : span)));
    blocks.push({ type: 'item', status: event.status, title, lines });
  }
  blocks.push(note(t(`Times in ${zone}. ${ordered.length} event${ordered.length === 1 ? '' : 's'}.`)));
  return { title: `History of ${timeline.subject}`, blocks };
}
