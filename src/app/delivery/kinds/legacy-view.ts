import type { KindRenderer } from '../kind-renderer.js';

/**
 * A message written before the outbox held intent: its view was rendered then and is sent as it
 * was stored (its audit record note included), so nothing pending at an upgrade is lost.
 */
export const legacyView: KindRenderer<'legacy-view'> = {
  words: ({ params }) => (params.was === 'alert' ? 'Switch alert' : 'Announcement'),
  render: ({ params }) => params.view,
};
