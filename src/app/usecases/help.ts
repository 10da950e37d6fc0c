import { helpText } from '../language/usage.js';
import type { Reply } from '../request.js';
import { reply } from './result.js';
import { paragraph, t, type View } from '../../views/elements.js';

export function helpView(topic?: string): View {
  return { title: 'golive help', blocks: helpText(topic).map((line) => paragraph(t(line))) };
}

export function handleHelp(topic?: string): Reply[] {
  return [reply(helpView(topic))];
}
