import { userInfo } from 'node:os';
import { auditPolicy, readConfig, slackConfig, teamsConfig, ConfigError, type Config } from './config.js';
import { adoptAuditKey, recordVerifier, type AuditPolicy } from './app/record-check.js';
import { rehearsalClock, systemClock, type Clock } from './app/clock.js';
import { noGroups } from './app/context.js';
import { GoliveApp } from './app/app.js';
import { Scheduler } from './app/delivery/scheduler.js';
import { newHolder } from './app/delivery/claimant.js';
import { AdapterStartError, type AdapterFactory } from './app/adapter.js';
import { StoreError, type Store } from './app/store-port.js';
import type { PeoplePort } from './app/people-port.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { openInboxFile } from '../store/inbox-file.js';
import { openPgInbox } from '../store/postgres/pg-inbox.js';
import type { Db } from '../store/postgres/db.js';
import type { Inbox } from './app/inbox.js';
import { openIdentityFile } from '../store/identity-file.js';
import type { IdentityPort } from './app/identity-port.js';
import { openPeopleFile } from '../store/people-file.js';
import { openPostgresPeople } from '../store/postgres/people-postgres.js';
import { openPostgresIdentities } from '../store/postgres/identity-postgres.js';
import { openPostgresConversations } from '../adapters/teams/conversations-postgres.js';
import type { TeamsConversations } from '../adapters/teams/conversations.js';
import { newestRecord } from './app/usecases/change.js';
import { qualifyPeople } from './app/usecases/qualify-people.js';
import { runConsole } from '../adapters/console/console-chat.js';
import { deferUndici } from '../adapters/slack/defer-undici.js';

// The composition root: configuration, store, app, and the adapters the configuration asks for.
const log = (message: string) => console.error(`${new Date().toISOString()} ${message}`);
// Closed if start-up fails after opening it, so the data folder is not left locked.
let opened: Store | undefined;

async function main(): Promise<number> {
  const config = readConfig(process.env);
  const platforms = await chatPlatforms(config);
  if (platforms && config.GOLIVE_CLOCK_START) throw new ConfigError(`Invalid configuration:\n  GOLIVE_CLOCK_START: is for console rehearsals only; unset it when ${platforms.names} is configured`);
  const audit = auditPolicy(config);
  // Every record is checked before anything is served: one that fails is quarantined, never written.
  const { store, db } = await openStore(config, audit);
  opened = store;
  const rehearsal = config.GOLIVE_CLOCK_START ? rehearsalClock(await rehearsalStart(store, new Date(config.GOLIVE_CLOCK_START))) : undefined;
  const clock = rehearsal ?? systemClock;
  if (audit.adopting && audit.key) await adoptAuditKey(store, audit.key, clock, log);
  // Records from before people ids carried their platform are brought up to date, once, on the record.
  await qualifyPeople(store, clock, audit.key, log);
  // Like the store, a people file that does not read stops start-up, naming the file. With
  // DATABASE_URL, people, links and Teams references are in the database, shared by every golive on it.
  // The same for the identity record; one that fails verification is kept, and its links ignored.
  // The two are opened at once (their files are read together).
  const [people, identities] = await Promise.all([
    db ? openPostgresPeople(db, { log, schemaChecked: true }) : openPeopleFile(config.GOLIVE_DATA_DIR),
    db ? openPostgresIdentities(db, { key: audit.key, log, schemaChecked: true }) : openIdentityFile(config.GOLIVE_DATA_DIR, { key: audit.key }),
  ]);
  const identityProblem = (await identities.read()).problem;
  if (identityProblem) log(`${identityProblem} Links between identities are ignored until it is looked at.`);
  if (platforms) {
    const conversations = db && ((now: () => Date) => openPostgresConversations(db, now, { log, schemaChecked: true }));
    await serveChat(config, platforms.adapters(conversations), platforms, { store, db }, clock, audit, people, identities);
    return new Promise<number>(() => undefined);
  }
  // The hooks share the chat platforms' HTTP server; the console alone serves no HTTP.
  if (config.GOLIVE_HOOK_SECRET) log('GOLIVE_HOOK_SECRET is set, but the webhooks are served only when Slack or Teams is configured; the console alone serves no HTTP.');
  const app = new GoliveApp({ store, clock, directory: noGroups, audit, people, identities });
  const user = config.GOLIVE_CONSOLE_USER ?? consoleUser();
  const scheduler = new Scheduler(store, { auditKey: audit.key, log });
  const status = await runConsole({
    app,
    input: process.stdin,
    output: process.stdout,
    interactive: Boolean(process.stdin.isTTY),
    user,
    channel: config.GOLIVE_CONSOLE_CHANNEL,
    scheduler,
    ...(rehearsal && { clock: rehearsal }),
  });
  // A paused stdin still holds the process open: after /quit nothing more is read, so let it go.
  process.stdin.destroy();
  await store.close();
  return status;
}

