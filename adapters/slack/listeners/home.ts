import type { App, webApi } from '@slack/bolt';
import type { SlackDeps } from '../deps.js';
import { slackActor } from '../identity.js';
import { LIMITS, renderBlocks } from '../render-blocks.js';

export async function publishHome(client: webApi.WebClient, deps: SlackDeps, userId: string): Promise<void> {
  const { blocks } = renderBlocks(await deps.app.home(slackActor(userId)), { maxBlocks: LIMITS.surfaceBlocks });
  await client.views.publish({ user_id: userId, view: { type: 'home', blocks } });
}

/** App Home: the person's pending items across every release, with the same buttons. */
export function registerHome(bolt: App, deps: SlackDeps): void {
  bolt.event('app_home_opened', async ({ event, client }) =>
    deps.inflight.run(async () => {
      if (event.tab !== 'home') return;
      await publishHome(client, deps, event.user);
    }),
  );
}
