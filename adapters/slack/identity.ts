import type { Actor } from '../../src/app/request.js';
import type { Channel } from '../../src/domain/release.js';
import { qualify } from '../../src/domain/person-id.js';

export const slackActor = (userId: string): Actor => ({ id: qualify('slack', userId), platform: 'slack' });
export const slackChannel = (channelId: string): Channel => ({ platform: 'slack', id: channelId });

// Slack sends what a person typed with its own markup: mentions and links as `<…>` sequences (a
// label after `|` may hold spaces), and a typed `&`, `<` or `>` as an entity. The grammar reads the
// neutral form, so each sequence is turned into it here, and the entities back into characters.
const SEQUENCE = /<([^<>|]*)(?:\|([^<>]*))?>/g;

/** One `<…>` sequence in neutral form: `<@U1|dan>` is `@slack:U1`, a link its URL, `<!here>` plain `@here`. */
function neutral(target: string, label: string | undefined): string {
  if (target.startsWith('@')) return `@${qualify('slack', target.slice(1))}`;
  if (target.startsWith('!subteam^')) return `@@${qualify('slack', target.slice('!subteam^'.length))}`;
  if (target.startsWith('!')) {
    // A broadcast becomes words: nobody is pinged when golive shows it again. Dates and the like read as their fallback text.
    const word = target.slice(1);
    return /^(channel|here|everyone)$/i.test(word) ? `@${word}` : (label ?? word);
  }
  if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
  if (/^https?:/i.test(target)) return target;
  return label ?? target;
}

/** Slack's text in the neutral form the grammar reads: `@slack:U123`, `@@slack:S1`, bare links. */
export function neutralText(text: string): string {
  return text
    .replace(SEQUENCE, (_sequence, target: string, label: string | undefined) => neutral(target, label))
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** A `/release` command's text as the app reads it. */
export function commandText(text: string): string {
  return `/release ${neutralText(text)}`;
}
