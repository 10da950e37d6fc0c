import type { Blocker } from '../domain/readiness.js';
import { b, paragraph, people, t, type Block, type Span } from './elements.js';
import { when } from './format.js';

/** One line per blocker: what, who can clear it, since when. */
export function blockerLines(blockers: readonly Blocker[], zone: string): Block[] {
  return blockers.map((blocker) => {
    const who: Span[] = blocker.owners.length > 0 ? people(blocker.owners) : [];
    if (blocker.ownerRoles.length > 0) who.push(t(`${who.length > 0 ? ', ' : ''}role ${blocker.ownerRoles.join(', ')} (nobody assigned)`));
    return paragraph(b(blocker.failed ? 'FAILED ' : 'WAITING '), t(blocker.what), t(' · owner '), ...(who.length > 0 ? who : [t('nobody assigned')]), t(` · since ${when(blocker.since, zone)}`));
  });
}
