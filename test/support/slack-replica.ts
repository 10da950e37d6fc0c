import { createSlackAdapter } from '../../adapters/slack/bolt-app.js';
import type { GoliveApp } from '../../src/app/app.js';
import type { Clock } from '../../src/app/clock.js';
import type { Inbox } from '../../src/app/inbox.js';
import { recordVerifier } from '../../src/app/record-check.js';
import type { Store } from '../../src/app/store-port.js';
import { serve, type Serving } from '../../src/serve.js';
import { openPgInbox } from '../../store/postgres/pg-inbox.js';
import { openPostgresStore } from '../../store/postgres/postgres-store.js';
import type { FakeSlack } from './fake-slack.js';
import type { TestSchema } from './postgres.js';
import { slashCommand } from './slack-requests.js';

export const SECRET = 'abcdef0123456789abcdef0123456789';

/**
 * One golive replica in this process: its own connections to the test schema, its own store and
 * inbox on them (as main.ts opens them with DATABASE_URL), serving Slack for real (Bolt's HTTP
 * receiver on a loopback port) against the fake Slack every replica shares. Its periodic inbox
 * pass is off unless asked for: a test runs it with `serving.recover()` at the clock it sets.
 */
export class SlackReplica {
  private constructor(
    readonly name: string,
    readonly store: Store,
    readonly inbox: Inbox,
    readonly serving: Serving,
    readonly logs: string[],
  ) {}

  /**
   * With `appToken` the replica serves Slack in Socket Mode instead: it opens its own connection to
   * whatever Socket Mode URL the fake Slack hands out, and serve() resolves once Slack said hello.
   */
  static async open(name: string, schema: TestSchema, fake: FakeSlack, clock: Clock, options: { recoveryEveryMs?: number; appToken?: string } = {}): Promise<SlackReplica> {
    const db = await schema.db();
    const store = await openPostgresStore(db, { verify: recordVerifier({}) });
    const inbox = await openPgInbox(db, { clock, holder: name }).catch(async (error: unknown) => {
      await store.close();
      throw error;
    });
    const logs: string[] = [];
    const serving = await serve({
      adapters: [
        (deps) =>
          createSlackAdapter(
            options.appToken ? { botToken: 'xoxb-test-token', appToken: options.appToken, apiUrl: fake.url } : { botToken: 'xoxb-test-token', signingSecret: SECRET, apiUrl: fake.url },
            deps,
          ),
      ],
      store,
      inbox,
      clock,
      port: 0,
      host: '127.0.0.1',
      log: (message) => logs.push(message),
      ...(options.recoveryEveryMs !== undefined && { recovery: { everyMs: options.recoveryEveryMs } }),
    });
    return new SlackReplica(name, store, inbox, serving, logs);
  }

  get url(): string {
    return `http://127.0.0.1:${this.serving.port}`;
  }

  get app(): GoliveApp {
    return this.serving.app;
  }

  /** Sends `/release <text>` as `userId` and waits until this replica has answered it. */
  async command(userId: string, text: string, channelId: string): Promise<number> {
    const response = await slashCommand(this.url, SECRET, { text, userId, channelId });
    await this.settled();
    return response.status;
  }

  /** Waits for the work done after acks, then for the outbox to go round. */
  async settled(): Promise<void> {
    await this.serving.idle();
    await this.serving.outbox.kick();
  }

  async close(): Promise<void> {
    await this.serving.close();
    await this.inbox.close();
    await this.store.close();
  }
}

/**
 * Stops every command `app` runs at its entry, as a replica that stalls does, until the test
 * lets them go on (`resume`) or fail there, never having run (`die`).
 */
export function stall(app: GoliveApp): { resume: () => void; die: () => void } {
  const execute = app.execute.bind(app);
  let resume!: () => void;
  let die!: (error: Error) => void;
  const gate = new Promise<void>((resolve, reject) => {
    resume = resolve;
    die = reject;
  });
  // Not an unhandled rejection while nothing waits on it.
  gate.catch(() => undefined);
  app.execute = async (request) => {
    await gate;
    return execute(request);
  };
  return {
    resume: () => {
      app.execute = execute;
      resume();
    },
    die: () => die(new Error('this replica stopped before handling the request')),
  };
}
