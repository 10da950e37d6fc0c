import type { Clock } from '../src/app/clock.js';
import type { Inbox } from '../src/app/inbox.js';
import type { Store } from '../src/app/store-port.js';
import { serve, type Serving } from '../src/serve.js';
import { createSlackAdapter } from '../adapters/slack/bolt-app.js';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';
import { slashCommand } from '../test/support/slack-requests.js';

const SIGNING_SECRET = 'bench0signing0secret0bench0signing';
export const CHANNEL = 'C0BENCH';

export interface SlackGolive {
  /** golive's one HTTP server (Slack's /slack/events, GET /healthz). */
  url: string;
  serving: Serving;
  fake: FakeSlack;
  /** What golive logged: printed when something in a benchmark goes wrong. */
  logs: string[];
  /** Sends `/release <text>` as Slack user `userId`, signed as Slack signs it; resolves on the ack. */
  command(userId: string, text: string): Promise<number>;
  /** Resolves when every acknowledged request has been handled and the outbox has gone round. */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * golive's real HTTP server (src/serve.ts) with the Slack adapter, Bolt's HTTP receiver on a
 * loopback port, against a fake Slack Web API on 127.0.0.1: what the test harness does, without
 * vitest, for benchmarks. Closing it leaves `store` and `inbox` open.
 */
export async function serveSlack(store: Store, inbox: Inbox, clock: Clock): Promise<SlackGolive> {
  const fake = await startFakeSlack();
  const logs: string[] = [];
  const log = (message: string) => void logs.push(message);
  const serving = await serve({
    adapters: [(deps) => createSlackAdapter({ botToken: 'xoxb-bench-token', signingSecret: SIGNING_SECRET, apiUrl: fake.url }, deps)],
    store,
    inbox,
    clock,
    port: 0,
    host: '127.0.0.1',
    log,
  });
  const url = `http://127.0.0.1:${serving.port}`;
  return {
    url,
    serving,
    fake,
    logs,
    async command(userId, text) {
      const response = await slashCommand(url, SIGNING_SECRET, { text, userId, channelId: CHANNEL });
      return response.status;
    },
    async settled() {
      await serving.idle();
      await serving.outbox.kick();
    },
    async close() {
      await serving.close();
      await fake.close();
    },
  };
}
