import type { Platform } from '../domain/primitives.js';
import { b, paragraph, people, t, user, type Span, type View } from './elements.js';

/** Who did something, as the record names them: a qualified id and the platform it came through. */
export interface Actor {
  id: string;
  platform: Platform;
}

/** A person is mentioned; a webhook (`hook:…`) is named, since nobody can be pinged as it. */
export const actorSpan = (actor: Actor): Span => (actor.platform === 'hook' ? t(actor.id) : user(actor.id));

export interface BrokenCriterion {
  number: number;
  id: string;
  owners: string[];
  why: string;
}

/** Told in the release's channels when new facts undo what owners had confirmed. */
export function factsAlert(releaseName: string, actor: Actor, broken: readonly BrokenCriterion[]): View {
  return {
    title: `Facts changed for ${releaseName}`,
    blocks: [
      paragraph(
        b(`Facts changed for ${releaseName}`),
        t(' (reported by '),
        actorSpan(actor),
        t(`${actor.platform === 'hook' ? ' via hook' : ''}): `),
        t(broken.length === 1 ? 'one criterion needs its owners again.' : `${broken.length} criteria need their owners again.`),
      ),
      ...broken.map((c) => paragraph(b(`${c.number}. ${c.id}`), t(`: ${c.why}. Owners: `), ...people(c.owners, 'nobody yet'))),
    ],
  };
}
