import type { ChatPort } from '../../src/app/delivery/chat-port.js';
import { renderText } from './render-text.js';
import { localId } from '../../src/domain/person-id.js';

/**
 * The console's delivery: announcements appear inline, marked with the channel they went to. The
 * checklist kept up to date after each change is not redrawn: the change's own reply says what was
 * recorded, and `/release status` shows the whole of it.
 */
export function consolePort(say: (text: string) => void): ChatPort {
  let next = 0;
  return {
    async post(channel, view) {
      say(`[#${channel.id}] ${renderText(view)}\n`);
      return { ref: `console-${++next}` };
    },
    async dm(person, view) {
      say(`[DM @${localId(person.id)}] ${renderText(view)}\n`);
      return { ref: `console-${++next}` };
    },
    async update() {},
  };
}
