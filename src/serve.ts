import type { Server } from 'node:http';
import type { SlackConfig } from './config.js';
import { GoliveApp } from './app/app.js';
import type { Clock } from './app/clock.js';
import { OutboxWorker } from './app/delivery/outbox.js';
import { Scheduler, type TickReport } from './app/delivery/scheduler.js';
import { Inflight } from './inflight.js';
import type { Store } from './app/store-port.js';
import type { AuditPolicy } from './app/record-check.js';
import type { Inbox } from './app/inbox.js';
import { recoverInbox } from './app/recover.js';
import { slackTell } from '../adapters/slack/received.js';
import { createHttpServer, listen } from './http-server.js';
import { createSlackAdapter } from '../adapters/slack/bolt-app.js';
import { createSlackClient } from '../adapters/slack/client.js';
import { slackDirectory } from '../adapters/slack/directory.js';
import { slackPort } from '../adapters/slack/slack-port.js';
import { createHookListener } from '../adapters/hooks/hook-listener.js';
import type { PeoplePort } from './app/people-port.js';
import { digestRunner } from './app/delivery/digest.js';

export interface ServeOptions {
  slack: SlackConfig;
  store: Store;
  /** Where requests are saved before they are acknowledged; what a crash left unhandled is handled at start. */
  inbox: Inbox;
  clock: Clock;
  port: number;
  host?: string;
  log: (message: string) => void;
  audit?: AuditPolicy;
  /** GOLIVE_HOOK_SECRET: the switch and facts webhooks are served only when it is set. */
  hookSecret?: string;
  /** Each person's settings and digest bookkeeping: the daily digests are sent only when it is given. */
  people?: PeoplePort;
  /**
   * Run the releases' schedules: once at start (after the inbox is recovered) and every
   * `everyMs` (30 s when unset), each tick followed by an outbox kick. Off when absent.
   */
  schedule?: { everyMs?: number };
}

export interface Serving {
  port: number;
  app: GoliveApp;
  outbox: OutboxWorker;
  scheduler: Scheduler;
  /** One schedule tick at the clock's now, then the outbox. */
  tick(): Promise<TickReport>;
  /** Resolves when the tick at start (what fell due while golive was down) has run. */
  caughtUp: Promise<void>;
  server: Server;
  /** Resolves when no request is being handled after its ack. */
  idle(): Promise<void>;
  /** Sends the daily digests due now (none without `people`); call it from the timer. */
  digest(): Promise<number>;
  close(): Promise<void>;
}

/** The chat platforms on one HTTP server, with the outbox that delivers to them. */
export async function serve(options: ServeOptions): Promise<Serving> {
  const client = createSlackClient(options.slack);
  const app = new GoliveApp({
    store: options.store,
    clock: options.clock,
    directory: slackDirectory(client),
    log: options.log,
    ...(options.people && { people: options.people }),
    ...(options.audit && { audit: options.audit }),
  });
  const outbox = new OutboxWorker(options.store, { slack: slackPort(client) }, options.clock, options.log);
  const inflight = new Inflight();
  const digest = options.people && digestRunner({ store: options.store, people: options.people, ports: { slack: slackPort(client) }, log: options.log });
  const adapter = createSlackAdapter(options.slack, { app, kickOutbox: () => void outbox.kick(), log: options.log, inflight, inbox: options.inbox });
  const hooks = options.hookSecret ? createHookListener({ app, secret: options.hookSecret, kickOutbox: () => void outbox.kick(), log: options.log }) : undefined;
  const server = createHttpServer({ ...(adapter.requestListener && { slack: adapter.requestListener }), ...(hooks && { hooks }) });
  await adapter.start();
  // Once Slack has accepted the token (so people can be told) and before new requests are taken.
  if (await recoverInbox(app, options.inbox, { slack: slackTell(client) }, options.log)) void outbox.kick();
  const scheduler = new Scheduler(options.store, { auditKey: options.audit?.key, log: options.log });
  // Ticks never overlap: one still running when the timer fires is waited for, not doubled.
  let ticking: Promise<TickReport> | undefined;
  const tick = async (): Promise<TickReport> => {
    while (ticking) await ticking.catch(() => undefined);
    ticking = scheduler.tick(options.clock.now());
    try {
      const report = await ticking;
      await outbox.kick();
      return report;
    } finally {
      ticking = undefined;
    }
  };
  const port = await listen(server, options.port, options.host);
  let timer: NodeJS.Timeout | undefined;
  const logFailure = (error: unknown) => options.log(`schedule tick failed: ${error instanceof Error ? error.message : String(error)}`);
  // After downtime what fell due is sent once, marked late. That catch-up may write to many
  // releases, so it runs once the server listens: people are answered meanwhile, not refused.
  const caughtUp = options.schedule ? tick().then(() => undefined, logFailure) : Promise.resolve();
  if (options.schedule) {
    timer = setInterval(() => void tick().catch(logFailure), options.schedule.everyMs ?? 30_000);
    timer.unref();
  }
  return {
    port,
    caughtUp,
    app,
    outbox,
    scheduler,
    tick,
    server,
    idle: () => inflight.idle(),
    digest: async () => (digest ? digest(options.clock.now()) : 0),
    async close() {
      if (timer) clearInterval(timer);
      await ticking?.catch(() => undefined);
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.stop();
      await inflight.idle();
      await outbox.kick();
    },
  };
}
