import type { ReleaseTodo } from '../domain/todo.js';
import { note, t, type View } from './elements.js';
import { todoView } from './todo.js';

/** The morning direct message: the person's whole to-do list, as `todo` shows it, in one message. */
export function digestView(personId: string, todos: readonly ReleaseTodo[], now: Date): View {
  const view = todoView(personId, todos, now);
  return {
    title: `Good morning: ${view.title}`,
    blocks: [...view.blocks, note(t('golive sends this list each working day at 09:00 while something waits for you. '), t('/release notify off', 'code'), t(' stops it.'))],
  };
}
