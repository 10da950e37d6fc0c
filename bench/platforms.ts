import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack, type FakeSlack } from '../test/support/fake-slack.js';
import { CHANNEL as TEAMS_CHANNEL } from '../test/support/teams-activities.js';
import { startFakeConnector, type FakeConnector } from '../test/support/fake-connector.js';
import { teamsSideBySide } from './teams-side-by-side.js';
import { buildGolive, startBare, startGolive } from './compiled-golive.js';
import { judge, judgeThat, machine, report, round, saveResults, type Figure } from './results.js';
import { seedDataFolder } from './seed-data-folder.js';
import { benchStartUp } from './start-up.js';
import { benchFanOut } from './fan-out.js';
import { peakRss } from './process-tree.js';
import { cpuMs, untilIdle } from './process-cpu.js';
import { SLACK_CHANNEL, slackSideBySide } from './slack-side-by-side.js';
import { postgresServer } from './postgres-bench-store.js';
import { createBenchDatabase, migrateInto } from './postgres-database.js';
import { settle } from './settle.js';
import { QUICK, REQUESTS, START_RUNS } from './settings.js';

/** The budgets for these figures. */
const WANTED_RATIO = 1.3;
const PROMPT_EMPTY_MS = 600;
const HEALTHZ_EMPTY_MS = 1_000;
const SEEDED_MS = 1_500;
const RSS_MIB = 150;
const FAN_OUT_MS = 1_500;

/** Where golive keeps its store for one round of the platform benchmarks: the environment that says so. */
interface Target {
  name: string;
  /** The empty store, for the start-up figures. */
  empty(): Promise<{ env: Record<string, string>; done(): Promise<void> }>;
  /** The seeded store: the JSON folder itself, or a database it was migrated into. */
  seeded(folder: string): Promise<{ env: Record<string, string>; done(): Promise<void> }>;
}

async function tempDir(prefix: string): Promise<{ dir: string; done(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, done: () => rm(dir, { recursive: true, force: true }) };
}

const jsonTarget: Target = {
  name: 'JSON folder',
  async empty() {
    const { dir, done } = await tempDir('golive-bench-empty-');
    // An empty DATABASE_URL counts as unset: one in the bench's own environment must not sneak in.
    return { env: { GOLIVE_DATA_DIR: dir, DATABASE_URL: '' }, done };
  },
  seeded: async (folder) => ({ env: { GOLIVE_DATA_DIR: folder, DATABASE_URL: '' }, done: async () => undefined }),
};

const postgresTarget: Target = {
  name: 'PostgreSQL server',
  async empty() {
    const { dir, done } = await tempDir('golive-bench-pg-empty-');
    const db = await createBenchDatabase();
    return {
      env: { GOLIVE_DATA_DIR: dir, DATABASE_URL: db.url },
      async done() {
        await db.drop();
        await done();
      },
    };
  },
  async seeded(folder) {
    const db = await createBenchDatabase();
    const ms = await migrateInto(folder, db.url);
    report('seeded store copied into PostgreSQL (npm run migrate -- --to, every chain verified on both sides)', [{ store: 'PostgreSQL server', migrateS: round(ms / 1000, 1) }]);
    // The folder is golive's data folder only for its inbox and lock; the store is the database.
    const { dir, done } = await tempDir('golive-bench-pg-seeded-');
    return {
      env: { GOLIVE_DATA_DIR: dir, DATABASE_URL: db.url },
      async done() {
        await db.drop();
        await done();
      },
    };
  },
};

/**
 * golive against the bare platform SDKs on a seeded long-lived store, in one run, on the JSON
 * folder and again on PostgreSQL when its server answers: start-up empty and seeded, Slack and
 * Teams side by side, peak memory; then the fan-out. Every figure is reported, and judged against
 * the budgets.
 */
