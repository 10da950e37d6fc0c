import type { Actor } from '../../src/app/request.js';
import type { Channel } from '../../src/domain/release.js';

export const slackActor = (userId: string): Actor => ({ id: userId, platform: 'slack' });
export const slackChannel = (channelId: string): Channel => ({ platform: 'slack', id: channelId });

/**
 * Slack sends `&`, `<` and `>` typed by a person as entities while mentions and links arrive as
 * `<…>`; the grammar reads the person's own characters, so entities are turned back.
 */
export function commandText(text: string): string {
  return `/release ${text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')}`;
}
