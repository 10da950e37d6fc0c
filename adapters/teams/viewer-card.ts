import type { GoliveApp } from '../../src/app/app.js';
import type { Actor } from '../../src/app/request.js';
import { ActionValue, actionValue } from '../../src/app/language/action-ids.js';
import type { Release } from '../../src/domain/release.js';
import type { View } from '../../src/views/elements.js';

// What a Teams card's refresh needs: which release a card is about, whose clients refresh it, and
// the checklist as the viewer should see it (built by the app, with only the buttons they may press).

/** The release a card is about, from the value its buttons carry. */
export function releaseOfView(view: View): string | undefined {
  for (const block of view.blocks) {
    for (const action of block.type === 'actions' || block.type === 'item' ? (block.actions ?? []) : []) {
      const release = releaseOfValue(action.value);
      if (release) return release;
    }
  }
  return undefined;
}

export function releaseOfValue(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed = ActionValue.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data.r : undefined;
  } catch {
    return undefined;
  }
}

/** What a card's refresh (and a "back" button) sends back: the release, as every button carries it. */
export const refreshData = (releaseId: string) => ({ value: actionValue({ r: releaseId }) });

/**
 * Everyone on Teams who has a part in the release, directly or through an identity they linked on
 * another platform: the users whose clients refresh its card.
 */
export function teamsPeopleOf(release: Release, aliases: (id: string) => readonly string[] = (id) => [id]): string[] {
  const ids = new Set<string>([
    ...release.managers,
    ...Object.values(release.roles).flat(),
    ...release.delegates.flatMap((d) => [d.delegate, d.for]),
    ...release.groups.flatMap((g) => [...g.members, ...g.delegates.flatMap((d) => [d.delegate, d.for])]),
  ]);
  return [...new Set([...ids].flatMap((id) => aliases(id)))].filter((id) => id.startsWith('teams:'));
}

export function checklistFor(app: GoliveApp, releaseId: string, viewer: Actor): Promise<View | undefined> {
  return app.checklistFor(releaseId, viewer);
}