export async function benchPlatforms(): Promise<void> {
  buildGolive();
  const fakeSlack = await startFakeSlack();
  const connector = await startFakeConnector();
  const { dir: root, done: dropSeed } = await tempDir('golive-bench-platforms-');
  try {
    const seeded = await seedDataFolder(root, [
      { platform: 'slack', id: SLACK_CHANNEL },
      { platform: 'teams', id: TEAMS_CHANNEL },
    ]);
    report('seeded store (made before anything is timed; not part of a budget)', [
      {
        releases: seeded.releases,
        variantsMadeThroughTheApp: seeded.variants,
        ...seeded.kinds,
        linkedToAChannel: seeded.linked,
        decided: seeded.decided,
        closed: seeded.closed,
        longestHistory: seeded.longHistory,
        seedS: round(seeded.seedMs / 1000, 1),
      },
    ]);
    const targets: Target[] = [jsonTarget];
    const unavailable = await postgresServer.unavailable?.();
    if (unavailable) console.log(`\nplatform benchmarks on PostgreSQL: skipped, ${unavailable}`);
    else targets.push(postgresTarget);
    for (const target of targets) await benchTarget(target, root, fakeSlack, connector);
    const fanOut = [await benchFanOut(false), await benchFanOut(true)];
    report('fan-out: one answer on a release linked to 50 Slack channels (1 message/s per channel)', fanOut);
    judge('fan-out to 50 channels, nothing rate-limited', 'JSON folder', Number(fanOut[0]!.untilAllUpdatedMs), FAN_OUT_MS, 'ms');
    const limited = fanOut[1]!;
    judgeThat(
      "fan-out to 50 channels, 10 refused once with 429 Retry-After 1: within Slack's limits",
      'JSON folder',
      limited.eachDeliveredOnce === true && Number(limited.callsMade) <= 50 + Number(limited.refused429),
      `each channel updated once, ${limited.callsMade} calls for 50 channels and ${limited.refused429} refusals, all updated after ${limited.untilAllUpdatedMs} ms`,
    );
  } finally {
    await fakeSlack.close();
    await connector.close();
    await dropSeed();
  }
}

