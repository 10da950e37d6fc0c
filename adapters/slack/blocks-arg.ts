import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

// The Web API takes `blocks` as a JSON string in its form-encoded body. WebClient makes that string
// of an array on every call, and before that walks and copies the whole array once more for a debug
// line it builds even when debug logging is off: for a full checklist, more work than the rest of
// the call. Handed the string, it sends it as it is (the same bytes), and blocks that are rendered
// once and shared (frozen) are serialised once.

const serialised = new WeakMap<readonly KnownBlock[], string>();

/** `blocks` as the Web API's JSON string, typed as WebClient's argument (which sends a string unchanged). */
export function blocksArg(blocks: readonly KnownBlock[]): KnownBlock[] {
  let json = serialised.get(blocks);
  if (json === undefined) {
    json = JSON.stringify(blocks);
    if (Object.isFrozen(blocks)) serialised.set(blocks, json);
  }
  return json as unknown as KnownBlock[];
}
