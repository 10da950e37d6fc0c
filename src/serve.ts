import type { Server } from 'node:http';
import { GoliveApp } from './app/app.js';
import type { Clock } from './app/clock.js';
import { OutboxWorker } from './app/delivery/outbox.js';
import { newHolder, OUTBOX_LEASE_MS } from './app/delivery/claimant.js';
import { Scheduler, type TickReport } from './app/delivery/scheduler.js';
import { Inflight } from './inflight.js';
import { serialPasses } from './serial-passes.js';
import type { Store } from './app/store-port.js';
import type { AuditPolicy } from './app/record-check.js';
import { RENEW_EVERY_MS, type Inbox } from './app/inbox.js';
import { recoverInbox } from './app/recover.js';
import { createHttpServer, listen } from './http-server.js';
import { createHookListener } from '../adapters/hooks/hook-listener.js';
import type { PeoplePort } from './app/people-port.js';
import type { IdentityPort } from './app/identity-port.js';
import { digestRunner } from './app/delivery/digest.js';
import { AdapterStartError, type Adapter, type AdapterDeps, type AdapterFactory } from './app/adapter.js';
import { DirectoryRouter } from './app/directories.js';

export interface ServeOptions {
  /** One factory per chat platform whose settings are present (main.ts builds the list); all are served at once. */
  adapters: readonly AdapterFactory[];
  store: Store;
  /** Where requests are saved before they are acknowledged; what a crash left unhandled is handled at start. */
  inbox: Inbox;
  /**
   * Look for abandoned inbox requests (their handler gone: another replica died) every `everyMs`
   * (5 s when unset), besides the pass at start, which always runs. Off when absent.
   */
  recovery?: { everyMs?: number };
  clock: Clock;
  port: number;
  host?: string;
  log: (message: string) => void;
  audit?: AuditPolicy;
  /** GOLIVE_HOOK_SECRET: the switch and facts webhooks are served only when it is set. */
  hookSecret?: string;
  /** Each person's settings and digest bookkeeping: the daily digests are sent only when it is given. */
  people?: PeoplePort;
  /** Identities linked across platforms (`whoami link`); without it nobody can link. */
  identities?: IdentityPort;
  /**
   * Run the releases' schedules: once at start (after the inbox is recovered) and every
   * `everyMs` (30 s when unset), each tick followed by an outbox kick. Off when absent. Of several
   * golives on one database, one at a time runs it: the one holding the store's lease "schedule",
   * renewed at each tick for `leaseMs` (default three ticks, at least 90 s, at most a day);
   * another takes over once it has ended.
   */
  schedule?: { everyMs?: number; leaseMs?: number };
  /** How long the lease "digest" lasts, renewed at each digest(): one golive at a time sends the digests (default DIGEST_LEASE_MS). */
  digestLeaseMs?: number;
  /** Who this golive is when it claims due messages and leases (default: newHolder(), host, pid and a random part). */
  replica?: string;
  /**
   * The outbox wakes itself when a message it was told to retry later is due (a platform's
   * Retry-After, a backoff), by a timer set from the clock. Off when absent: tests kick it.
   */
  outboxWakes?: boolean;
}

/** The daily digest's lease: main.ts calls digest() every minute, so three missed calls hand it over. */
export const DIGEST_LEASE_MS = 180_000;
const SCHEDULE_LEASE_MIN_MS = 90_000;
const LEASE_MAX_MS = 86_400_000;

export interface Serving {
  port: number;
  app: GoliveApp;
  /** The adapters being served, started, in the order given. */
  adapters: readonly Adapter[];
  outbox: OutboxWorker;
  scheduler: Scheduler;
  /** Who this golive claims work as (ServeOptions.replica). */
  replica: string;
  /**
   * One schedule tick at the clock's now, then the outbox. A golive that does not hold the
   * "schedule" lease (another on the database does) acts on nothing: its report is empty.
   */
  tick(): Promise<TickReport>;
  /** One pass over the inbox's abandoned requests at the clock's now (see recoverInbox); resolves with how many were handled. */
  recover(): Promise<number>;
  /** How many abandoned requests the pass at start handled. */
  recoveredAtStart: number;
  /** Resolves when the tick at start (what fell due while golive was down) has run. */
  caughtUp: Promise<void>;
  server: Server;
  /** Resolves when no request is being handled after its ack. */
  idle(): Promise<void>;
  /** Sends the daily digests due now (none without `people`, or while another golive holds the "digest" lease); call it from the timer. */
  digest(): Promise<number>;
  close(): Promise<void>;
}

