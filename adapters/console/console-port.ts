import type { ChatPort } from '../../src/app/chat-port.js';
import { renderText } from './render-text.js';

/** The console's delivery: announcements appear inline, marked with the channel they went to. */
export function consolePort(say: (text: string) => void): ChatPort {
  let next = 0;
  return {
    async post(channel, view) {
      say(`[#${channel.id}] ${renderText(view)}\n`);
      return { ref: `console-${++next}` };
    },
    async update(channel, _ref, view) {
      say(`[#${channel.id}, updated] ${renderText(view)}\n`);
    },
  };
}