interface Opened {
  store: Store;
  /**
   * The database the store is on (DATABASE_URL), which the other parts share; the store closes it.
   * Its schema was brought current as the store opened, so they are opened with schemaChecked.
   */
  db?: Db;
}

/**
 * PostgreSQL when DATABASE_URL is set (golive migrates its schema and refuses a newer one), the JSON
 * folder otherwise. Either way every record is verified at open.
 */
async function openStore(config: Config, audit: AuditPolicy): Promise<Opened> {
  const verify = recordVerifier(audit);
  if (config.DATABASE_URL) {
    // Loaded only when used, as the chat adapters are: the JSON store's start does not wait for pg.
    const [{ openPostgresStore }, { openPoolDb }] = await Promise.all([import('../store/postgres/postgres-store.js'), import('../store/postgres/pool-db.js')]);
    // One pool for everything golive keeps there; the store owns it and closes it last.
    const db = openPoolDb(config.DATABASE_URL, { log });
    return { store: await openPostgresStore(db, { log, verify }), db };
  }
  return { store: await openLowdbStore(config.GOLIVE_DATA_DIR, { log, verify }) };
}

/**
 * Where requests wait between the platform's acknowledgement and their answer: beside the releases.
 * On PostgreSQL every replica shares it, so a retry sent to another replica is recognised, and what
 * a replica that died had acknowledged is handled by another.
 */
function openInbox(config: Config, db: Db | undefined, clock: Clock, replica: string): Promise<Inbox> {
  if (db) return openPgInbox(db, { clock, log, holder: replica, schemaChecked: true });
  return openInboxFile(config.GOLIVE_DATA_DIR, { clock, log });
}

type OpenConversations = (now: () => Date) => Promise<TeamsConversations>;

interface ChatPlatforms {
  /** The adapters to serve; Teams keeps its conversation references where `conversations` opens them (its file when undefined). */
  adapters: (conversations: OpenConversations | undefined) => AdapterFactory[];
  /** "Slack", "Teams" or "Slack and Teams", for messages. */
  names: string;
  /** How each is reached, for the line said when golive listens. */
  reached: string[];
}

/**
 * The chat platforms whose settings are present; none means the console. Each platform's adapter
 * (and its SDK) is loaded only when it is configured: Bolt and the Agents SDK take a quarter of a
 * second to load, which the console, needing neither, would otherwise wait for at every start.
 */
async function chatPlatforms(config: Config): Promise<ChatPlatforms | undefined> {
  const slack = slackConfig(config);
  const teams = teamsConfig(config);
  const found: Array<{ name: string; reached: string; adapter: (conversations: OpenConversations | undefined) => AdapterFactory }> = [];
  if (slack) {
    deferUndici();
    const { createSlackAdapter } = await import('../adapters/slack/bolt-app.js');
    found.push({ name: 'Slack', reached: slack.appToken ? 'Slack over Socket Mode' : 'Slack at POST /slack/events', adapter: () => (deps) => createSlackAdapter(slack, deps) });
  }
  if (teams) {
    const { createTeamsAdapter, TEAMS_PATH } = await import('../adapters/teams/teams-adapter.js');
    const reached = `Teams at POST ${TEAMS_PATH}${teams.mode === 'local' ? ' (anonymous local mode, loopback only)' : ''}`;
    found.push({ name: 'Teams', reached, adapter: (conversations) => (deps) => createTeamsAdapter(teams, deps, { dataDir: config.GOLIVE_DATA_DIR, ...(conversations && { conversations }) }) });
  }
  if (found.length === 0) return undefined;
  return { adapters: (conversations) => found.map((f) => f.adapter(conversations)), names: found.map((f) => f.name).join(' and '), reached: found.map((f) => f.reached) };
}

