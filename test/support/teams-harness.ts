import { request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GoliveApp } from '../../src/app/app.js';
import type { OutboxWorker } from '../../src/app/delivery/outbox.js';
import { recordVerifier } from '../../src/app/record-check.js';
import type { Store } from '../../src/app/store-port.js';
import { recordOf, type FullRecord } from './store-records.js';
import { serve, type Serving } from '../../src/serve.js';
import { openInboxFile, type FileInbox } from '../../store/inbox-file.js';
import { openLowdbStore } from '../../store/lowdb-store.js';
import { createTeamsAdapter, type TeamsAdapter, type TeamsAdapterOptions } from '../../adapters/teams/teams-adapter.js';
import type { TeamsConfig } from '../../adapters/teams/teams-config.js';
import { startFakeConnector, type FakeConnector } from './fake-connector.js';
import { teamsActivities, type TeamsActivities } from './teams-activities.js';
import { TestClock } from './test-clock.js';

export interface Posted {
  status: number;
  text: string;
  json?: unknown;
}

/**
 * golive serving Teams for real, through serve() as `npm start` does: the adapter's POST
 * /api/messages (the Agents SDK's CloudAdapter) on the one HTTP server on a loopback port, its
 * outbox delivering through the adapter's ChatPort to a fake Bot Connector, on a real store and
 * inbox in a temp folder, with a clock the test sets.
 */
export class TeamsHarness {
  private constructor(
    readonly logs: string[],
    readonly dir: string,
    readonly store: Store,
    readonly inbox: FileInbox,
    readonly fake: FakeConnector,
    readonly serving: Serving,
    readonly adapter: TeamsAdapter,
    readonly clock: TestClock,
    readonly activities: TeamsActivities,
    /** How many inbox requests start-up handled again. */
    readonly recovered: number,
  ) {}

  static async open(
    options: {
      config?: TeamsConfig;
      start?: string;
      dir?: string;
      host?: string;
      fake?: FakeConnector;
      /** The store to serve (closed with the harness); a JSON store in the folder when absent. */
      store?: Store;
      /** Where the adapter keeps conversation references; its file in the folder when absent. */
      conversations?: TeamsAdapterOptions['conversations'];
      callTimeoutMs?: number;
    } = {},
  ): Promise<TeamsHarness> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'golive-teams-')));
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    const store = options.store ?? (await openLowdbStore(dir, { verify: recordVerifier({}) }));
    const inbox = await openInboxFile(dir, { log });
    const fake = options.fake ?? (await startFakeConnector());
    const clock = new TestClock(options.start ?? '2019-11-07T09:00:00Z');
    let adapter: TeamsAdapter | undefined;
    let serving: Serving;
    try {
      serving = await serve({
        adapters: [
          (deps) =>
            (adapter = createTeamsAdapter(options.config ?? { mode: 'local' }, deps, {
              dataDir: dir,
              ...(options.conversations && { conversations: options.conversations }),
              ...(options.callTimeoutMs !== undefined && { callTimeoutMs: options.callTimeoutMs }),
            })),
        ],
        store,
        inbox,
        clock,
        port: 0,
        host: options.host ?? '127.0.0.1',
        log,
      });
    } catch (error) {
      // As golive's start-up does: nothing left open (the data folder's lock included).
      await inbox.close();
      await store.close();
      if (!options.fake) await fake.close();
      throw error;
    }
    return new TeamsHarness(logs, dir, store, inbox, fake, serving, adapter!, clock, teamsActivities(fake.serviceUrl), serving.recoveredAtStart);
  }

  get app(): GoliveApp {
    return this.serving.app;
  }

  get outbox(): OutboxWorker {
    return this.serving.outbox;
  }

  get port(): number {
    return this.serving.port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/messages`;
  }

  /** The release's whole record, read through the store. */
  doc(id: string): Promise<FullRecord> {
    return recordOf(this.store, id);
  }

  /** POSTs an activity (or any raw body) to /api/messages and waits until golive has answered the person. */
  async send(activity: object | string, options: { headers?: Record<string, string>; host?: string; localAddress?: string } = {}): Promise<Posted> {
    const body = typeof activity === 'string' ? activity : JSON.stringify(activity);
    const posted = await post(`http://${options.host ?? '127.0.0.1'}:${this.port}/api/messages`, body, options.headers ?? {}, options.localAddress);
    await this.settled();
    return posted;
  }

  /** Waits for the work done after a response, then for the outbox to go round. */
  async settled(): Promise<void> {
    await this.serving.idle();
    await this.outbox.kick();
    await this.serving.idle();
  }

  /** Closes the server and files, keeping the folder (for a restart) unless `remove`. */
  async close(remove = true): Promise<void> {
    this.serving.server.closeAllConnections();
    await this.serving.close();
    await this.inbox.close();
    await this.store.close();
    if (remove) {
      await this.fake.close();
      await rm(this.dir, { recursive: true, force: true });
    }
  }
}

/** A raw HTTP POST, so a test can send bodies no client library would (truncated JSON, garbage). */
export function post(url: string, body: string, headers: Record<string, string>, localAddress?: string): Promise<Posted> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers }, ...(localAddress && { localAddress }) },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = text ? JSON.parse(text) : undefined;
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, text, ...(json !== undefined && { json }) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}
