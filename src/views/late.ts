import type { LateFor } from '../domain/late-evidence.js';
import { when } from './format.js';

/**
 * "Late for TAG: given 7 Nov 2019 18:00 GMT, after its evidence deadline 6 Nov 2019 17:00 GMT",
 * one sentence per deadline: groups that share a deadline (OPSG and TAG meeting the same day)
 * share the sentence. `given` is left out where the answer's time is already shown beside it;
 * `name` makes group names safe for where the text goes (Markdown in the paper).
 */
export function lateTexts(late: readonly LateFor[], zone: string, given?: string, name: (text: string) => string = (text) => text): string[] {
  const byDeadline = new Map<number, string[]>();
  for (const { group, deadline } of late) byDeadline.set(deadline.getTime(), [...(byDeadline.get(deadline.getTime()) ?? []), name(group.name)]);
  return [...byDeadline].map(([deadline, groups]) => {
    const whose = groups.length === 1 ? 'its' : 'their';
    const at = given === undefined ? '' : ` given ${when(given, zone)},`;
    return `Late for ${groups.join(' and ')}:${at} after ${whose} evidence deadline ${when(new Date(deadline), zone)}`;
  });
}
