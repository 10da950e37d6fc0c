import { createServer, request, type Server } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GoliveApp } from '../../src/app/app.js';
import type { Directory } from '../../src/app/context.js';
import { OutboxWorker } from '../../src/app/delivery/outbox.js';
import type { Inbox } from '../../src/app/inbox.js';
import { recordVerifier } from '../../src/app/record-check.js';
import { recoverInbox } from '../../src/app/recover.js';
import type { Store } from '../../src/app/store-port.js';
import type { ReleaseDocument } from '../../src/app/document.js';
import { Inflight } from '../../src/inflight.js';
import { openInboxFile } from '../../store/inbox-file.js';
import { openLowdbStore } from '../../store/lowdb-store.js';
import { createTeamsAdapter, type TeamsAdapter } from '../../adapters/teams/teams-adapter.js';
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
 * golive serving Teams for real: the adapter's POST /api/messages (the Agents SDK's CloudAdapter)
 * on an HTTP server on a loopback port, its outbox delivering through the adapter's ChatPort to a
 * fake Bot Connector, on a real store and inbox in a temp folder, with a clock the test sets.
 * The server routes the adapter's mounts itself, as serve() will once every adapter is mounted there.
 */
export class TeamsHarness {
  private constructor(
    readonly logs: string[],
    readonly dir: string,
    readonly store: Store,
    readonly inbox: Inbox,
    readonly fake: FakeConnector,
    readonly app: GoliveApp,
    readonly adapter: TeamsAdapter,
    readonly outbox: OutboxWorker,
    readonly inflight: Inflight,
    readonly server: Server,
    readonly clock: TestClock,
    readonly activities: TeamsActivities,
    /** How many inbox requests start-up handled again. */
    readonly recovered: number,
  ) {}

  static async open(options: { config?: TeamsConfig; start?: string; dir?: string; host?: string; fake?: FakeConnector } = {}): Promise<TeamsHarness> {
    const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'golive-teams-')));
    const logs: string[] = [];
    const log = (message: string) => logs.push(message);
    const store = await openLowdbStore(dir, { verify: recordVerifier({}) });
    const inbox = await openInboxFile(dir, { log });
    const fake = options.fake ?? (await startFakeConnector());
    const clock = new TestClock(options.start ?? '2019-11-07T09:00:00Z');
    const inflight = new Inflight();
    let adapter: TeamsAdapter | undefined;
    const directory: Directory = { expandGroup: (id) => adapter!.directory.expandGroup(id) };
    const app = new GoliveApp({ store, clock, directory, log });
    let outbox: OutboxWorker | undefined;
    adapter = createTeamsAdapter(options.config ?? { mode: 'local' }, { app, kickOutbox: () => void outbox?.kick(), log, inflight, inbox, clock }, { dataDir: dir });
    outbox = new OutboxWorker(store, { teams: adapter.chat }, clock, log);
    let recovered: number;
    try {
      await adapter.start();
      recovered = await recoverInbox(app, inbox, { teams: adapter.tell }, log);
    } catch (error) {
      // As golive's start-up does: nothing left open (the data folder's lock included).
      await inbox.close();
      await store.close();
      if (!options.fake) await fake.close();
      throw error;
    }
    const mounts = adapter.mounts;
    const server = createServer((req, res) => {
      const mount = mounts.find((m) => m.path === (req.url ?? '/').split('?')[0]);
      if (!mount) {
        res.writeHead(404).end();
        return;
      }
      mount.listener(req, res);
    });
    await new Promise<void>((resolve) => server.listen(0, options.host ?? '127.0.0.1', resolve));
    return new TeamsHarness(logs, dir, store, inbox, fake, app, adapter, outbox, inflight, server, clock, teamsActivities(fake.serviceUrl), recovered);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/api/messages`;
  }

  doc(id: string): ReleaseDocument {
    const doc = this.store.get(id);
    if (!doc) throw new Error(`no release ${id}`);
    return doc;
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
    await this.inflight.idle();
    await this.outbox.kick();
    await this.inflight.idle();
  }

  /** Closes the server and files, keeping the folder (for a restart) unless `remove`. */
  async close(remove = true): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.adapter.stop();
    await this.inflight.idle();
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
