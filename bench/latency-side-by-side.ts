import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../test/support/fake-slack.js';
import { startFakeConnector } from '../test/support/fake-connector.js';
import { CHANNEL as TEAMS_CHANNEL } from '../test/support/teams-activities.js';
import { freePort } from '../test/support/golive-process.js';
import { BOT_TOKEN, buildGolive, SIGNING_SECRET, startBare, type Served } from './compiled-golive.js';
import { report } from './results.js';
import { onPush } from './arrivals.js';
import { writeCopies } from './seeded-store.js';
import { seedScenarioRecord } from './startup-verify.js';
import { spawnServer } from './spawned.js';
import { openLowdbStore } from '../store/lowdb-store.js';
import { SLACK_CHANNEL, slackSideBySide } from './slack-side-by-side.js';
import { teamsSideBySide } from './teams-side-by-side.js';

// A developer's loop for the status latency (issue 10): only the Slack and Teams side-by-side, on a
// small data folder, so a change can be measured in a minute. GOLIVE_BENCH_REQUESTS (default 500),
// GOLIVE_LATENCY_RELEASES (default 3), GOLIVE_LATENCY_PROFILE=<dir> to write golive's --cpu-prof
// there (and the bare app's under <dir>/bare), GOLIVE_LATENCY_ONLY=slack|teams,
// GOLIVE_LATENCY_SHOW=<text> to print golive's output lines holding it, GOLIVE_LATENCY_SAMPLE=1 to
// print one status as golive posted it. Prints each server's CPU time per request too: on a busy
// machine it says more than the latencies do.

const REQUESTS = Number(process.env.GOLIVE_BENCH_REQUESTS ?? 500);
const RELEASES = Number(process.env.GOLIVE_LATENCY_RELEASES ?? 3);
const PROFILE = process.env.GOLIVE_LATENCY_PROFILE;
const ONLY = process.env.GOLIVE_LATENCY_ONLY;

async function startProfiledGolive(dataDir: string, slackApiUrl: string): Promise<Served> {
  const port = await freePort();
  const flags = PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`] : [];
  const golive = spawnServer([...flags, 'build/src/main.js'], {
    GOLIVE_DATA_DIR: dataDir,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slackApiUrl,
    TEAMS_LOCAL: '1',
    PORT: String(port),
  });
  await golive.printed('golive listening on port');
  return { ...golive, url: `http://127.0.0.1:${port}` };
}

/** CPU time (user + system) a process has used so far, in ms, from /proc. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

/** Runs `work`, then prints the CPU each server used per request during it (both sides ran `requests` × 2 concurrencies + warm-up). */
async function withCpu<T>(servers: Served[], requests: number, work: () => Promise<T>): Promise<T> {
  const before = servers.map((s) => cpuMs(s.child.pid!));
  const result = await work();
  const after = servers.map((s) => cpuMs(s.child.pid!));
  console.log(servers.map((_, i) => `cpu ms/request ${i === 0 ? 'golive' : 'bare'}: ${((after[i]! - before[i]!) / (requests * 2 + 50)).toFixed(2)}`).join(', '));
  return result;
}

/** A bare app (startBare's), profiled too when GOLIVE_LATENCY_PROFILE is set. */
async function startProfiledBare(script: 'bench/bare-bolt.mjs' | 'bench/bare-agents.mjs', slackApiUrl = ''): Promise<Served> {
  if (!PROFILE) return startBare(script, slackApiUrl);
  const port = await freePort();
  const bare = spawnServer(['--cpu-prof', `--cpu-prof-dir=${PROFILE}/bare`, '--import', 'data:text/javascript,process.on("SIGTERM",()=>process.exit(0))', script], {
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slackApiUrl,
    PORT: String(port),
  });
  await bare.printed('listening on port');
  return { ...bare, url: `http://127.0.0.1:${port}` };
}

buildGolive();
const root = await mkdtemp(join(tmpdir(), 'golive-latency-'));
const fakeSlack = await startFakeSlack();
const connector = await startFakeConnector();
const started: Served[] = [];
let golive: Served | undefined;
const methods = new Map<string, number>();
try {
  const channels = [
    { platform: 'slack' as const, id: SLACK_CHANNEL },
    { platform: 'teams' as const, id: TEAMS_CHANNEL },
  ];
  await writeCopies(root, await seedScenarioRecord(), RELEASES, undefined, (n) => (n === 1 ? channels : []));
  await (await openLowdbStore(root)).close();
  golive = await startProfiledGolive(root, fakeSlack.url);
  started.push(golive);
  if (ONLY !== 'teams') {
    const bolt = await startProfiledBare('bench/bare-bolt.mjs', fakeSlack.url);
    started.push(bolt);
    onPush(fakeSlack.calls, (call) => {
      methods.set(call.method, (methods.get(call.method) ?? 0) + 1);
      if (process.env.GOLIVE_LATENCY_SAMPLE && call.method === 'chat.postEphemeral' && String(call.body.user).startsWith('UG')) process.env.GOLIVE_LATENCY_SAMPLE = JSON.stringify(call.body);
    });
    report('Slack /release status', await withCpu([golive, bolt], REQUESTS, () => slackSideBySide(fakeSlack, golive!, bolt, REQUESTS, [1, 16])));
  }
  console.log('Slack Web API calls', Object.fromEntries(methods));
  if (process.env.GOLIVE_LATENCY_SAMPLE) console.log('a status as posted:', process.env.GOLIVE_LATENCY_SAMPLE.length, 'characters', process.env.GOLIVE_LATENCY_SAMPLE);
  if (ONLY !== 'slack') {
    const agents = await startProfiledBare('bench/bare-agents.mjs');
    started.push(agents);
    report('Teams release status', await withCpu([golive, agents], REQUESTS, () => teamsSideBySide(connector, golive!, agents, REQUESTS, [1, 16])));
  }
  // Lines golive printed that hold this text (a temporary trace while investigating).
  const show = process.env.GOLIVE_LATENCY_SHOW;
  if (show && golive)
    console.log(
      golive
        .output()
        .split('\n')
        .filter((line) => line.includes(show))
        .join('\n'),
    );
} finally {
  for (const server of started) await server.stop();
  await fakeSlack.close();
  await connector.close();
  await rm(root, { recursive: true, force: true });
}
