import type { ReleaseTodo, TodoItem } from '../domain/todo.js';
import type { Release } from '../domain/release.js';
import { timeLeft } from '../domain/calendar.js';
import { b, heading, note, paragraph, people, t, type Block, type View } from './elements.js';
import { criterionItem, groupItem } from './status.js';
import { answerActions, decisionActions, signoffActions } from './checklist.js';
import { implementationText, verdictText } from './format.js';

/** The to-do list of one person, with the buttons that clear each item: `todo` and App Home alike. */
export function todoView(personId: string, todos: readonly ReleaseTodo[], now: Date): View {
  const blocks: Block[] = [heading('Waiting for you')];
  for (const todo of todos) {
    const { release, readiness } = todo;
    blocks.push(heading(`${release.name}: ${verdictText(readiness)}`), note(t(`${release.id} · due ${implementationText(release.implementation)}, ${dueText(now, todo.due)}`)));
    blocks.push(...todo.items.map((item) => itemBlock(personId, release, todo, item)));
  }
  if (todos.length === 0) blocks.push(paragraph(t('Nothing waits for you. `/release list` shows every release.')));
  const count = todos.reduce((n, todo) => n + todo.items.length, 0);
  return { title: count === 0 ? 'Nothing waits for you' : `${count} thing${count === 1 ? '' : 's'} wait${count === 1 ? 's' : ''} for you`, blocks };
}

function dueText(now: Date, due: Date): string {
  return due.getTime() > now.getTime() ? `in ${timeLeft(now, due)}` : timeLeft(now, due);
}

function itemBlock(personId: string, release: Release, todo: ReleaseTodo, item: TodoItem): Block {
  const zone = release.implementation.zone;
  switch (item.kind) {
    case 'criterion':
      return { ...criterionItem(item.criterion, zone), actions: answerActions(release, item.criterion.criterion) };
    case 'signoff': {
      const block = groupItem(item.group, zone);
      const others = item.for.filter((p) => p !== personId);
      const lines = others.length > 0 ? [...block.lines, [t('You may sign as delegate for '), ...people(others)]] : block.lines;
      return { ...block, lines, actions: signoffActions(release, item.group.group) };
    }
    case 'decision':
      return {
        type: 'item',
        status: 'pending',
        title: [b(`Decide go or no-go as ${release.approverRole}`)],
        lines: [[t(`Verdict now: ${verdictText(todo.readiness)}, ${todo.readiness.blockers.length} blocker(s)`)]],
        actions: decisionActions(release),
      };
  }
}
