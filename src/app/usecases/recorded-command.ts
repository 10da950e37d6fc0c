import type { AuditEntry } from '../../domain/audit-entry.js';
import type { Command } from '../language/commands.js';
import { parse } from '../language/parser.js';

/**
 * What an audit entry's command was, read again with the one grammar; buttons add " (button)".
 *
 * Entries recorded before platform markup left the grammar hold Slack's mentions and links as they
 * arrived (`<@U1|dan>`, `<!subteam^S1|@ops>`, `<https://x|label>`): the record is never rewritten,
 * so such a command, which no longer parses, is read once more with that markup in neutral form.
 */
export function recordedCommand(entry: Pick<AuditEntry, 'command'>): Command | undefined {
  const text = entry.command.replace(/ \((?:button|form)\)$/, '');
  const parsed = parse(text);
  if (parsed.ok) return parsed.value.command;
  if (!text.includes('<')) return undefined;
  const again = parse(
    text
      .replace(/<@([^|<>\s]+)(?:\|[^<>]*)?>/g, '@slack:$1')
      .replace(/<!subteam\^([^|<>\s]+)(?:\|[^<>]*)?>/g, '@@slack:$1')
      .replace(/<(https?:[^|<>\s]+)(?:\|[^<>]*)?>/g, '$1'),
  );
  return again.ok ? again.value.command : undefined;
}