/** The chat platforms on one HTTP server, with the outbox that delivers to them. */
export async function serve(options: ServeOptions): Promise<Serving> {
  // The app needs the platforms' directories and the adapters need the app: the router comes
  // first, and each adapter's directory joins it as the adapter is made.
  const directory = new DirectoryRouter();
  const app = new GoliveApp({
    store: options.store,
    clock: options.clock,
    directory,
    log: options.log,
    ...(options.people && { people: options.people }),
    ...(options.identities && { identities: options.identities }),
    ...(options.audit && { audit: options.audit }),
  });
  const inflight = new Inflight();
  // Adapters call it only once started, by which time the outbox below exists.
  const kickOutbox = () => void outbox.kick();
  const deps: AdapterDeps = { app, kickOutbox, log: options.log, inflight, inbox: options.inbox, clock: options.clock };
  const adapters = options.adapters.map((make) => {
    const adapter = make(deps);
    directory.add(adapter.platform, adapter.directory);
    return adapter;
  });
  const ports = Object.fromEntries(adapters.map((adapter) => [adapter.platform, adapter.chat]));
  const replica = options.replica ?? newHolder();
  const outbox = new OutboxWorker(options.store, ports, options.clock, options.log, { claimant: { holder: replica, leaseMs: OUTBOX_LEASE_MS }, wakes: options.outboxWakes === true });
  const digest = options.people && digestRunner({ store: options.store, people: options.people, ports, log: options.log });
  const hooks = options.hookSecret ? createHookListener({ app, secret: options.hookSecret, kickOutbox, log: options.log }) : undefined;
  const server = createHttpServer({ mounts: adapters.flatMap((adapter) => adapter.mounts), ...(hooks && { hooks }), log: options.log });
  await startAll(adapters, options.log);
  // Once every platform has accepted golive's credentials (so people can be told) and before new requests are taken.
  const tellers = Object.fromEntries(adapters.map((adapter) => [adapter.platform, adapter.tell]));
  // Passes never overlap: one asked for while another runs waits for it, then looks again.
  const recovering = serialPasses(async () => {
    const handled = await recoverInbox(app, options.inbox, tellers, options.clock, options.log);
    // Not waited for: at start, serving must not wait for a whole outbox to be delivered.
    if (handled > 0) void outbox.kick();
    return handled;
  });
  const recover = () => recovering.run();
  const logRecovery = (error: unknown) => {
    options.log(`inbox: looking for abandoned requests failed, tried again in the next pass: ${error instanceof Error ? error.message : String(error)}`);
    return 0;
  };
  const recoveredAtStart = await recover().catch(logRecovery);
  const scheduler = new Scheduler(options.store, { auditKey: options.audit?.key, log: options.log });
  const everyMs = options.schedule?.everyMs ?? 30_000;
  const scheduleLeaseMs = options.schedule?.leaseMs ?? Math.min(LEASE_MAX_MS, Math.max(SCHEDULE_LEASE_MIN_MS, 3 * everyMs));
  // One golive on the database acts on the schedules: the others' ticks find the lease taken.
  const leadTick = async (now: Date): Promise<TickReport> => {
    if (!(await options.store.lease('schedule', replica, now, scheduleLeaseMs))) return { acted: [], messages: 0 };
    return scheduler.tick(now);
  };
  // Ticks never overlap: one still running when the timer fires is waited for, not doubled.
  const ticking = serialPasses(async () => {
    const report = await leadTick(options.clock.now());
    await outbox.kick();
    return report;
  });
  const tick = () => ticking.run();
  const port = await listen(server, options.port, options.host);
  let timer: NodeJS.Timeout | undefined;
  let recoveryTimer: NodeJS.Timeout | undefined;
  if (options.recovery) {
    // A pass still running when the timer fires is enough: the timer does not queue another behind it.
    recoveryTimer = setInterval(() => void (recovering.busy() ? undefined : recover().catch(logRecovery)), options.recovery.everyMs ?? 5_000);
    recoveryTimer.unref();
  }
  // A shared inbox's claims on what this replica still handles are kept alive, so a backlog here
  // (a burst of requests acknowledged faster than they are answered) is not taken for a dead replica.
  let renewTimer: NodeJS.Timeout | undefined;
  if (options.inbox.shared) {
    const renewFailed = (error: unknown) => options.log(`inbox: could not renew the claim on requests being handled: ${error instanceof Error ? error.message : String(error)}`);
    renewTimer = setInterval(() => void options.inbox.renew(options.clock.now()).catch(renewFailed), RENEW_EVERY_MS);
    renewTimer.unref();
  }
  const logFailure = (error: unknown) => options.log(`schedule tick failed: ${error instanceof Error ? error.message : String(error)}`);
  // After downtime what fell due is sent once, marked late. That catch-up may write to many
  // releases, so it runs once the server listens: people are answered meanwhile, not refused.
  const caughtUp = options.schedule ? tick().then(() => undefined, logFailure) : Promise.resolve();
  if (options.schedule) {
    timer = setInterval(() => void tick().catch(logFailure), everyMs);
    timer.unref();
  }
  return {
    port,
    caughtUp,
    app,
    adapters,
    outbox,
    scheduler,
    replica,
    tick,
    recover,
    recoveredAtStart,
    server,
    idle: () => inflight.idle(),
    digest: async () => {
      if (!digest) return 0;
      const now = options.clock.now();
      try {
        if (!(await options.store.lease('digest', replica, now, options.digestLeaseMs ?? DIGEST_LEASE_MS))) return 0;
      } catch (error) {
        // Called from a timer that never awaits it: the next call tries again.
        options.log(`daily digest not run: ${error instanceof Error ? error.message : String(error)}`);
        return 0;
      }
      return digest(now);
    },
    async close() {
      if (timer) clearInterval(timer);
      if (recoveryTimer) clearInterval(recoveryTimer);
      if (renewTimer) clearInterval(renewTimer);
      await ticking.settled();
      await recovering.settled();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await stopAll(adapters, options.log);
      await inflight.idle();
      // The last pass: what it leaves for later waits for the next start, not for a timer here.
      outbox.stop();
      await outbox.kick();
      // Handed over rather than left to run out: a lease renewed for a millisecond ends at once,
      // and one another golive holds is left as it is.
      const now = options.clock.now();
      if (options.schedule) await options.store.lease('schedule', replica, now, 1).catch(() => undefined);
      if (digest) await options.store.lease('digest', replica, now, 1).catch(() => undefined);
    },
  };
}

