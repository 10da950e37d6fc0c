import type { Release } from '../../domain/release.js';
import { todoFor } from '../../domain/todo.js';
import type { View } from '../../views/elements.js';
import { todoView } from '../../views/todo.js';
import type { Store } from '../store-port.js';

/** Every release whose record verifies: one that fails verification asks nothing of anybody. */
export function trustedReleases(store: Store): Release[] {
  return store.list().flatMap((summary) => {
    const doc = store.get(summary.id);
    return doc && !store.quarantine(summary.id) ? [doc.release] : [];
  });
}

/** The one to-do list of a person: the `todo` command and Slack's App Home both show this. */
/** `selves`: the person's id first, then the identities they linked on other platforms. */
export function todoViewFor(store: Store, selves: readonly string[], now: Date): View {
  return todoView(selves[0]!, todoFor(selves, trustedReleases(store), now), now);
}
