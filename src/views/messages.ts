import { b, paragraph, t, type Block, type Span, type View } from './elements.js';

export function errorView(message: string, usage?: string): View {
  const blocks: Block[] = [paragraph(b('Not done: '), t(message))];
  if (usage) blocks.push(paragraph(t('Usage: '), t(usage, 'code')));
  return { title: 'Not done', blocks };
}

export function refusalView(reason: string): View {
  return { title: 'Not allowed', blocks: [paragraph(b('Not allowed: '), t(reason)), paragraph(t('This attempt has been recorded in the audit trail.', 'italic'))] };
}

export function doneView(title: string, ...content: Span[]): View {
  return { title, blocks: [paragraph(...content)] };
}