/**
 * Starts every adapter at once. If one fails, those that started are stopped again and serving
 * stops with the failed one's message (the first, when several fail).
 */
async function startAll(adapters: readonly Adapter[], log: (message: string) => void): Promise<void> {
  const started = await Promise.allSettled(adapters.map((adapter) => adapter.start()));
  const failures = started.flatMap((result, index) => (result.status === 'rejected' ? [startError(adapters[index]!, result.reason)] : []));
  if (failures.length === 0) return;
  for (const failure of failures.slice(1)) log(`${failure.message} (another platform also failed to start)`);
  await stopAll(
    adapters.filter((_, index) => started[index]!.status === 'fulfilled'),
    log,
  );
  throw failures[0];
}

function startError(adapter: Adapter, reason: unknown): AdapterStartError {
  if (reason instanceof AdapterStartError) return reason;
  return new AdapterStartError(`${adapter.platform} did not start: ${reason instanceof Error ? reason.message : String(reason)}`);
}

/** Stops every adapter; one that fails to stop is logged and does not keep the others running. */
async function stopAll(adapters: readonly Adapter[], log: (message: string) => void): Promise<void> {
  const stopped = await Promise.allSettled(adapters.map((adapter) => adapter.stop()));
  stopped.forEach((result, index) => {
    if (result.status === 'rejected') log(`${adapters[index]!.platform} did not stop cleanly: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`);
  });
}
