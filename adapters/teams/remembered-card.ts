import type { Span, View } from '../../src/views/elements.js';
import { deepFreeze } from '../../src/domain/deep-freeze.js';
import type { AdaptiveCard, MentionEntity } from './card-types.js';
import type { CardOptions } from './render-card.js';

// A frozen view cannot change (a remembered status, see rememberedStatusView), so its card is made
// once for each way the options can change it: the names its people have now, and the refresh. The
// names are looked up on every call, so a name learnt since is shown at once.

export interface RenderedCard {
  card: AdaptiveCard;
  mentions: MentionEntity[];
}

/** Several people asking at once see the same names; a refresh's user list differs per card. */
const KEPT_PER_VIEW = 4;

const cards = new WeakMap<View, Map<string, RenderedCard>>();
const people = new WeakMap<View, string[]>();

/** `render(view, options)`, the same frozen card each time for a frozen view, these names and this refresh. */
export function rememberedCard(view: View, options: CardOptions, render: (view: View, options: CardOptions) => RenderedCard): RenderedCard {
  if (!Object.isFrozen(view)) return render(view, options);
  const names = options.names;
  const key = JSON.stringify([options.refresh ?? null, names ? peopleIn(view).map((id) => names(id) ?? null) : null]);
  let byKey = cards.get(view);
  if (!byKey) cards.set(view, (byKey = new Map()));
  let card = byKey.get(key);
  if (!card) {
    card = deepFreeze(render(view, options));
    byKey.set(key, card);
    if (byKey.size > KEPT_PER_VIEW) byKey.delete(byKey.keys().next().value!);
  }
  return card;
}

/** Every person a view shows, once each: all a card asks its names of. */
function peopleIn(view: View): string[] {
  let ids = people.get(view);
  if (!ids) {
    const found = new Set<string>();
    const spans = (list: readonly Span[]) => {
      for (const span of list) if (span.type === 'user') found.add(span.id);
    };
    for (const block of view.blocks) {
      if (block.type === 'paragraph' || block.type === 'note') spans(block.content);
      else if (block.type === 'fields') for (const field of block.fields) spans(field.value);
      else if (block.type === 'item') {
        spans(block.title);
        for (const line of block.lines) spans(line);
      }
    }
    people.set(view, (ids = [...found]));
  }
  return ids;
}
