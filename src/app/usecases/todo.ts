import type { Release } from '../../domain/release.js';
import { todoFor } from '../../domain/todo.js';
import type { View } from '../../views/elements.js';
import { todoView } from '../../views/todo.js';
import type { Store } from '../store-port.js';

/** Every release whose record verifies: one that fails verification asks nothing of anybody. */
export async function trustedReleases(store: Store): Promise<Release[]> {
  const releases: Release[] = [];
  for (const { id } of await store.list()) {
    const stored = await store.get(id);
    if (stored && !(await store.quarantine(id))) releases.push(stored.release);
  }
  return releases;
}

/** The one to-do list of a person: the `todo` command and Slack's App Home both show this. */
/** `selves`: the person's id first, then the identities they linked on other platforms. */
export async function todoViewFor(store: Store, selves: readonly string[], now: Date): Promise<View> {
  return todoView(selves[0]!, todoFor(selves, await trustedReleases(store), now), now);
}
