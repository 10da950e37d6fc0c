import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { CHANNEL as TEAMS_CHANNEL } from '../test/support/teams-activities.js';
import { startFakeConnector } from '../test/support/fake-connector.js';
import { teamsSideBySide } from './teams-side-by-side.js';
import { buildGolive, startBare, startGolive } from './compiled-golive.js';
import { report, round, saveResults } from './results.js';
import { seedDataFolder } from './seed-data-folder.js';
import { benchStartUp } from './start-up.js';
import { benchFanOut } from './fan-out.js';
import { peakRss } from './process-tree.js';
import { SLACK_CHANNEL, slackSideBySide } from './slack-side-by-side.js';

const REQUESTS = Number(process.env.GOLIVE_BENCH_REQUESTS ?? 2_000);

/**
 * golive against the bare platform SDKs on a seeded long-lived store, in one run, with every figure
 * printed and written to bench/results.json.
 */
export async function benchPlatforms(): Promise<void> {
  buildGolive();
  const root = await mkdtemp(join(tmpdir(), 'golive-bench-platforms-'));
  const fakeSlack = await startFakeSlack();
  const connector = await startFakeConnector();
  const started: Array<{ stop(): Promise<void> }> = [];
  try {
    const empty = await mkdtemp(join(tmpdir(), 'golive-bench-empty-'));
    try {
      report('start-up (npm start, compiled)', await benchStartUp('empty', empty, fakeSlack.url));
    } finally {
      await rm(empty, { recursive: true, force: true });
    }
    const seeded = await seedDataFolder(root, [
      { platform: 'slack', id: SLACK_CHANNEL },
      { platform: 'teams', id: TEAMS_CHANNEL },
    ]);
    report('seeded store', [{ releases: seeded.releases, longestHistory: seeded.longHistory, seedS: Number((seeded.seedMs / 1000).toFixed(1)) }]);
    report('start-up (npm start, compiled)', await benchStartUp('seeded', root, fakeSlack.url));
    const golive = await startGolive(root, fakeSlack.url);
    started.push(golive);
    const goliveRss = peakRss(golive.child.pid!);
    const bolt = await startBare('bench/bare-bolt.mjs', fakeSlack.url);
    started.push(bolt);
    const boltRss = peakRss(bolt.child.pid!);
    report('Slack /release status: sent until the answer reached the fake Web API', await slackSideBySide(fakeSlack, golive, bolt, REQUESTS, [1, 16]));
    const boltPeak = await boltRss.stop();
    await bolt.stop();
    const agents = await startBare('bench/bare-agents.mjs');
    started.push(agents);
    const agentsRss = peakRss(agents.child.pid!);
    report('Teams release status: sent until the answer reached the fake Bot Connector', await teamsSideBySide(connector, golive, agents, REQUESTS, [1, 16]));
    report('peak resident memory while serving the requests above (process tree, /proc)', [
      { server: 'golive (Slack and Teams)', peakRssMiB: round(await goliveRss.stop(), 1) },
      { server: 'bare Bolt', peakRssMiB: round(boltPeak, 1) },
      { server: 'bare Agents SDK', peakRssMiB: round(await agentsRss.stop(), 1) },
    ]);
    for (const server of started.splice(0)) await server.stop();
    report('fan-out: one answer on a release linked to 50 Slack channels (1 message/s per channel)', [await benchFanOut(false), await benchFanOut(true)]);
  } finally {
    for (const server of started) await server.stop();
    await fakeSlack.close();
    await connector.close();
    await rm(root, { recursive: true, force: true });
    const path = await saveResults({ cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, shared: true });
    console.log(`\nfigures written to ${path}`);
  }
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) await benchPlatforms();