/** Start-up (empty, seeded), Slack and Teams side by side and memory, for golive on one store. */
async function benchTarget(target: Target, folder: string, fakeSlack: FakeSlack, connector: FakeConnector): Promise<void> {
  const startUp: Figure[] = [];
  const empty = await target.empty();
  try {
    await settle();
    startUp.push(...(await benchStartUp('empty', empty.env, fakeSlack.url)));
  } finally {
    await empty.done();
  }
  const seeded = await target.seeded(folder);
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    // The copy into PostgreSQL has just written the whole seeded store.
    await settle();
    startUp.push(...(await benchStartUp('seeded', seeded.env, fakeSlack.url)));
    report(
      `start-up on the ${target.name} (npm start, compiled; median of ${START_RUNS} starts)`,
      startUp.map((row) => ({ on: target.name, ...row })),
    );
    const startOf = (store: string, until: string) => Number(startUp.find((row) => row.store === store && row.until === until)!.medianMs);
    judge('console prompt, empty store', target.name, startOf('empty', 'console prompt'), PROMPT_EMPTY_MS, 'ms', 'median');
    judge('GET /healthz 200, empty store', target.name, startOf('empty', 'GET /healthz 200'), HEALTHZ_EMPTY_MS, 'ms', 'median');
    judge('console prompt, seeded store', target.name, startOf('seeded', 'console prompt'), SEEDED_MS, 'ms', 'median');
    judge('GET /healthz 200, seeded store', target.name, startOf('seeded', 'GET /healthz 200'), SEEDED_MS, 'ms', 'median');

    const golive = await startGolive(seeded.env, fakeSlack.url);
    started.push(golive);
    const goliveRss = peakRss(golive.child.pid!);
    // The status figures are golive serving, not golive starting: after start the JSON store's
    // sweep verifies every release's log (seconds of CPU for the 100,000-entry one), which would
    // otherwise land in the first run's figures. How long that took is reported.
    const idleMs = await untilIdle(golive.child.pid!);
    report(`golive on the ${target.name} idle after start (verification sweep done) before the status figures`, [{ on: target.name, idleAfterS: round(idleMs / 1000, 1) }]);
    const bolt = await startBare('bench/bare-bolt.mjs', fakeSlack.url);
    started.push(bolt);
    const boltRss = peakRss(bolt.child.pid!);
    await settle();
    const slack = withCpu(await cpuDuring([golive, bolt], () => slackSideBySide(fakeSlack, golive, bolt, REQUESTS, [1, 16])), ['golive', 'bare Bolt']);
    report(
      `Slack /release status on the ${target.name}: sent until the answer reached the fake Web API`,
      slack.map((row) => ({ on: target.name, ...row })),
    );
    judgeRatios('Slack status p99 against bare Bolt', target.name, slack);
    const boltPeak = await boltRss.stop();
    await bolt.stop();
    const agents = await startBare('bench/bare-agents.mjs');
    started.push(agents);
    const agentsRss = peakRss(agents.child.pid!);
    await settle();
    const teams = withCpu(await cpuDuring([golive, agents], () => teamsSideBySide(connector, golive, agents, REQUESTS, [1, 16])), ['golive', 'bare Agents SDK']);
    report(
      `Teams release status on the ${target.name}: sent until the answer reached the fake Bot Connector`,
      teams.map((row) => ({ on: target.name, ...row })),
    );
    judgeRatios('Teams status p99 against the bare Agents SDK handler', target.name, teams);
    const servingPeak = await goliveRss.stop();
    report(`peak resident memory while serving the requests above (process tree, /proc), golive on the ${target.name}`, [
      { server: 'golive (Slack and Teams)', peakRssMiB: round(servingPeak, 1) },
      { server: 'bare Bolt', peakRssMiB: round(boltPeak, 1) },
      { server: 'bare Agents SDK', peakRssMiB: round(await agentsRss.stop(), 1) },
    ]);
    const startPeak = Math.max(...startUp.map((row) => Number(row.peakRssMiB)));
    judge(
      'peak RSS of the process tree',
      target.name,
      Math.max(servingPeak, startPeak),
      RSS_MIB,
      'MiB',
      `the higher of serving the status requests (${round(servingPeak, 1)}) and the starts (${round(startPeak, 1)})`,
    );
  } finally {
    for (const server of started) await server.stop();
    await seeded.done();
  }
}

// Each side-by-side sends its servers 50 warm-up requests, then REQUESTS at each of 2 concurrencies.
const SIDE_BY_SIDE_REQUESTS = 50 + 2 * REQUESTS;

/** What `run` returned, and the CPU milliseconds each of `servers` used meanwhile (all its threads). */
async function cpuDuring<T>(servers: ReadonlyArray<{ child: { pid?: number } }>, run: () => Promise<T>): Promise<{ result: T; cpu: number[] }> {
  const before = await Promise.all(servers.map((s) => cpuMs(s.child.pid!)));
  const result = await run();
  const after = await Promise.all(servers.map((s) => cpuMs(s.child.pid!)));
  return { result, cpu: after.map((ms, i) => ms - before[i]!) };
}

/** The side-by-side rows with each server's CPU per request (over all its requests, warm-up included). */
function withCpu({ result, cpu }: { result: Figure[]; cpu: number[] }, names: string[]): Figure[] {
  return result.map((row) => ({ ...row, cpuMsPerRequest: round(cpu[names.indexOf(String(row.server))]! / SIDE_BY_SIDE_REQUESTS) }));
}

/** The p99 ratio of golive to the bare app at each concurrency, against the 1.3x. */
function judgeRatios(budget: string, store: string, rows: Figure[]): void {
  for (const row of rows) {
    if (row.server !== 'golive') continue;
    judge(`${budget}, ${row.concurrent} concurrent`, store, Number(row.p99Ratio), WANTED_RATIO, 'x', `golive p99 ${row.p99ms} ms`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const ranOn = machine();
  await benchPlatforms();
  console.log(`\nfigures written to ${await saveResults(ranOn, { quick: QUICK, requests: REQUESTS })}`);
}
