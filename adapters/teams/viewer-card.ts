import type { GoliveApp } from '../../src/app/app.js';
import type { Actor } from '../../src/app/request.js';
import { ActionValue, actionValue } from '../../src/app/language/action-ids.js';
import { authorizeAnswer, authorizeDecision, authorizeSignoff } from '../../src/app/usecases/authz.js';
import { evaluate } from '../../src/domain/readiness.js';
import type { Release } from '../../src/domain/release.js';
import { checklistView } from '../../src/views/checklist.js';
import type { Action, Block, View } from '../../src/views/elements.js';
import { Refusal } from '../../src/app/request.js';

// The checklist as one person should see it in Teams: the same card, with only the buttons they may
// press. It is what a card's refresh shows each viewer and what an invoke answers with once it is done.
// Authorisation still happens when a button is pressed; this only spares people buttons that would refuse them.

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

/** Everyone on Teams who has a part in the release: the users whose clients refresh its card. */
export function teamsPeopleOf(release: Release): string[] {
  const ids = new Set<string>([
    ...release.managers,
    ...Object.values(release.roles).flat(),
    ...release.delegates.flatMap((d) => [d.delegate, d.for]),
    ...release.groups.flatMap((g) => [...g.members, ...g.delegates.flatMap((d) => [d.delegate, d.for])]),
  ]);
  return [...ids].filter((id) => id.startsWith('teams:'));
}

export function checklistFor(app: GoliveApp, releaseId: string, viewer: Actor): View | undefined {
  const doc = app.deps.store.get(releaseId);
  if (!doc) return undefined;
  const now = app.deps.clock.now();
  return ownButtons(checklistView(doc.release, evaluate(doc.release, now), now), doc.release, viewer);
}

export function ownButtons(view: View, release: Release, viewer: Actor): View {
  const keep = (action: Action) => mayPress(action, release, viewer);
  const blocks = view.blocks.flatMap((block): Block[] => {
    if (block.type === 'actions') {
      const actions = block.actions.filter(keep);
      return actions.length > 0 ? [{ ...block, actions }] : [];
    }
    if (block.type === 'item' && block.actions) {
      const { actions: all, ...rest } = block;
      const actions = all.filter(keep);
      return [actions.length > 0 ? { ...rest, actions } : rest];
    }
    return [block];
  });
  return { ...view, blocks };
}

function mayPress(action: Action, release: Release, viewer: Actor): boolean {
  let target: ActionValue | undefined;
  try {
    const parsed = ActionValue.safeParse(JSON.parse(action.value));
    target = parsed.success ? parsed.data : undefined;
  } catch {
    target = undefined;
  }
  const [, kind] = action.id.split(':');
  try {
    if (kind === 'answer') {
      const criterion = release.criteria.find((c) => c.id === target?.c);
      if (criterion) authorizeAnswer(release, criterion, viewer);
    } else if (kind === 'signoff') {
      const group = release.groups.find((g) => g.id === target?.g);
      if (group) authorizeSignoff(group, viewer);
    } else if (kind === 'decide') {
      authorizeDecision(release, viewer);
    }
    return true;
  } catch (error) {
    // A delegate for several people is asked whom they answer for: the button stays, the command says so.
    if (error instanceof Refusal) return /--for/.test(error.message);
    throw error;
  }
}
