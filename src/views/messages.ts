import { b, paragraph, t, user, type Block, type Span, type View } from './elements.js';

export function errorView(message: string, usage?: string): View {
  const blocks: Block[] = [paragraph(b('Not done: '), ...withMentions(message))];
  if (usage) blocks.push(paragraph(t('Usage: '), t(usage, 'code')));
  return { title: 'Not done', blocks };
}

/** `@id` in app messages names a person: shown as a real mention where the platform has them. */
export function withMentions(text: string): Span[] {
  return text.split(/(@[A-Za-z0-9][A-Za-z0-9._:@_-]*[A-Za-z0-9])/).flatMap((part, i) => (part === '' ? [] : i % 2 === 1 ? [user(part.slice(1))] : [t(part)]));
}

export function refusalView(reason: string): View {
  return { title: 'Not allowed', blocks: [paragraph(b('Not allowed: '), ...withMentions(reason)), paragraph(t('This attempt has been recorded in the audit trail.', 'italic'))] };
}

export function doneView(title: string, ...content: Span[]): View {
  return { title, blocks: [paragraph(...content)] };
}

/**
 * The audit record's head as of a message: people see it in the channel, so a record cut or
 * rewritten later is caught with `/release audit verify --head <hash>`.
 */
export function withRecordNote(view: View, seq: number, head: string): View {
  return { ...view, blocks: [...view.blocks, recordNote(seq, head)] };
}

export function recordNote(seq: number, head: string): Block {
  return { type: 'note', content: [t(`Audit record: entry ${seq}, head `), t(shortHead(head), 'code')] };
}

/** The first 12 hex characters: enough to find an entry, short enough to read out. */
export const shortHead = (hash: string) => hash.slice(0, 12);
