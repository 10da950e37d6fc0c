import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

// Blocks rendered once and shared (frozen; render-blocks.ts keeps them per view) are serialised
// once too: a status asked for by many people is the same bytes each time.

const serialised = new WeakMap<readonly KnownBlock[], string>();

/** `blocks` as the JSON a Web API call's body carries. */
export function blocksJson(blocks: readonly KnownBlock[]): string {
  let json = serialised.get(blocks);
  if (json === undefined) {
    json = JSON.stringify(blocks);
    if (Object.isFrozen(blocks)) serialised.set(blocks, json);
  }
  return json;
}