/** The chat platforms on one HTTP server; the outbox is retried every few seconds. */
async function serveChat(
  config: Config,
  adapters: AdapterFactory[],
  platforms: ChatPlatforms,
  { store, db }: Opened,
  clock: Clock,
  audit: AuditPolicy,
  people: PeoplePort,
  identities: IdentityPort,
): Promise<void> {
  // The console answers as it reads, so only a chat platform, which is told "received" first, needs the inbox.
  // One name for this process wherever it holds work: inbox rows, outbox claims, leases.
  const replica = newHolder();
  // Loaded only to serve: the console alone needs no HTTP server.
  const [{ serve }, inbox] = await Promise.all([import('./serve.js'), openInbox(config, db, clock, replica)]);
  const serving = await serve({
    adapters,
    store,
    inbox,
    clock,
    port: config.PORT,
    log,
    audit,
    people,
    identities,
    schedule: { everyMs: 30_000 },
    // What a replica that died had acknowledged is handled once its lease (30 s) ends.
    recovery: { everyMs: 5_000 },
    replica,
    outboxWakes: true,
    ...(config.GOLIVE_HOOK_SECRET && { hookSecret: config.GOLIVE_HOOK_SECRET }),
  });
  const hooks = config.GOLIVE_HOOK_SECRET ? ', POST /hooks/switch and /hooks/facts' : '';
  log(`golive listening on port ${serving.port}: ${platforms.reached.join(', ')}${hooks}, GET /healthz`);
  // The outbox wakes itself for its own retries (outboxWakes); this poll takes up what another
  // replica left behind (its claim ran out) or wrote while this one was not kicked.
  const timer = setInterval(() => void serving.outbox.kick(), 5_000);
  const digestTimer = setInterval(() => void serving.digest(), 60_000);
  void serving.outbox.kick();
  let stopping = false;
  // A process group gets the signal more than once (npm passes it on too): the first starts a
  // clean stop (in-flight work finished, outbox flushed, store closed), the rest wait for it.
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    clearInterval(timer);
    clearInterval(digestTimer);
    await serving.close();
    // The inbox before the store: on PostgreSQL they share the store's connections, which the store closes.
    await inbox.close();
    await store.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

/**
 * A rehearsal restarted on a store that already holds later records resumes after the newest of
 * them: entries never go back in time, and a date change is never stamped before the answers it follows.
 */
async function rehearsalStart(store: Store, configured: Date): Promise<Date> {
  let newest = configured.getTime();
  for (const { id } of await store.list()) {
    const stored = await store.get(id);
    const at = stored && newestRecord(stored);
    // A millisecond after it, so nothing new can tie with what is already on record.
    if (at !== undefined) newest = Math.max(newest, Date.parse(at) + 1);
  }
  if (newest > configured.getTime()) log(`rehearsal clock resumes at ${new Date(newest).toISOString()}, the newest record in the store (GOLIVE_CLOCK_START is earlier)`);
  return new Date(newest);
}

function consoleUser(): string {
  const name = userInfo().username.replace(/[^A-Za-z0-9._-]/g, '');
  return /^[A-Za-z0-9]/.test(name) ? name : 'me';
}

main().then(
  (status) => {
    process.exitCode = status;
  },
  async (error: unknown) => {
    await opened?.close().catch(() => undefined);
    if (error instanceof ConfigError || error instanceof StoreError || error instanceof AdapterStartError) console.error(`golive cannot start. ${error.message}`);
    else console.error('golive stopped on an unexpected error:', error);
    process.exitCode = 2;
  },
);
