import type { types } from '@slack/bolt';

type KnownBlock = types.KnownBlock;

// Blocks rendered once and shared (frozen; render-blocks.ts keeps them per view) are serialised
// and encoded once too: a status asked for by many people is the same bytes each time, kept
// outside the JavaScript heap.

const serialised = new WeakMap<readonly KnownBlock[], Buffer>();

/** `blocks` as the JSON bytes a Web API call's body carries. */
export function blocksJson(blocks: readonly KnownBlock[]): Buffer {
  let json = serialised.get(blocks);
  if (json === undefined) {
    json = Buffer.from(JSON.stringify(blocks));
    if (Object.isFrozen(blocks)) serialised.set(blocks, json);
  }
  return json;
}
