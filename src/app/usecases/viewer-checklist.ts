import type { Actor } from '../request.js';
import { Refusal } from '../request.js';
import { ActionValue } from '../language/action-ids.js';
import { authorizeAnswer, authorizeDecision, authorizeSignoff } from './authz.js';
import type { Release } from '../../domain/release.js';
import type { Action, Block, View } from '../../views/elements.js';

// The checklist as one person should see it: the same view, with only the buttons they may press
// (a card's per-viewer refresh on Teams). Authorisation still happens when a button is pressed;
// this only spares people buttons that would refuse them. It lives with authorisation so the two
// never disagree, linked identities included.

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
